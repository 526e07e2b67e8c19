// Where the labelled corpus lives, and who wrote what: shared by `npm run train` and `npm run eval`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type LabelledLine, parseCorpus } from '../src/classifier/index.js';
import { loadConfig } from '../src/config/load-config.js';
import { correctedTickets } from '../src/db/corrections.js';
import { openDatabase } from '../src/db/data-source.js';
import { loadCipher } from '../src/db/keyring-source.js';

/** Independent writers, one file each: the training data and the folds of leave-one-writer-out. */
export const WRITERS_DIR = 'data/corpus/lines';
/** Written after the model was frozen, evaluated once (README); joins training only with --with-final. */
export const FINAL_DIR = 'data/corpus/final';
export const DIALOGUES_DIR = 'data/corpus/dialogues';

/** The project's own first corpus, written with the rules (one writer): trained on, never a headline. */
export const EARLY_SETS: { path: string; writer: string }[] = [{ path: 'test/fixtures/corpus.jsonl', writer: 'p0' }];
/** The first-contact rounds by other writers: never trained on, kept as further test sets. */
export const TEST_SETS: { path: string; writer: string }[] = [
  { path: 'test/fixtures/corpus-second-round.jsonl', writer: 'r2' },
  { path: 'test/fixtures/corpus-third-round.jsonl', writer: 'r3' },
  { path: 'test/fixtures/corpus-fourth-round.jsonl', writer: 'r4' },
];

const jsonl = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .map((f) => join(dir, f))
    : [];

export function readLines(paths: string[]): LabelledLine[] {
  return paths.flatMap((p) => parseCorpus(p, readFileSync(p, 'utf8'), basename(p, '.jsonl')));
}

export const writerLines = () => readLines(jsonl(WRITERS_DIR));
export const finalLines = () => readLines(jsonl(FINAL_DIR));
export const earlyLines = () =>
  EARLY_SETS.flatMap(({ path, writer }) => parseCorpus(path, readFileSync(path, 'utf8'), writer));
export const testSets = () =>
  TEST_SETS.map(({ path, writer }) => ({ name: path, lines: parseCorpus(path, readFileSync(path, 'utf8'), writer) }));

/** Lines written by staff correcting tickets: always trained on with --with-corrections, never a fold. */
export const CORRECTIONS_WRITER = 'corrections';

/**
 * The tickets people corrected, from the configured database (DATABASE_URL or SQLITE_PATH, as the service reads
 * them), as labelled lines; lines whose labels are not the residential codes (another pack's levels) are left out.
 */
export async function correctionLines(env: NodeJS.ProcessEnv = process.env): Promise<LabelledLine[]> {
  const config = loadConfig({ ...env, CLASSIFIER: 'rules' });
  const ds = await openDatabase(config.database, loadCipher(config.personalData, config.database));
  try {
    // Through the corpus parser, so a correction is held to the same codes as a written line; one that is not (another
    // pack's level) is left out rather than failing the training.
    return (await correctedTickets(ds)).flatMap((t) => {
      const line = {
        id: `fix-${t.no}`,
        writer: CORRECTIONS_WRITER,
        text: t.text,
        kind: t.kind,
        category: t.category,
        category_alt: [],
        trade: t.trade,
        urgency: t.urgency,
        level: t.level,
        slots: { name: null, room: null, phone: null },
        by: t.by,
      };
      try {
        return parseCorpus('database', JSON.stringify(line));
      } catch {
        return [];
      }
    });
  } finally {
    await ds.destroy();
  }
}

export interface LabelledDialogue {
  id: string;
  writer: string;
  turns: string[];
  expect: { cancelled: true } | { name: string; room: string; phone: string | null; category: string; urgency: string };
}

export function readDialogues(dir = DIALOGUES_DIR): LabelledDialogue[] {
  return jsonl(dir).flatMap((p) =>
    readFileSync(p, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as LabelledDialogue),
  );
}
