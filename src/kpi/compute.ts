// One month's KPIs (003 §4.3, 002 §六, 000 §6) from its facts, on each project's working calendar. Pure: the same
// facts, options and asOf give the same figures, so reports, the dashboard and exports cannot disagree.
//
// The month is a cohort: the tickets filed in it, with what has happened to them by `asOf`. Each ticket is judged
// once (judge), then added to the whole month and to its group in every dimension.
import type { WorkCalendar } from '../calendar/work-calendar.js';
import type { ProjectConfig } from '../organisation/index.js';
import {
  type DeadlineFacts,
  type IncidentFacts,
  type MonthFacts,
  PROBLEM_KINDS,
  REPEAT_WINDOW_DAYS,
  type TicketFacts,
} from './facts.js';
import {
  type CollectiveFigure,
  type CountFigure,
  type Dimension,
  DIMENSIONS,
  type DurationFigure,
  type IncidentCount,
  type KpiSet,
  type MonthKpis,
  type RateFigure,
  UNASSIGNED,
} from './figures.js';

export interface KpiOptions {
  /** A project's working calendar (its hours and closed days over the company's holidays and 调休). */
  calendarOf: (projectCode: string) => WorkCalendar;
  /** A project's occupied households (organisation.json `households`); undefined when not configured. */
  households: (projectCode: string) => number | undefined;
  /**
   * Every project of the organisation: the whole company's households add up over these (a group that is not a
   * project — a category, a handler — is divided by them too). Default: the projects the facts name.
   */
  projects?: readonly string[];
  /** When the figures are taken (the caller's clock): decides whether an unmet deadline is missed or still pending. */
  asOf: Date;
}

/** The options for the organisation's projects: their configured households, and all of them make the whole. */
export function kpiOptions(
  organisation: { projects: readonly Pick<ProjectConfig, 'code' | 'households'>[] },
  calendarOf: KpiOptions['calendarOf'],
  asOf: Date,
): KpiOptions {
  const households = new Map(organisation.projects.map((p) => [p.code, p.households]));
  return {
    calendarOf,
    households: (code) => households.get(code),
    projects: organisation.projects.map((p) => p.code),
    asOf,
  };
}

const WINDOW_MS = REPEAT_WINDOW_DAYS * 86_400_000;

/** How one ticket counts; undefined means "not in that figure's denominator". */
interface Judgement {
  t: TicketFacts;
  cancelled: boolean;
  completed: boolean;
  responseKept?: boolean;
  resolutionKept?: boolean;
  responseMinutes?: number;
  resolutionMinutes?: number;
  firstTimeFix?: boolean;
  repeat: boolean;
}

export function computeMonthKpis(facts: MonthFacts, options: KpiOptions): MonthKpis {
  const tickets = [...facts.tickets].sort((a, b) => a.id - b.id);
  const calendars = new Map<string, WorkCalendar>();
  const calendarOf = (code: string) => {
    let cal = calendars.get(code);
    if (!cal) calendars.set(code, (cal = options.calendarOf(code)));
    return cal;
  };
  const problems = problemIndex(facts);
  const judged = tickets.map((t) => judge(t, calendarOf(t.projectCode), problems, options.asOf));

  const projects = options.projects ?? [...new Set(tickets.map((t) => t.projectCode))];
  const incidents = new Map(facts.incidents.map((i) => [i.id, i]));
  const all = new Group(householdsOf(projects, options.households));
  const by = Object.fromEntries(DIMENSIONS.map((d) => [d, new Map<string, Group>()])) as Record<
    Dimension,
    Map<string, Group>
  >;
  const groupOf = (d: Dimension, key: string) => {
    let g = by[d].get(key);
    if (!g) {
      const households = d === 'project' ? householdsOf([key], options.households) : all.households;
      by[d].set(key, (g = new Group(households)));
    }
    return g;
  };

  // Incidents count under their own project, category and level; a kind or a handler has an incident when one of
  // its tickets of the month was merged into it.
  for (const i of facts.incidents) {
    all.incidents.add(i.id);
    groupOf('project', i.projectCode).incidents.add(i.id);
    groupOf('category', i.category).incidents.add(i.id);
    groupOf('level', i.level).incidents.add(i.id);
  }
  for (const j of judged) {
    const t = j.t;
    const merged = t.incidentId !== null && incidents.has(t.incidentId) ? t.incidentId : null;
    all.add(j, merged);
    for (const d of DIMENSIONS) {
      const g = groupOf(d, keyOf(t, d));
      g.add(j, merged);
      if (merged !== null && (d === 'kind' || d === 'handler')) g.incidents.add(merged);
    }
  }

  const ticketNos: Record<number, string> = {};
  for (const t of tickets) ticketNos[t.id] = t.no;
  return {
    month: facts.month,
    from: facts.from,
    to: facts.to,
    asOf: options.asOf,
    all: all.finish(incidents),
    // Groups in code order, whatever order the facts came in: an export lists them the same each time.
    by: Object.fromEntries(
      DIMENSIONS.map((d) => [
        d,
        Object.fromEntries(
          [...by[d]].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, g]) => [k, g.finish(incidents)]),
        ),
      ]),
    ) as Record<Dimension, Record<string, KpiSet>>,
    ticketNos,
  };
}

function keyOf(t: TicketFacts, d: Dimension): string {
  switch (d) {
    case 'project':
      return t.projectCode;
    case 'category':
      return t.category;
    case 'kind':
      return t.kind;
    case 'level':
      return t.level;
    case 'handler':
      return t.handler ?? UNASSIGNED;
  }
}

/** The households of the projects together; null as soon as one of them is not configured. */
function householdsOf(projects: readonly string[], households: KpiOptions['households']): number | null {
  let sum = 0;
  for (const p of projects) {
    const n = households(p);
    if (n === undefined) return null;
    sum += n;
  }
  return projects.length ? sum : null;
}

// ---------------------------------------------------------------------------------------------- one ticket

/**
 * A deadline group kept on time: first met no later than its tightest due. Unmet: missed once due has passed by
 * `asOf`, otherwise still pending (undefined: in neither the numerator nor the denominator).
 */
function kept(d: DeadlineFacts | null, asOf: Date): boolean | undefined {
  if (!d) return undefined;
  if (d.metAt) return d.metAt.getTime() <= d.dueAt.getTime();
  return d.dueAt.getTime() <= asOf.getTime() ? false : undefined;
}

function judge(t: TicketFacts, cal: WorkCalendar, problems: ProblemIndex, asOf: Date): Judgement {
  const cancelled = t.status === 'cancelled';
  if (cancelled) return { t, cancelled, completed: false, repeat: false };
  // A reopened ticket was done once (it is reopened from resolved); its completedAt is cleared until done again.
  const completed = t.completedAt !== null || t.reopened;
  const responseMet = t.response?.metAt;
  const same = problems.reportsLike(t);
  return {
    t,
    cancelled,
    completed,
    responseKept: kept(t.response, asOf),
    resolutionKept: kept(t.resolution, asOf),
    responseMinutes: responseMet ? cal.workingMinutesBetween(t.createdAt, responseMet) : undefined,
    resolutionMinutes: t.completedAt ? cal.workingMinutesBetween(t.createdAt, t.completedAt) : undefined,
    firstTimeFix: completed ? !t.reopened && !backAfter(t, same) : undefined,
    repeat: repeatOf(t, same),
  };
}

// ---------------------------------------------------------------------------------------------- same problem

/** A resident's reports of one problem. */
type Reports = { id: number; at: number }[];

interface ProblemIndex {
  /** The ticket's resident's reports of the same problem, the ticket among them; none for a non-problem kind. */
  reportsLike(t: TicketFacts): Reports | undefined;
}

/** The resident reported the same problem in the 30 days before this ticket. */
function repeatOf(t: TicketFacts, same: Reports | undefined): boolean {
  if (!same || same.length < 2) return false;
  const at = t.createdAt.getTime();
  // Filed at the same millisecond: the lower id came first.
  for (const f of same)
    if (f.id !== t.id && f.at >= at - WINDOW_MS && (f.at < at || (f.at === at && f.id < t.id))) return true;
  return false;
}

/** The resident reported the same problem within 30 days after the work was done: the fix did not hold. */
function backAfter(t: TicketFacts, same: Reports | undefined): boolean {
  if (!same || same.length < 2 || !t.completedAt) return false;
  const done = t.completedAt.getTime();
  for (const f of same) if (f.id !== t.id && f.at > done && f.at <= done + WINDOW_MS) return true;
  return false;
}

const problemKey = (resident: string, category: string, trade: string | null) =>
  `${resident}\u0000${category}\u0000${trade ?? ''}`;

/**
 * Same problem = same resident (channel + user id), same category and same trade (both null counts as the same: most
 * property complaints have no trade), both of them repairs or complaints.
 */
function problemIndex(facts: MonthFacts): ProblemIndex {
  const byKey = new Map<string, Reports>();
  const seen = new Set<number>();
  const add = (id: number, resident: string | null, kind: string, category: string, trade: string | null, at: Date) => {
    if (!resident || !PROBLEM_KINDS.includes(kind) || seen.has(id)) return;
    seen.add(id);
    const key = problemKey(resident, category, trade);
    const list = byKey.get(key);
    if (list) list.push({ id, at: at.getTime() });
    else byKey.set(key, [{ id, at: at.getTime() }]);
  };
  for (const t of facts.tickets)
    if (t.status !== 'cancelled') add(t.id, t.resident, t.kind, t.category, t.trade, t.createdAt);
  for (const f of facts.history) add(f.id, f.resident, f.kind, f.category, f.trade, f.createdAt);
  return {
    reportsLike: (t) =>
      t.resident && PROBLEM_KINDS.includes(t.kind) ? byKey.get(problemKey(t.resident, t.category, t.trade)) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------- one group

class Group {
  private readonly filed: number[] = [];
  private readonly cancelled: number[] = [];
  private readonly completed: number[] = [];
  private readonly response = new Split();
  private readonly resolution = new Split();
  private readonly responseTimes = new Times();
  private readonly resolutionTimes = new Times();
  private readonly firstTimeFix = new Split();
  private readonly callback = new Split();
  private readonly ratings = { satisfied: [] as number[], neutral: [] as number[], unsatisfied: [] as number[] };
  private readonly repeats: number[] = [];
  private readonly complaints: number[] = [];
  private readonly merged: [ticket: number, incident: number][] = [];
  readonly incidents = new Set<number>();

  constructor(readonly households: number | null) {}

  add(j: Judgement, incident: number | null): void {
    const id = j.t.id;
    this.filed.push(id);
    if (j.cancelled) {
      this.cancelled.push(id);
      return;
    }
    if (j.completed) this.completed.push(id);
    this.response.add(id, j.responseKept);
    this.resolution.add(id, j.resolutionKept);
    if (j.responseMinutes !== undefined) this.responseTimes.add(id, j.responseMinutes);
    if (j.resolutionMinutes !== undefined) this.resolutionTimes.add(id, j.resolutionMinutes);
    this.firstTimeFix.add(id, j.firstTimeFix);
    if (j.completed) this.callback.add(id, j.t.rating !== null);
    if (j.t.rating) this.ratings[j.t.rating].push(id);
    if (j.repeat) this.repeats.push(id);
    if (j.t.kind === 'complaint') this.complaints.push(id);
    if (incident !== null) this.merged.push([id, incident]);
  }

  finish(incidents: Map<number, IncidentFacts>): KpiSet {
    const { satisfied, neutral, unsatisfied } = this.ratings;
    const complaints = count(this.complaints);
    return {
      filed: count(this.filed),
      cancelled: count(this.cancelled),
      completed: count(this.completed),
      responseOnTime: this.response.figure(),
      resolutionOnTime: this.resolution.figure(),
      responseHours: this.responseTimes.figure(),
      resolutionHours: this.resolutionTimes.figure(),
      firstTimeFix: this.firstTimeFix.figure(),
      callback: this.callback.figure(),
      satisfaction: {
        satisfied: count(satisfied),
        neutral: count(neutral),
        unsatisfied: count(unsatisfied),
        rate: rate(
          satisfied,
          [...neutral, ...unsatisfied].sort((a, b) => a - b),
        ),
      },
      repeatComplaints: count(this.repeats),
      collective: this.collective(incidents),
      complaintsPerHousehold: {
        complaints,
        households: this.households,
        rate: this.households ? complaints.count / this.households : null,
      },
    };
  }

  private collective(incidents: Map<number, IncidentFacts>): CollectiveFigure {
    const members = [...this.incidents]
      .sort((a, b) => a - b)
      .map((id) => incidents.get(id))
      .filter((i): i is IncidentFacts => i !== undefined);
    const byLevel: Record<string, IncidentCount> = {};
    for (const i of members) {
      const level = (byLevel[i.level] ??= { count: 0, residents: 0, incidents: [] });
      level.count++;
      level.residents += i.residents;
      level.incidents.push(i.id);
    }
    return {
      count: members.length,
      residents: members.reduce((s, i) => s + i.residents, 0),
      incidents: members.map((i) => i.id),
      byLevel,
      tickets: this.merged.filter(([, incident]) => this.incidents.has(incident)).map(([ticket]) => ticket),
    };
  }
}

/** Tickets split into hits and misses; a ticket judged undefined is in neither. */
class Split {
  readonly hits: number[] = [];
  readonly misses: number[] = [];

  add(id: number, hit: boolean | undefined): void {
    if (hit === true) this.hits.push(id);
    else if (hit === false) this.misses.push(id);
  }

  figure(): RateFigure {
    return rate(this.hits, this.misses);
  }
}

const count = (tickets: number[]): CountFigure => ({ count: tickets.length, tickets });

function rate(hits: number[], misses: number[]): RateFigure {
  const denominator = hits.length + misses.length;
  return {
    numerator: hits.length,
    denominator,
    rate: denominator ? hits.length / denominator : null,
    hits,
    misses,
  };
}

/** Working minutes per ticket; the figure in hours. */
class Times {
  private readonly tickets: number[] = [];
  private readonly minutes: number[] = [];

  add(id: number, minutes: number): void {
    this.tickets.push(id);
    this.minutes.push(minutes);
  }

  figure(): DurationFigure {
    const n = this.minutes.length;
    if (!n) return { count: 0, meanHours: null, medianHours: null, tickets: [] };
    // A typed array sorts numbers without a comparator call per step: tens of thousands a figure, dozens of figures.
    const sorted = Float64Array.from(this.minutes).sort();
    const mid = n >> 1;
    const median = n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    return {
      count: n,
      meanHours: this.minutes.reduce((s, m) => s + m, 0) / n / 60,
      medianHours: median / 60,
      tickets: this.tickets,
    };
  }
}
