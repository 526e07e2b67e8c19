// Ticket model and the pure rules around it: numbering, promised response time, timeline events.
import type { Intake } from '../dialogue/index.js';
import { maskPersonalText } from '../lib/masking.js';
import type { Classification } from '../rules/index.js';

export type Rating = 'satisfied' | 'neutral' | 'unsatisfied';

export type TicketStatus = 'open' | 'assigned' | 'in_progress' | 'resolved' | 'closed' | 'cancelled';

export interface Ticket extends Classification {
  id: number;
  no: string;
  projectCode: string;
  channel: string;
  userId: string;
  residentName: string;
  room: string;
  phone: string | null;
  content: string;
  summary: string;
  status: TicketStatus;
  /** 接报人: the first-contact owner who follows the ticket to the end (谁受理谁跟进谁回复). */
  receiver: string;
  images: string[];
  location: { lat: number; lng: number; label?: string } | null;
  causeAnalysis: string | null;
  correctiveAction: string | null;
  handlingOpinion: string | null;
  leaderInstruction: string | null;
  /** The rule pack that classified, graded and routed it (the project's policy). */
  rulePack: string;
  department: string | null;
  /** The on-duty person of the department when it was routed. */
  handler: string | null;
  /** The collective-complaint incident it belongs to, if other residents reported the same fault. */
  incidentId: number | null;
  /** Words that name the fault ("电梯", "漏水"), compared across residents to find the same fault. */
  faultTerms: string[] | null;
  /** The report is about a shared facility (lift, gate, the building's supply), not something inside one home. */
  commonArea: boolean;
  /** The resident's answer to the satisfaction question (003 §2.5.1). */
  rating: Rating | null;
  completedAt: Date | null;
  responseDueAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export type NewTicket = Omit<Ticket, 'id'>;

export interface TicketEvent {
  id?: number;
  ticketId: number;
  at: Date;
  type:
    | 'created'
    | 'updated'
    | 'attached'
    | 'cancelled'
    | 'notified'
    | 'graded'
    | 'routed'
    | 'incident'
    | 'reclassified'
    | 'resolved'
    | 'accepted'
    | 'arrived'
    | 'completed'
    | 'transferred'
    | 'approval_requested'
    | 'approved'
    | 'rejected'
    | 'rated'
    | 'reopened'
    | 'closed';
  actor: string;
  data: Record<string, string | number | boolean | null | string[]> | null;
}

/** Calendar day in Asia/Shanghai as YYYYMMDD, whatever the server's time zone. */
export function shanghaiDay(at: Date): string {
  const d = new Date(at.getTime() + 8 * 3600_000);
  return d.toISOString().slice(0, 10).replaceAll('-', '');
}

/** The moment the Asia/Shanghai calendar day of `at` began (China keeps no daylight saving time). */
export function shanghaiDayStart(at: Date): Date {
  const day = 86_400_000;
  const offset = 8 * 3600_000;
  return new Date(Math.floor((at.getTime() + offset) / day) * day - offset);
}

export const counterScope = (prefix: string, at: Date) => `${prefix}-${shanghaiDay(at)}`;

export function formatTicketNo(prefix: string, at: Date, seq: number): string {
  return `${prefix}-${shanghaiDay(at)}-${String(seq).padStart(4, '0')}`;
}

export interface TicketPolicy {
  ticketPrefix: string;
  receptionist: string;
  responseMinutes: { emergency: number; normal: number };
}

export function ticketFromIntake(
  intake: Intake,
  who: { channel: string; userId: string },
  no: string,
  policy: TicketPolicy,
  now: Date,
): NewTicket {
  const c = intake.classification;
  const minutes = policy.responseMinutes[c.urgency];
  return {
    no,
    projectCode: intake.projectCode,
    channel: who.channel,
    userId: who.userId,
    residentName: intake.name,
    room: intake.room,
    phone: intake.phone ?? null,
    // The resident's own name and any mobile number in their words are masked: the name and phone are kept (sealed) in
    // their own fields, and the text travels on to alerts, reviews and reports.
    content: maskPersonalText(intake.problem, intake),
    summary: maskPersonalText(intake.summary, intake),
    kind: c.kind,
    category: c.category,
    trade: c.trade,
    urgency: c.urgency,
    level: c.level,
    confidence: c.confidence,
    status: 'open',
    receiver: policy.receptionist,
    images: intake.images,
    location: intake.location ?? null,
    causeAnalysis: null,
    correctiveAction: null,
    handlingOpinion: null,
    leaderInstruction: null,
    rulePack: c.pack,
    department: null,
    handler: null,
    incidentId: null,
    faultTerms: c.faultTerms,
    commonArea: c.commonArea,
    rating: null,
    completedAt: null,
    responseDueAt: new Date(now.getTime() + minutes * 60_000),
    createdAt: now,
    updatedAt: now,
  };
}

export const canResidentCancel = (t: Pick<Ticket, 'status'>) => t.status === 'open';
