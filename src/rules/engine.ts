// One engine, several policies: classify (decision lists), grade and route (json-rules-engine) by a rule pack.
import { Engine, type TopLevelCondition } from 'json-rules-engine';
import type { Category, Classification, Kind, Trade, Urgency } from './codes.js';
import { anyFires, firedSignals, headcountOf, reportedDaysOf, termsOf } from './facts.js';
import type { CompiledSignal, Level, RulePack } from './pack-loader.js';
import type { DeadlineRuleDef, Decision } from './pack-schema.js';
import { boundedMemory } from '../lib/bounded-memory.js';
import { emergencyProbability, featuresOf, isEmergency, readWithModel, type TextModel } from '../classifier/index.js';

export interface TextClassification extends Classification {
  pack: string;
  signals: string[];
  /** Words that name the fault, for telling whether two residents report the same one. */
  faultTerms: string[];
  /** Names a shared facility of the pack's collective policy (reports from different buildings may be one fault). */
  commonArea: boolean;
  headcount: number | null;
  reportedDays: number | null;
  /** The level the learned model reads in the words (residential codes), for the packs' grading rules. */
  modelLevel: string | null;
}

/** Facts known only once there is a ticket: the resident's history and the incident it joined. */
export interface TicketFacts {
  project?: string;
  repeatAfterClose?: boolean;
  incidentResidents?: number;
}

export interface GradeReason {
  rule: string;
  level: string;
  reason: string;
  score?: number;
}

export interface Grade {
  level: string;
  reasons: GradeReason[];
  /** A higher level that needs a manager's approval before it takes effect. */
  proposal?: { level: string; approver: string; reasons: string[]; rules: string[] };
}

/** The level the text and facts justify, whether or not it still waits for a manager's approval. */
export const judgedLevel = (g: Grade) => g.proposal?.level ?? g.level;

export interface Notice {
  rule: string;
  notify: string[];
  within: string;
  approval?: string;
}

export interface Routing {
  department: string;
  departmentLabel: string;
  notices: Notice[];
  /** The pack's deadlines that apply to this ticket. */
  deadlines: DeadlineRuleDef[];
}

const DEFAULT_CONFIDENCE = 0.3;

export class RuleEngine {
  private readonly graders = new Map<string, RunRules>();
  private readonly routers = new Map<string, RunRules>();
  // Per pack, the signals that make a text a problem, in the pack's order.
  private readonly problemSignals = new Map<RulePack, CompiledSignal[]>();

  constructor(
    private readonly packs: Map<string, RulePack>,
    readonly defaultPack: string,
    /** Without a model the decision lists decide alone (tests of the rules themselves, a missing model file). */
    readonly model?: TextModel,
  ) {
    if (!packs.has(defaultPack)) throw new Error(`默认规则包 ${defaultPack} 不存在`);
    for (const [name, pack] of packs) {
      this.graders.set(name, remembered(gradingEngine(pack)));
      this.routers.set(name, remembered(routingEngine(pack)));
      this.problemSignals.set(
        pack,
        pack.signals.filter((s) => pack.problemSignals.includes(s.name)),
      );
    }
  }

  /** The same packs read with another model (leave-one-writer-out evaluates each fold's model this way). */
  withModel(model: TextModel | undefined): RuleEngine {
    return new RuleEngine(this.packs, this.defaultPack, model);
  }

  pack(name?: string): RulePack {
    return this.packs.get(name ?? this.defaultPack) ?? this.packs.get(this.defaultPack)!;
  }

  packNames(): string[] {
    return [...this.packs.keys()];
  }

  /**
   * Text-only classification; the level is what the words alone justify until grade() adds the ticket's facts.
   * The model, where there is one, decides kind, category, trade and urgency, reading the rules' signals among its
   * features; the rules keep the facts they extract (head counts, how long ago it was reported, threats).
   */
  classify(match: string, packName?: string): TextClassification {
    const byRules = this.classifyByRules(match, packName);
    if (!this.model) return byRules;
    const reading = readWithModel(this.model, featuresOf(match, byRules));
    const emergency = isEmergency(this.model.emergency, emergencyProbability(reading), this.strongEmergency(byRules));
    return {
      ...byRules,
      kind: reading.kind.label as Kind,
      category: reading.category.label as Category,
      trade: reading.trade.label === 'none' ? null : (reading.trade.label as Trade),
      urgency: emergency ? 'emergency' : 'normal',
      confidence: Math.min(reading.kind.p, reading.category.p),
      modelLevel: reading.level.label,
    };
  }

  /** The rules call it an emergency on a signal the pack trusts even against the model (gas, fire, a trapped lift). */
  strongEmergency(byRules: TextClassification): boolean {
    const strong = this.pack(byRules.pack).strongEmergencySignals;
    return byRules.urgency === 'emergency' && byRules.signals.some((s) => strong.includes(s));
  }

  /** The decision lists alone. */
  classifyByRules(match: string, packName?: string): TextClassification {
    const pack = this.pack(packName);
    const matched = new Set<string>();
    const hits = firedSignals(pack.signals, match, matched);
    const fired = new Set(hits.keys());
    const urgency = decide(pack.urgency, fired, {}) ?? { value: 'normal' as Urgency, weight: 0.8 };
    if (urgency.value === 'emergency') fired.add('emergency');
    const kind = decide(pack.kind, fired, { urgency: urgency.value });
    const kindValue = kind?.value ?? pack.defaults.kind;
    const category = decide(pack.category, fired, { urgency: urgency.value, kind: kindValue });
    const categoryValue = category?.value ?? pack.defaults.category;
    const trade = decide(pack.trade, fired, { urgency: urgency.value, kind: kindValue, category: categoryValue });
    fired.delete('emergency');
    return {
      pack: pack.pack,
      kind: kindValue,
      category: categoryValue,
      trade: trade?.value ?? null,
      urgency: urgency.value,
      level: pack.defaultLevel,
      confidence: Math.min(kind?.weight ?? DEFAULT_CONFIDENCE, category?.weight ?? DEFAULT_CONFIDENCE),
      signals: [...fired],
      faultTerms: termsOf(pack.signals, pack.collective.faultSignals, match, matched),
      commonArea: pack.collective.commonAreaSignals.some((s) => fired.has(s)),
      headcount: headcountOf(match),
      reportedDays: reportedDaysOf(match),
      modelLevel: null,
    };
  }

  /** Does this text describe something to handle (as opposed to a greeting or a bare slot answer)? */
  looksLikeProblem(match: string, packName?: string): boolean {
    const pack = this.pack(packName);
    return anyFires(this.problemSignals.get(pack)!, match);
  }

  /** The highest level any grading rule gives (000 §5.3.1: major > hot > important > general), with every reason. */
  async grade(c: TextClassification, t: TicketFacts = {}): Promise<Grade> {
    const pack = this.pack(c.pack);
    const events = await this.graders.get(pack.pack)!(factsOf(c, t));
    const fired = events.map((e) => pack.grading[Number(e.params!['i'])]!);
    const rank = (code: string) => pack.levels.find((l) => l.code === code)?.rank ?? 0;
    // The default applies only when no rule fired: a pack may rank a level below its default (内部投诉).
    const best = (rules: typeof fired) =>
      rules.reduce<string | undefined>(
        (top, r) => (top === undefined || rank(r.level) > rank(top) ? r.level : top),
        undefined,
      );
    const settled = fired.filter((r) => !r.confirm);
    const level = best(settled) ?? pack.defaultLevel;
    const asks = fired.filter((r) => r.confirm && rank(r.level) > rank(level));
    // A rule needing approval adds nothing to approve when the level is already that high: it is just one more reason.
    const alsoSettled = fired.filter((r) => r.confirm && rank(r.level) <= rank(level));
    const proposed = best(asks);
    const reasons = (rules: typeof fired) =>
      rules.map((r) => ({
        rule: r.name,
        level: r.level,
        reason: r.reason,
        ...(r.score !== undefined ? { score: r.score } : {}),
      }));
    return {
      level,
      reasons: reasons([...settled, ...alsoSettled]),
      ...(proposed
        ? {
            proposal: {
              level: proposed,
              approver: asks.find((r) => r.level === proposed)!.confirm!,
              reasons: asks.filter((r) => r.level === proposed).map((r) => r.reason),
              rules: asks.filter((r) => r.level === proposed).map((r) => r.name),
            },
          }
        : {}),
    };
  }

  /** Department (highest-priority matching route) and who must be told, for a graded ticket. */
  async route(c: TextClassification & { level: string }, t: TicketFacts = {}): Promise<Routing> {
    const pack = this.pack(c.pack);
    const events = await this.routers.get(pack.pack)!({ ...factsOf(c, t), level: c.level });
    const routes = events.filter((e) => e.type === 'route').map((e) => pack.routing[Number(e.params!['i'])]!);
    const best = routes.sort((a, b) => b.priority - a.priority)[0];
    const department = best?.department ?? pack.defaultDepartment;
    const notices = events
      .filter((e) => e.type === 'notify')
      .map((e) => pack.notifications[Number(e.params!['i'])]!)
      .map((n) => ({
        rule: n.name,
        notify: n.notify,
        within: n.within,
        ...(n.approval ? { approval: n.approval } : {}),
      }));
    const deadlines = events.filter((e) => e.type === 'deadline').map((e) => pack.deadlines[Number(e.params!['i'])]!);
    return { department, departmentLabel: pack.departments[department]!.label, notices, deadlines };
  }

  levelOf(packName: string | undefined, code: string): Level | undefined {
    return this.pack(packName).levels.find((l) => l.code === code);
  }

  /** Is `a` more serious than `b` under the pack's ranking? */
  higher(packName: string | undefined, a: string, b: string): boolean {
    return (this.levelOf(packName, a)?.rank ?? 0) > (this.levelOf(packName, b)?.rank ?? 0);
  }
}

function factsOf(c: TextClassification, t: TicketFacts): Record<string, unknown> {
  return {
    kind: c.kind,
    category: c.category,
    trade: c.trade,
    urgency: c.urgency,
    signals: c.signals,
    headcount: c.headcount,
    reportedDays: c.reportedDays,
    repeatAfterClose: t.repeatAfterClose ?? false,
    incidentResidents: t.incidentResidents ?? 0,
    project: t.project ?? null,
    confidence: c.confidence,
    modelLevel: c.modelLevel,
  };
}

interface Known {
  urgency?: Urgency;
  kind?: Kind;
  category?: Category;
}

/** First line of the list whose conditions hold. */
function decide<T>(list: Decision<T>[], fired: Set<string>, known: Known): { value: T; weight: number } | undefined {
  const has = (s: string) => fired.has(s);
  const line = list.find(
    (d) =>
      (!d.any || d.any.some(has)) &&
      (!d.all || d.all.every(has)) &&
      !d.none.some(has) &&
      (!d.kind || (known.kind !== undefined && d.kind.includes(known.kind))) &&
      (!d.category || (known.category !== undefined && d.category.includes(known.category))) &&
      (!d.urgency || (known.urgency !== undefined && d.urgency.includes(known.urgency))),
  );
  return line ? { value: line.set, weight: line.weight } : undefined;
}

type RunRules = (facts: Record<string, unknown>) => Promise<RuleEvent[]>;
type RuleEvent = Awaited<ReturnType<Engine['run']>>['events'][number];

/**
 * The rules see nothing but the facts they are given (no fact functions, no clock), so the same facts always fire
 * the same events: remember them. Tickets repeat a few hundred combinations of codes; json-rules-engine clones every
 * condition tree on each run, which was most of a ticket's rule time. A reload builds new engines and a new memory.
 */
function remembered(engine: Engine): RunRules {
  const memory = boundedMemory<string, RuleEvent[]>(2_000);
  return async (facts) => {
    const key = JSON.stringify(facts);
    return memory.get(key) ?? memory.set(key, (await engine.run(facts)).events);
  };
}

function gradingEngine(pack: RulePack): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  pack.grading.forEach((r, i) =>
    engine.addRule({
      name: r.name,
      conditions: r.conditions as TopLevelCondition,
      event: { type: 'grade', params: { i } },
    }),
  );
  return engine;
}

function routingEngine(pack: RulePack): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  pack.routing.forEach((r, i) =>
    engine.addRule({
      name: r.name,
      conditions: r.conditions as TopLevelCondition,
      event: { type: 'route', params: { i } },
    }),
  );
  pack.notifications.forEach((n, i) =>
    engine.addRule({
      name: n.name,
      conditions: n.conditions as TopLevelCondition,
      event: { type: 'notify', params: { i } },
    }),
  );
  pack.deadlines.forEach((d, i) =>
    engine.addRule({
      name: `deadline:${d.kind}`,
      conditions: d.conditions as TopLevelCondition,
      event: { type: 'deadline', params: { i } },
    }),
  );
  return engine;
}
