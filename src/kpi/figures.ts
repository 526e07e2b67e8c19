// The shapes of the figures. Every figure names the tickets behind it (ids; MonthKpis.ticketNos gives their numbers),
// so a report, the dashboard or an export can link each number to its tickets. Rates are fractions (0–1), durations
// working hours, neither rounded: rounding is for display (labels.ts formatPercent / formatHours).

/** A number of tickets. */
export interface CountFigure {
  count: number;
  tickets: number[];
}

/** `numerator` of `denominator` tickets; `rate` is null when there is nothing to divide by. */
export interface RateFigure {
  numerator: number;
  denominator: number;
  rate: number | null;
  /** The tickets counted in the numerator. */
  hits: number[];
  /** The rest of the denominator. */
  misses: number[];
}

/** Working hours per ticket, over the tickets measured. */
export interface DurationFigure {
  count: number;
  meanHours: number | null;
  medianHours: number | null;
  tickets: number[];
}

/** The callback survey's answers (003 §2.5.1); `rate` is satisfied among the rated. */
export interface SatisfactionFigure {
  satisfied: CountFigure;
  neutral: CountFigure;
  unsatisfied: CountFigure;
  rate: RateFigure;
}

/** Incidents of one level, or of all levels. */
export interface IncidentCount {
  count: number;
  /** Their head counts added up. */
  residents: number;
  incidents: number[];
}

/** Collective complaints (000 §5.3.1): the month's incidents, with their head counts, by level. */
export interface CollectiveFigure extends IncidentCount {
  byLevel: Record<string, IncidentCount>;
  /** The month's tickets (of this group) that were merged into them. */
  tickets: number[];
}

/** Complaints per occupied household; households and rate are null when a project's households are not configured. */
export interface PerHouseholdFigure {
  complaints: CountFigure;
  households: number | null;
  rate: number | null;
}

/** The figures of one group of tickets (a project, a category, … or the whole month). */
export interface KpiSet {
  /** Tickets filed (cancelled ones included). */
  filed: CountFigure;
  /** Withdrawn by the resident; left out of every figure below. */
  cancelled: CountFigure;
  /** Work reported done at least once (done now, or done and reopened). */
  completed: CountFigure;
  /** Response kept: staff first acted no later than the tightest response due; pending ones are not counted. */
  responseOnTime: RateFigure;
  /** Resolution kept: the work first done no later than the tightest resolution due (003 §4.3 报事处理及时率). */
  resolutionOnTime: RateFigure;
  /** Working hours from filing to the first act. */
  responseHours: DurationFigure;
  /** Working hours from filing to completion. */
  resolutionHours: DurationFigure;
  /** Of the completed: not reopened, and the resident not back on the same problem within 30 days (一次解决率). */
  firstTimeFix: RateFigure;
  /** Of the completed: rated by the resident (回访率). */
  callback: RateFigure;
  satisfaction: SatisfactionFigure;
  /** Repairs and complaints whose resident reported the same problem in the 30 days before (000 §6). */
  repeatComplaints: CountFigure;
  collective: CollectiveFigure;
  complaintsPerHousehold: PerHouseholdFigure;
}

export type FigureName = keyof KpiSet;

/** The ways a month's tickets are grouped: by their labels as they are now (a regraded ticket, at its new level). */
export const DIMENSIONS = ['project', 'category', 'kind', 'level', 'handler'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** The handler group of tickets nobody is assigned to (a WeCom user id is never empty). */
export const UNASSIGNED = '';

/** One month's figures: for the whole month and for each group of each dimension. */
export interface MonthKpis {
  month: string;
  from: Date;
  to: Date;
  /** The moment the figures were taken: a deadline still open then but not yet due is not counted either way. */
  asOf: Date;
  all: KpiSet;
  by: Record<Dimension, Record<string, KpiSet>>;
  /** Ticket id → ticket number, for the tickets the figures name. */
  ticketNos: Record<number, string>;
}
