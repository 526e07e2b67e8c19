// Table mappings as EntitySchema: no decorators, so no dependence on emitted design-time metadata (tsx, esbuild).
import { EntitySchema, type ValueTransformer } from 'typeorm';
import type { Approval, Deadline, Incident, Ticket, TicketEvent } from '../tickets/index.js';
import { consoleEntities } from './console-schema.js';
import { ReportRunEntity } from './report-runs.js';
import { sealedJson, sealedText } from './personal-data.js';

const json: ValueTransformer = {
  to: (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v)),
  from: (v: string | null) => (v === null || v === undefined ? null : JSON.parse(v)),
};
const ms = { type: 'datetime', precision: 3 } as const;
const id = { type: 'integer', primary: true, generated: 'increment' } as const;

export interface ResidentRow {
  id: number;
  channel: string;
  userId: string;
  projectCode: string | null;
  name: string | null;
  room: string | null;
  phone: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const ResidentEntity = new EntitySchema<ResidentRow>({
  name: 'Resident',
  tableName: 'resident',
  columns: {
    id,
    channel: { type: 'varchar', length: 16 },
    userId: { name: 'user_id', type: 'varchar', length: 128 },
    projectCode: { name: 'project_code', type: 'varchar', length: 16, nullable: true },
    name: { type: 'varchar', length: 512, nullable: true, transformer: sealedText('resident.name') },
    room: { type: 'varchar', length: 32, nullable: true },
    phone: { type: 'varchar', length: 512, nullable: true, transformer: sealedText('resident.phone') },
    createdAt: { name: 'created_at', ...ms },
    updatedAt: { name: 'updated_at', ...ms },
  },
});

export interface SessionRow {
  channel: string;
  userId: string;
  state: unknown;
  version: number;
  updatedAt: Date;
}

export const SessionEntity = new EntitySchema<SessionRow>({
  name: 'DialogueSession',
  tableName: 'dialogue_session',
  columns: {
    channel: { type: 'varchar', length: 16, primary: true },
    userId: { name: 'user_id', type: 'varchar', length: 128, primary: true },
    state: { type: 'text', transformer: sealedJson('dialogue_session.state') },
    version: { type: 'integer' },
    updatedAt: { name: 'updated_at', ...ms },
  },
});

export interface InboundRow {
  id: number;
  channel: string;
  dedupeKey: string;
  userId: string;
  reply: string | null;
  receivedAt: Date;
}

export const InboundEntity = new EntitySchema<InboundRow>({
  name: 'InboundMessage',
  tableName: 'inbound_message',
  columns: {
    id,
    channel: { type: 'varchar', length: 16 },
    dedupeKey: { name: 'dedupe_key', type: 'varchar', length: 191 },
    userId: { name: 'user_id', type: 'varchar', length: 128 },
    reply: { type: 'text', nullable: true, transformer: sealedText('inbound_message.reply') },
    receivedAt: { name: 'received_at', ...ms },
  },
});

/**
 * The ticket as stored: the domain's ticket plus what the store derives on every write — `building` from the room
 * (the same-fault lookup's index, 0006) and the blind indexes of the phone and the name (0008). Nothing outside the
 * database layer reads them.
 */
export type TicketRow = Ticket & {
  building?: string;
  phoneIndex?: string | null;
  phoneTailIndex?: string | null;
  nameIndex?: string | null;
  /** When the retention job anonymised it (0009); null while it still identifies the resident. */
  anonymisedAt?: Date | null;
};

export const TicketEntity = new EntitySchema<TicketRow>({
  name: 'Ticket',
  tableName: 'ticket',
  columns: {
    id,
    no: { type: 'varchar', length: 32 },
    projectCode: { name: 'project_code', type: 'varchar', length: 16 },
    channel: { type: 'varchar', length: 16 },
    userId: { name: 'user_id', type: 'varchar', length: 128 },
    residentName: {
      name: 'resident_name',
      type: 'varchar',
      length: 512,
      transformer: sealedText('ticket.resident_name'),
    },
    room: { type: 'varchar', length: 32 },
    building: { type: 'varchar', length: 32, nullable: true },
    phone: { type: 'varchar', length: 512, nullable: true, transformer: sealedText('ticket.phone') },
    phoneIndex: { name: 'phone_index', type: 'varchar', length: 32, nullable: true },
    phoneTailIndex: { name: 'phone_tail_index', type: 'varchar', length: 32, nullable: true },
    nameIndex: { name: 'name_index', type: 'varchar', length: 32, nullable: true },
    content: { type: 'text' },
    summary: { type: 'varchar', length: 255 },
    kind: { type: 'varchar', length: 16 },
    category: { type: 'varchar', length: 16 },
    trade: { type: 'varchar', length: 16, nullable: true },
    urgency: { type: 'varchar', length: 16 },
    level: { type: 'varchar', length: 16 },
    confidence: { type: 'float' },
    status: { type: 'varchar', length: 16 },
    receiver: { type: 'varchar', length: 64 },
    images: { type: 'text', transformer: json },
    location: { type: 'text', nullable: true, transformer: sealedJson('ticket.location') },
    causeAnalysis: { name: 'cause_analysis', type: 'text', nullable: true },
    correctiveAction: { name: 'corrective_action', type: 'text', nullable: true },
    handlingOpinion: { name: 'handling_opinion', type: 'text', nullable: true },
    leaderInstruction: { name: 'leader_instruction', type: 'text', nullable: true },
    rulePack: { name: 'rule_pack', type: 'varchar', length: 32 },
    department: { type: 'varchar', length: 32, nullable: true },
    handler: { type: 'varchar', length: 64, nullable: true },
    incidentId: { name: 'incident_id', type: 'integer', nullable: true },
    faultTerms: { name: 'fault_terms', type: 'text', nullable: true, transformer: json },
    // Defaults live in the migrations only: a default declared here makes TypeORM read every inserted row back.
    commonArea: { name: 'common_area', type: 'boolean' },
    rating: { type: 'varchar', length: 16, nullable: true },
    completedAt: { name: 'completed_at', ...ms, nullable: true },
    responseDueAt: { name: 'response_due_at', ...ms },
    createdAt: { name: 'created_at', ...ms },
    updatedAt: { name: 'updated_at', ...ms },
    anonymisedAt: { name: 'anonymised_at', ...ms, nullable: true },
  },
});

export const TicketEventEntity = new EntitySchema<TicketEvent>({
  name: 'TicketEvent',
  tableName: 'ticket_event',
  columns: {
    id,
    ticketId: { name: 'ticket_id', type: 'integer' },
    at: { ...ms },
    type: { type: 'varchar', length: 32 },
    actor: { type: 'varchar', length: 128 },
    data: { type: 'text', nullable: true, transformer: sealedJson('ticket_event.data') },
  },
});

export const IncidentEntity = new EntitySchema<Incident>({
  name: 'Incident',
  tableName: 'incident',
  columns: {
    id,
    projectCode: { name: 'project_code', type: 'varchar', length: 16 },
    category: { type: 'varchar', length: 16 },
    trade: { type: 'varchar', length: 16, nullable: true },
    title: { type: 'varchar', length: 255 },
    status: { type: 'varchar', length: 16 },
    level: { type: 'varchar', length: 16 },
    residents: { type: 'integer' },
    resolution: { type: 'text', nullable: true },
    createdAt: { name: 'created_at', ...ms },
    updatedAt: { name: 'updated_at', ...ms },
    resolvedAt: { name: 'resolved_at', ...ms, nullable: true },
  },
});

export const ApprovalEntity = new EntitySchema<Approval>({
  name: 'Approval',
  tableName: 'approval',
  columns: {
    id,
    ticketId: { name: 'ticket_id', type: 'integer' },
    kind: { type: 'varchar', length: 32 },
    question: { type: 'varchar', length: 255 },
    proposal: { type: 'text', transformer: json },
    approverRole: { name: 'approver_role', type: 'varchar', length: 32 },
    status: { type: 'varchar', length: 16 },
    decidedBy: { name: 'decided_by', type: 'varchar', length: 64, nullable: true },
    decidedAt: { name: 'decided_at', ...ms, nullable: true },
    reason: { type: 'text', nullable: true },
    createdAt: { name: 'created_at', ...ms },
  },
});

export interface LeaseRow {
  name: string;
  holder: string;
  expiresAt: Date;
}

export const LeaseEntity = new EntitySchema<LeaseRow>({
  name: 'JobLease',
  tableName: 'job_lease',
  columns: {
    name: { type: 'varchar', length: 64, primary: true },
    holder: { type: 'varchar', length: 128 },
    expiresAt: { name: 'expires_at', ...ms },
  },
});

/**
 * A deadline as stored: with the scan's own bookkeeping, which the domain's Deadline does not know
 * (alerts/deadline-scan reads and writes it through the store's deadline reads and updates).
 */
export interface DeadlineRow extends Deadline {
  /** How many scans in a row could not handle this deadline (0 once one succeeds). */
  scanFailures: number;
  /** Why the last of them failed; null once one succeeds. */
  scanError: string | null;
}

export const DeadlineEntity = new EntitySchema<DeadlineRow>({
  name: 'TicketDeadline',
  tableName: 'ticket_deadline',
  columns: {
    id,
    ticketId: { name: 'ticket_id', type: 'integer' },
    kind: { type: 'varchar', length: 32 },
    label: { type: 'varchar', length: 64 },
    dueAt: { name: 'due_at', ...ms },
    warnAt: { name: 'warn_at', ...ms, nullable: true },
    nextCheckAt: { name: 'next_check_at', ...ms, nullable: true },
    stage: { type: 'varchar', length: 16 },
    // Defaults live in the migrations only (see TicketEntity.commonArea).
    escalationStep: { name: 'escalation_step', type: 'integer' },
    urgent: { type: 'boolean' },
    notify: { type: 'text', transformer: json },
    upgradeTo: { name: 'upgrade_to', type: 'varchar', length: 16, nullable: true },
    metAt: { name: 'met_at', ...ms, nullable: true },
    createdAt: { name: 'created_at', ...ms },
    scanFailures: { name: 'scan_failures', type: 'integer', default: 0 },
    scanError: { name: 'scan_error', type: 'text', nullable: true },
  },
});

export interface CounterRow {
  scope: string;
  seq: number;
}

export const CounterEntity = new EntitySchema<CounterRow>({
  name: 'TicketCounter',
  tableName: 'ticket_counter',
  columns: { scope: { type: 'varchar', length: 64, primary: true }, seq: { type: 'integer' } },
});

export interface OutboxRow {
  id: number;
  dedupeKey: string;
  channel: string;
  recipient: string;
  payload: unknown;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  nextAttemptAt: Date;
  lockedBy: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export const OutboxEntity = new EntitySchema<OutboxRow>({
  name: 'Outbox',
  tableName: 'outbox',
  columns: {
    id,
    dedupeKey: { name: 'dedupe_key', type: 'varchar', length: 191 },
    channel: { type: 'varchar', length: 16 },
    recipient: { type: 'varchar', length: 255 },
    payload: { type: 'text', transformer: sealedJson('outbox.payload') },
    status: { type: 'varchar', length: 16 },
    attempts: { type: 'integer' },
    nextAttemptAt: { name: 'next_attempt_at', ...ms },
    lockedBy: { name: 'locked_by', type: 'varchar', length: 64, nullable: true },
    lockedUntil: { name: 'locked_until', ...ms, nullable: true },
    lastError: { name: 'last_error', type: 'text', nullable: true },
    createdAt: { name: 'created_at', ...ms },
    sentAt: { name: 'sent_at', ...ms, nullable: true },
  },
});

export interface AccessTokenRow {
  key: string;
  token: string;
  expiresAt: Date;
}

export const AccessTokenEntity = new EntitySchema<AccessTokenRow>({
  name: 'AccessToken',
  tableName: 'access_token',
  columns: {
    key: { type: 'varchar', length: 128, primary: true },
    token: { type: 'text' },
    expiresAt: { name: 'expires_at', ...ms },
  },
});

export const entities = [
  ResidentEntity,
  SessionEntity,
  InboundEntity,
  TicketEntity,
  TicketEventEntity,
  IncidentEntity,
  DeadlineEntity,
  LeaseEntity,
  ApprovalEntity,
  CounterEntity,
  OutboxEntity,
  AccessTokenEntity,
  ...consoleEntities,
  ReportRunEntity,
];
