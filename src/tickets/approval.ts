// Decisions a manager takes in chat: a level upgrade, a plan (003 §2.3.3), a compensation (mall: finance). Pure.
export type ApprovalKind = 'level_upgrade' | 'plan' | 'compensation';
export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

export interface Approval {
  id: number;
  ticketId: number;
  kind: ApprovalKind;
  /** What the card asks, e.g. "升级为热点事件并通报品质部？". */
  question: string;
  /** What approval puts into effect, e.g. {from: 'general', to: 'hot'}. */
  proposal: Record<string, string>;
  /** Who may decide: a role of the organisation config (lead, finance…). */
  approverRole: string;
  status: ApprovalStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
  reason: string | null;
  createdAt: Date;
}

export type NewApproval = Omit<Approval, 'id'>;
