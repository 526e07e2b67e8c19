// What the ticket use cases need from storage and delivery. Implemented over TypeORM in src/db/store.ts; the use
// cases see only these interfaces.
import type { ChannelName } from '../dialogue/inbound.js';
import type { Profile } from '../dialogue/index.js';
import type { Approval, NewApproval } from './approval.js';
import type { Deadline, DeadlineGroup, NewDeadline } from './deadline.js';
import type { Incident } from './incident.js';
import type { NewTicket, Ticket, TicketEvent } from './ticket.js';

/** An outbox channel: how a queued message leaves (the dispatcher has one sender per channel). */
export type OutboxChannel = ChannelName | 'wecom_app' | 'wecom_robot' | 'wecom_appchat' | 'llm';

export interface OutboxItem {
  /** Unique per effect: enqueuing the same key twice delivers once. */
  dedupeKey: string;
  /** wecom_robot: a group robot, recipient is its webhook key; several due together are sent as one digest. */
  /** llm: a second opinion on a ticket (recipient is the ticket number). */
  channel: OutboxChannel;
  recipient: string;
  /** `card`: a WeCom template card (approvals); `text` is its plain-text fallback and what the timeline shows. */
  payload: { text: string; card?: Record<string, unknown>; review?: ReviewScope; image?: RobotImage };
}

/** A picture for a group robot (a report's chart): PNG or JPG ≤ 2 MB, base64 with its MD5; `text` is its caption. */
export interface RobotImage {
  base64: string;
  md5: string;
}

/** What an LLM second opinion may change: all the labels (the rules were unsure), or only raise the urgency. */
export type ReviewScope = 'labels' | 'urgency';

/**
 * Other residents' open tickets that could be the same fault as a new one: same project, category and trade, since
 * `since`, in the same building or (for a shared facility) about one too.
 */
export interface ReportQuery {
  projectCode: string;
  category: string;
  trade: string | null;
  since: Date;
  building: string;
  commonArea: boolean;
  notChannel: string;
  notUser: string;
}

/**
 * When a write reaches the database, visible in each method's type (reads, and writes whose result is read, run at
 * once). Nothing is lost either way: all of it commits or rolls back with the transaction.
 */
/** Sent with the transaction's next statement: nobody reads its result, so it costs no round trip of its own. */
export type SentWithNext = Promise<void>;
/** Buffered and written just before commit, one multi-row statement per table. */
export type AtCommit = Promise<void>;

/** Tickets and their timeline. With the three below, the one ticket repository (implemented once, in db/). */
export interface TicketRepository {
  nextTicketSeq(scope: string): Promise<number>;
  /** Numbers a batch is about to use, taken at once; nextTicketSeq hands them out first. */
  reserveTicketSeqs(scope: string, count: number): Promise<void>;
  insertTicket(t: NewTicket): Promise<Ticket>;
  /**
   * insertTicket, and in the same round trip the reports that could be the same fault (ReportQuery, newest first, at
   * most `limit`) and the incidents the reporter is already counted in: all a report that may join an incident reads.
   */
  insertTicketAmongReports(
    t: NewTicket,
    q: ReportQuery,
    limit: number,
  ): Promise<{ ticket: Ticket; recent: Ticket[]; reporterIncidents: Set<number> }>;
  updateTicket(id: number, patch: Partial<Ticket>): SentWithNext;
  /** One statement for several tickets (an incident's members). */
  updateTickets(ids: readonly number[], patch: Partial<Ticket>): SentWithNext;
  findTicket(no: string): Promise<Ticket | undefined>;
  findTicketById(id: number): Promise<Ticket | undefined>;
  listTicketsOf(channel: ChannelName, userId: string, limit: number): Promise<Ticket[]>;
  /** The ticket a staff member touched last as its handler (a photo sent after "完成" belongs to it). */
  lastHandledBy(userId: string): Promise<Ticket | undefined>;
  /** The resident's most recent ticket that was completed and still waits for a rating. */
  awaitingRating(channel: ChannelName, userId: string): Promise<Ticket | undefined>;
  addEvent(e: TicketEvent): AtCommit;
}

/** Collective-complaint incidents: reports of one fault by several residents. */
export interface IncidentRepository {
  insertIncident(i: Omit<Incident, 'id'>): Promise<Incident>;
  findIncident(id: number): Promise<Incident | undefined>;
  updateIncident(id: number, patch: Partial<Incident>): SentWithNext;
  ticketsOfIncident(id: number): Promise<Ticket[]>;
  /** Open incidents with at least this many residents, locked until commit (the level check of the scheduler). */
  openIncidentsFrom(residents: number): Promise<Incident[]>;
  /**
   * The tickets' incidents as now committed, the rows locked until commit: a report of the same fault filed at the same
   * moment by another instance or batch may have linked them since they were read. A ticket another transaction holds
   * is left out (that transaction is linking it). The incident the tickets are to join, if it exists, is locked first:
   * raising an incident locks it and then its tickets, and taking them in the other order deadlocked. `counted`: the
   * residents of these tickets who already have a report in that incident (`channel:userId`), so the head count
   * counts nobody twice.
   */
  lockIncidentLinks(
    ticketIds: readonly number[],
    incidentId: number | undefined,
  ): Promise<{ links: Map<number, number | null>; counted: Set<string> }>;
  /**
   * The tickets join the incident and its head count grows by `newResidents` (an increment in SQL: concurrent joins
   * add up rather than overwrite). The links go with the transaction's next statement, the head count at commit.
   */
  joinIncident(id: number, ticketIds: readonly number[], newResidents: number, now: Date): SentWithNext;
}

/** The clocks on a ticket: response, resolution, callback, approval deadlines. */
export interface DeadlineRepository {
  insertDeadlines(rows: NewDeadline[]): AtCommit;
  /**
   * Deadlines whose next check is due, oldest first (an index on next_check_at: cost follows what is due). A row that
   * cannot be read (its stored JSON is broken) comes back as `unreadable`, so the scan sets it aside and goes on.
   */
  dueDeadlines(now: Date, limit: number): Promise<DueDeadline[]>;
  updateDeadline(id: number, patch: Partial<Deadline>): Promise<void>;
  /**
   * Brings the ticket's deadline of the same kind forward to `d` (its due time, warning, urgency), never back, and only
   * while it is still open (pending or warned); false when nothing changed.
   */
  advanceDeadline(d: NewDeadline): Promise<boolean>;
  /** The ticket's deadlines of the group not yet met are met at `at` (when staff acted); a met one keeps its time. */
  meetDeadlines(ticketId: number, group: DeadlineGroup, at: Date): Promise<void>;
}

export type DueDeadline = Deadline | { id: number; ticketId: number; unreadable: string };

/** Decisions asked of a manager. */
export interface ApprovalRepository {
  insertApproval(a: NewApproval): Promise<Approval>;
  approvalsOf(ticketId: number): Promise<Approval[]>;
  findApproval(id: number): Promise<Approval | undefined>;
  updateApproval(id: number, patch: Partial<Approval>): Promise<void>;
}

/** Written in the same transaction as the change it announces; delivered later by the dispatcher. */
export interface Outbox {
  /** `notBefore` holds a non-urgent alert until working hours. */
  enqueue(item: OutboxItem, now: Date, notBefore?: Date): AtCommit;
}

/** What a resident told us about themselves, remembered for their next report. */
export interface ResidentProfiles {
  loadProfile(channel: ChannelName, userId: string): Promise<Profile | undefined>;
  /** At commit when the profile was read ahead (the intake), at once otherwise. */
  saveProfile(channel: ChannelName, userId: string, profile: Profile, now: Date): Promise<void>;
}

/** Everything a ticket use case may touch inside one transaction. */
export type TicketTx = TicketRepository &
  IncidentRepository &
  DeadlineRepository &
  ApprovalRepository &
  Outbox &
  ResidentProfiles;

export interface TicketStore {
  transaction<T>(fn: (tx: TicketTx) => Promise<T>): Promise<T>;
}
