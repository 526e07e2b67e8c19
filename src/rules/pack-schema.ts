// What a rule pack in config/rules/*.yaml may say. Validated at load so a typo never reaches a resident.
import { z } from 'zod';
import { CATEGORIES, KINDS, TRADES, URGENCIES } from './codes.js';

/** Facts the code provides to grading and routing rules (json-rules-engine conditions name them). */
export const FACTS = [
  'kind',
  'category',
  'trade',
  'urgency',
  'signals',
  'headcount',
  'reportedDays',
  'repeatAfterClose',
  'incidentResidents',
  'project',
  'level',
  'confidence',
  'modelLevel',
] as const;

export const OPERATORS = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
] as const;

const name = z.string().regex(/^[a-z][a-z0-9_]*$/, '只能用小写字母、数字和下划线，且以字母开头');

const SignalSchema = z.object({
  label: z.string().min(1),
  patterns: z.array(z.string().min(1)).min(1),
  /**
   * "已经不漏了": a negation right before the match cancels it. Outages ("没水") are themselves negative words and say
   * false.
   */
  negatable: z.boolean().default(true),
});

/** One line of a decision list: the first line whose conditions hold sets the value. */
const decision = <T extends z.ZodType>(value: T) =>
  z
    .object({
      set: value,
      any: z.array(name).optional(),
      all: z.array(name).optional(),
      none: z.array(name).default([]),
      kind: z.array(z.enum(KINDS)).optional(),
      category: z.array(z.enum(CATEGORIES)).optional(),
      urgency: z.array(z.enum(URGENCIES)).optional(),
      weight: z.number().min(0).max(1).default(0.8),
    })
    .strict();

/** A whole list, or `{ prepend: [...] }`: these lines first, then the inherited pack's. */
const decisionList = <T extends z.ZodType>(value: T) =>
  z.union([z.array(decision(value)), z.object({ prepend: z.array(decision(value)).min(1) }).strict()]);

interface ConditionShape {
  all?: ConditionShape[];
  any?: ConditionShape[];
  not?: ConditionShape;
  fact?: string;
  operator?: string;
  value?: unknown;
}

const Condition: z.ZodType<ConditionShape> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(Condition).min(1) }).strict(),
    z.object({ any: z.array(Condition).min(1) }).strict(),
    z.object({ not: Condition }).strict(),
    z.object({ fact: z.enum(FACTS), operator: z.enum(OPERATORS), value: z.unknown() }).strict(),
  ]),
);

const TopCondition = z.union([
  z.object({ all: z.array(Condition).min(1) }).strict(),
  z.object({ any: z.array(Condition).min(1) }).strict(),
  z.object({ not: Condition }).strict(),
]);

const GradeRule = z
  .object({
    name: z.string().min(1),
    conditions: TopCondition,
    level: name,
    reason: z.string().min(1),
    /** 000 §6 scoring of the service centre, recorded on the ticket's timeline. */
    score: z.number().optional(),
    /** The level takes effect only once this role approves in chat ("升级为热点事件并通报品质部？"). */
    confirm: name.optional(),
  })
  .strict();

const RouteRule = z
  .object({
    name: z.string().min(1),
    conditions: TopCondition,
    department: name,
    priority: z.number().int().min(1).max(100).default(10),
  })
  .strict();

const NotifyRule = z
  .object({
    name: z.string().min(1),
    conditions: TopCondition,
    /**
     * Roles resolved by the organisation config: on_duty, lead, quality, head_office, finance, or a department code.
     */
    notify: z.array(name).min(1),
    within: z.string().min(1).describe('what the seed promises, shown in the notice, e.g. 立即 / 3个工作日内'),
    /** An approval this ticket needs before the plan goes ahead (mall compensation → finance). */
    approval: name.optional(),
  })
  .strict();

const DeadlineRule = z
  .object({
    kind: name,
    label: z.string().min(1),
    conditions: TopCondition,
    /** minutes: clock time; working_minutes: inside working hours; workdays: closing time of the nth working day. */
    clock: z.enum(['minutes', 'working_minutes', 'workdays']),
    amount: z.number().min(0),
    warnBeforeMinutes: z.number().min(0).default(0),
    /** Urgent alerts go out at any hour; the others wait for working hours. */
    urgent: z.boolean().default(false),
    notify: z.array(name).min(1),
    /** Missing it raises the ticket to this level (000 §5.3.1). */
    upgradeTo: name.optional(),
  })
  .strict();

export const PackSchema = z
  .object({
    pack: name,
    name: z.string().min(1),
    extends: name.optional(),
    levels: z
      .array(z.object({ code: name, label: z.string().min(1) }).strict())
      .min(1)
      .optional(),
    defaultLevel: name.optional(),
    signals: z.record(name, SignalSchema).default({}),
    urgency: decisionList(z.enum(URGENCIES)).optional(),
    kind: decisionList(z.enum(KINDS)).optional(),
    category: decisionList(z.enum(CATEGORIES)).optional(),
    trade: decisionList(z.enum(TRADES).nullable()).optional(),
    defaults: z
      .object({ kind: z.enum(KINDS), category: z.enum(CATEGORIES) })
      .strict()
      .optional(),
    /** Signals that mean "this describes something to handle", for the dialogue. */
    problemSignals: z.array(name).optional(),
    grading: z.array(GradeRule).optional(),
    departments: z.record(name, z.object({ label: z.string().min(1) }).strict()).optional(),
    routing: z.array(RouteRule).optional(),
    defaultDepartment: name.optional(),
    notifications: z.array(NotifyRule).optional(),
    deadlines: z.array(DeadlineRule).optional(),
    collective: z
      .object({
        windowDays: z.number().int().positive(),
        hotResidents: z.number().int().min(2),
        majorResidents: z.number().int().min(2),
        hotLevel: name,
        majorLevel: name,
        /** 0..1 character-bigram overlap that makes two descriptions "the same fault". */
        similarity: z.number().min(0).max(1),
        /** Signals naming shared facilities: reports of them from different buildings are still one fault. */
        commonAreaSignals: z.array(name),
        /** Signals whose words name the fault itself ("电梯", "马桶", "停水"): a shared word means the same fault. */
        faultSignals: z.array(name).min(1),
      })
      .strict()
      .optional(),
    llmThreshold: z.number().min(0).max(1).optional(),
    /**
     * With an LLM configured, a report that fires one of these signals and is not judged an emergency gets a safety
     * review however sure the rules are: the model may only raise it to an emergency.
     */
    safetyReviewSignals: z.array(name).optional(),
    strongEmergencySignals: z.array(name).optional(),
  })
  .strict();

export type PackFile = z.infer<typeof PackSchema>;
export type Decision<T> = {
  set: T;
  any?: string[];
  all?: string[];
  none: string[];
  kind?: string[];
  category?: string[];
  urgency?: string[];
  weight: number;
};
export type GradeRuleDef = z.infer<typeof GradeRule>;
export type RouteRuleDef = z.infer<typeof RouteRule>;
export type NotifyRuleDef = z.infer<typeof NotifyRule>;
export type DeadlineRuleDef = z.infer<typeof DeadlineRule>;
export type TopConditionDef = z.infer<typeof TopCondition>;
