// npm run eval [-- --final] [-- --errors] [-- --json] [-- --corpus FILE] [-- --with-corrections]: how well the bot
// understands residents, with the same code the bot runs (analyseText: model + rules + grading + slots).
// Headline: leave-one-writer-out — each independent writer's lines judged by a model trained on everyone else's,
// with an emergency threshold chosen on the other writers' held-out lines only. Then the early per-round sets (never
// trained on) and, with --final, the final writers' set, judged once by the committed model.
import type { LabelledLine } from '../src/classifier/index.js';
import { loadRuleEngine } from '../src/config/rule-packs.js';
import { type Analysis, analyseText } from '../src/intake/analyse-text.js';
import type { RuleEngine } from '../src/rules/index.js';
import {
  correctionLines,
  earlyLines,
  finalLines,
  type LabelledDialogue,
  readDialogues,
  readLines,
  testSets,
  writerLines,
} from './corpus-files.js';
import { type DialogueResult, playDialogue } from './play-dialogue.js';
import { calibrated, calibrateOn, featureRows, independentWriters, leaveOneWriterOut } from './training.js';

const args = process.argv.slice(2);
const engine = loadRuleEngine(process.env['CONFIG_DIR'] ?? 'config', undefined, { withModel: true });
const LABELS = ['kind', 'category', 'trade', 'urgency', 'level'] as const;
const SLOTS = ['name', 'room', 'phone'] as const;

interface Judged {
  line: LabelledLine;
  got: Analysis;
}

// --corpus FILE: that file judged by the committed model alone (quick; the test suite's regression guard).
const corpusArg = args.indexOf('--corpus');
if (corpusArg >= 0) {
  const path = args[corpusArg + 1]!;
  const judged = await judgeAll(engine, readLines([path]));
  console.log(JSON.stringify({ corpus: path, ...figures(judged) }));
  process.exit(0);
}

// --with-corrections: every fold's model also learns from the tickets staff corrected, to show what they change.
const corrections = args.includes('--with-corrections') ? await correctionLines() : [];
const training = [...writerLines(), ...earlyLines(), ...corrections];
const writers = independentWriters(training);
const dialogues = readDialogues().filter((d) => writers.includes(d.writer));
const lowoDialogues: PlayedDialogue[] = [];
const lowo = await leaveOneWriterOutJudged(training, writers);
const dialoguesByRules = dialogues.map((d) => ({ dialogue: d, result: playDialogue(engine.withModel(undefined), d) }));
const byRules = await judgeAll(
  engine.withModel(undefined),
  training.filter((l) => writers.includes(l.writer)),
);
const further = await Promise.all(
  testSets().map(async (s) => ({ name: s.name, figures: figures(await judgeAll(engine, s.lines)) })),
);
const final = args.includes('--final') ? figures(await judgeAll(engine, finalLines())) : undefined;
const headline = figures(lowo);

if (args.includes('--json')) {
  console.log(
    JSON.stringify({
      writers,
      corrections: corrections.length,
      lowo: headline,
      dialogues: dialogueFigures(lowoDialogues),
      dialoguesByRules: dialogueFigures(dialoguesByRules),
      rulesOnly: figures(byRules),
      further,
      final,
      perWriter: perWriter(),
    }),
  );
} else {
  console.log(
    `留一作者交叉验证（${writers.length} 位作者，${lowo.length} 条；每位作者的语料由用其余语料训练的模型判断）` +
      (args.includes('--with-corrections') ? `；训练另含人工更正 ${corrections.length} 条` : '') +
      '\n',
  );
  report(headline);
  console.log(`整段对话（建单时的姓名、房号、电话、类别、紧急程度都对，或该取消的取消了）：`);
  console.log(`  ${dialogueLine(dialogueFigures(lowoDialogues))}`);
  console.log(`  只用规则：${dialogueLine(dialogueFigures(dialoguesByRules))}`);
  console.log(`\n对照：只用规则（同样 ${byRules.length} 条）`);
  summary(figures(byRules));
  console.log('\n每位作者：');
  for (const w of perWriter())
    console.log(`  ${w.writer.padEnd(4)} ${String(w.lines).padStart(4)} 条  ${line(w.figures)}`);
  matrix('\n类别混淆矩阵（行 = 标注，列 = 预测；留一作者）', lowo, 'category');
  matrix('\n等级混淆矩阵（行 = 标注，列 = 预测；留一作者）', lowo, 'level');
  for (const s of further) {
    console.log(`\n另一测试集 ${s.name}（从未参与训练，当前模型）`);
    summary(s.figures);
  }
  if (final) {
    console.log('\n最终测试集（模型冻结后写成，只评一次）');
    report(final);
  }
  console.log('\n目标（留一作者）：');
  const whole = dialogueFigures(lowoDialogues).right;
  for (const t of [...targets(headline), { name: '整段对话 ≥ 95%', ok: whole >= 0.95 }])
    console.log(`  ${t.ok ? '✓' : '✗'} ${t.name}`);
  if (args.includes('--errors')) {
    errors(lowo);
    console.log('\n没有完全做对的对话（留一作者）：');
    for (const p of lowoDialogues)
      if (!p.result.ok)
        console.log(`  ${p.dialogue.id} 错在 ${p.result.wrong.join('、')}\n    ${p.result.replies.join(' ⏎ ')}`);
  }
}

async function leaveOneWriterOutJudged(lines: LabelledLine[], folds: string[]): Promise<Judged[]> {
  const { held, models } = leaveOneWriterOut(lines, featureRows(engine, lines), folds);
  const out: Judged[] = [];
  lowoDialogues.length = 0;
  for (const writer of folds) {
    // Calibrated on the other writers' held-out lines only, as npm run train calibrates the committed model.
    const model = calibrated(models.get(writer)!, calibrateOn(held.filter((h) => h.line.writer !== writer)));
    out.push(
      ...(await judgeAll(
        engine.withModel(model),
        lines.filter((l) => l.writer === writer),
      )),
    );
    // The writer's dialogues, read by the same fold's model: no dialogue is read by a model that saw its writer.
    for (const d of dialogues.filter((x) => x.writer === writer))
      lowoDialogues.push({ dialogue: d, result: playDialogue(engine.withModel(model), d) });
  }
  return out;
}

interface PlayedDialogue {
  dialogue: LabelledDialogue;
  result: DialogueResult;
}

function dialogueFigures(played: readonly PlayedDialogue[]) {
  const wrong: Record<string, number> = {};
  for (const p of played) if (!p.result.ok) for (const w of p.result.wrong) wrong[w] = (wrong[w] ?? 0) + 1;
  const right = played.filter((p) => p.result.ok).length;
  return { dialogues: played.length, right: played.length ? right / played.length : 0, wrong };
}

function dialogueLine(f: ReturnType<typeof dialogueFigures>): string {
  const why = Object.entries(f.wrong)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join('、');
  return `${f.dialogues} 段，整段正确 ${pct(f.right)}${why ? `（错在：${why}）` : ''}`;
}

async function judgeAll(e: RuleEngine, lines: readonly LabelledLine[]): Promise<Judged[]> {
  const out: Judged[] = [];
  for (const line of lines) out.push({ line, got: await analyseText(e, line.text) });
  return out;
}

function right(j: Judged, k: (typeof LABELS)[number]): boolean {
  if (k === 'category') return j.got.category === j.line.category || j.line.categoryAlt.includes(j.got.category);
  return j.got[k] === j.line[k];
}

function figures(judged: readonly Judged[]) {
  const share = (f: (j: Judged) => boolean, of: readonly Judged[] = judged) =>
    of.length ? of.filter(f).length / of.length : 1;
  const accuracy = Object.fromEntries(LABELS.map((k) => [k, share((j) => right(j, k))])) as Record<
    (typeof LABELS)[number],
    number
  >;
  const emergencies = judged.filter((j) => j.line.urgency === 'emergency');
  const flagged = judged.filter((j) => j.got.urgency === 'emergency');
  const found = emergencies.filter((j) => j.got.urgency === 'emergency').length;
  const withSlots = judged.filter((j) => SLOTS.some((k) => j.line.slots[k] !== null));
  const slotsRight = (j: Judged) => SLOTS.every((k) => j.got.slots[k] === j.line.slots[k]);
  return {
    messages: judged.length,
    accuracy,
    levelAboveGeneral: share(
      (j) => j.got.level === j.line.level,
      judged.filter((j) => j.line.level !== 'general'),
    ),
    emergency: {
      recall: emergencies.length ? found / emergencies.length : 1,
      precision: flagged.length ? found / flagged.length : 1,
      count: emergencies.length,
    },
    slotsExact: share(slotsRight),
    slotsExactWhereGiven: share(slotsRight, withSlots),
  };
}
type Figures = ReturnType<typeof figures>;

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
function line(f: Figures): string {
  return (
    `类别 ${pct(f.accuracy.category)} 类型 ${pct(f.accuracy.kind)} 专业 ${pct(f.accuracy.trade)} ` +
    `等级 ${pct(f.accuracy.level)} 紧急查全 ${pct(f.emergency.recall)} 查准 ${pct(f.emergency.precision)} ` +
    `槽位 ${pct(f.slotsExact)}`
  );
}

function summary(f: Figures): void {
  console.log(`  ${f.messages} 条：${line(f)}`);
}

function report(f: Figures): void {
  console.log('各标签准确率：');
  for (const k of LABELS) console.log(`  ${k.padEnd(9)} ${pct(f.accuracy[k])}`);
  console.log(`  等级（一般以上）${pct(f.levelAboveGeneral)}`);
  console.log(`  槽位完全正确 ${pct(f.slotsExact)}（有槽位的语料 ${pct(f.slotsExactWhereGiven)}）`);
  console.log(
    `紧急情况：查全率 ${pct(f.emergency.recall)}，查准率 ${pct(f.emergency.precision)}（共 ${f.emergency.count} 条）`,
  );
}

function perWriter() {
  return writers.map((writer) => {
    const mine = lowo.filter((j) => j.line.writer === writer);
    return { writer, lines: mine.length, figures: figures(mine) };
  });
}

function targets(f: Figures) {
  return [
    { name: '类别 ≥ 92%', ok: f.accuracy.category >= 0.92 },
    { name: '类型 ≥ 90%', ok: f.accuracy.kind >= 0.9 },
    { name: '专业 ≥ 90%', ok: f.accuracy.trade >= 0.9 },
    { name: '等级 ≥ 90%（一般以上 ≥ 80%）', ok: f.accuracy.level >= 0.9 && f.levelAboveGeneral >= 0.8 },
    { name: '紧急查全率 ≥ 98%，查准率 ≥ 85%', ok: f.emergency.recall >= 0.98 && f.emergency.precision >= 0.85 },
    { name: '槽位完全正确 ≥ 97%', ok: f.slotsExact >= 0.97 },
  ];
}

function matrix(title: string, judged: readonly Judged[], key: 'category' | 'level'): void {
  const values = [...new Set(judged.flatMap((j) => [j.line[key], j.got[key]]))].sort();
  const width = Math.max(...values.map((v) => v.length), 5) + 1;
  console.log(title);
  console.log(' '.repeat(width) + values.map((v) => v.padStart(width)).join(''));
  for (const row of values) {
    const cells = values.map((col) =>
      String(judged.filter((j) => j.line[key] === row && j.got[key] === col).length).padStart(width),
    );
    console.log(row.padEnd(width) + cells.join(''));
  }
}

function errors(judged: readonly Judged[]): void {
  const wrong = judged.filter(
    (j) => LABELS.some((k) => !right(j, k)) || SLOTS.some((k) => j.got.slots[k] !== j.line.slots[k]),
  );
  console.log(`\n错例（${wrong.length} 条，最多列 60 条）：`);
  for (const { line: want, got } of wrong.slice(0, 60)) {
    const diffs = [
      ...LABELS.filter((k) => !right({ line: want, got }, k)).map((k) => `${k} ${want[k]}→${got[k]}`),
      ...SLOTS.filter((k) => got.slots[k] !== want.slots[k]).map((k) => `${k} ${want.slots[k]}→${got.slots[k]}`),
    ];
    console.log(`  ${want.id} ${want.text}\n      ${diffs.join('；')}`);
  }
}
