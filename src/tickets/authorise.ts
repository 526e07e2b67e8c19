// Who may do what to a ticket, decided once for every channel and the console.
import type { Organisation, ProjectConfig } from '../organisation/index.js';
import type { Actor } from './actor.js';
import { wecomIdOf } from './actor.js';
import type { Approval } from './approval.js';
import { peopleFor } from './notify.js';
import type { Ticket } from './ticket.js';

/** Everyone the organisation config names for a project: roster, role holders, receptionist, notify list. */
export function isStaffOf(project: ProjectConfig, userId: string): boolean {
  return (
    project.receptionist === userId ||
    project.notifyWecomUsers.includes(userId) ||
    project.roster.some((r) => r.user === userId) ||
    Object.values(project.people).some((users) => users.includes(userId))
  );
}

export const isStaff = (org: Organisation, userId: string) => org.projects.some((p) => isStaffOf(p, userId));

const consoleSees = (a: Extract<Actor, { type: 'console' }>, projectCode: string) =>
  a.projects === 'all' || a.projects.includes(projectCode);

/** May the actor work the ticket (accept, arrive, complete, transfer, notes, re-categorise)? */
export function mayWork(actor: Actor, project: ProjectConfig, t?: Pick<Ticket, 'handler' | 'department'>): boolean {
  switch (actor.type) {
    case 'staff':
      return isStaffOf(project, actor.userId);
    case 'console':
      if (!consoleSees(actor, project.code)) return false;
      if (actor.roles.includes('admin') || actor.roles.includes('manager')) return true;
      if (!actor.roles.includes('handler') || t === undefined) return false;
      return (
        t.handler === (actor.wecomUserId ?? actor.userId) || (!!actor.department && t.department === actor.department)
      );
    case 'system':
      return true;
    case 'resident':
      return false;
  }
}

/**
 * 领导批示 and closing a ticket are a manager's: a console manager or admin of the project, a member of staff who holds
 * one of the project's roles (lead, finance…), or a job.
 */
export function mayDirect(actor: Actor, project: ProjectConfig): boolean {
  if (actor.type === 'system') return true;
  if (actor.type === 'console')
    return consoleSees(actor, project.code) && (actor.roles.includes('admin') || actor.roles.includes('manager'));
  if (actor.type === 'staff') return Object.values(project.people).some((users) => users.includes(actor.userId));
  return false;
}

/** Close a collective-complaint incident: managers and admins of its project, and the admin API (a system actor). */
export function mayResolveIncident(actor: Actor, projectCode: string): boolean {
  if (actor.type === 'system') return true;
  if (actor.type !== 'console') return false;
  return consoleSees(actor, projectCode) && (actor.roles.includes('admin') || actor.roles.includes('manager'));
}

/** May the actor decide this approval? Only a holder of its role in the ticket's project (a manager in the console). */
export function mayDecide(actor: Actor, project: ProjectConfig, t: Ticket, a: Approval, now: Date): boolean {
  const wecomId = wecomIdOf(actor);
  if (wecomId && peopleFor(project, a.approverRole, t.department, now).includes(wecomId)) return true;
  return actor.type === 'console' && consoleSees(actor, project.code) && actor.roles.includes('manager');
}

/** The resident's own ticket: the one they filed, on the channel they filed it from. */
export const isOwnTicket = (actor: Actor, t: Pick<Ticket, 'channel' | 'userId'>) =>
  actor.type === 'resident' && t.channel === actor.channel && t.userId === actor.userId;
