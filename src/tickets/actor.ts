// Who acts on a ticket. Every use case takes one and decides from it what is allowed; the timeline records its label.
import type { ChannelName } from '../dialogue/inbound.js';

export type ConsoleRole = 'admin' | 'manager' | 'handler' | 'auditor';

/** A resident on the channel they wrote from. */
export type ResidentActor = { type: 'resident'; channel: ChannelName; userId: string };

export type Actor =
  | ResidentActor
  /** A member of staff by WeCom user id (the app, a card click, later the group bot). */
  | { type: 'staff'; userId: string }
  /** A web-console user; `wecomUserId` links them to the organisation's roles when they have one. */
  | ConsoleActor
  /** A background job or the rules themselves (`rules`, `deadline-scan`, `admin-api`). */
  | { type: 'system'; name: string };

export interface ConsoleActor {
  type: 'console';
  userId: string;
  roles: ConsoleRole[];
  projects: string[] | 'all';
  wecomUserId?: string;
  /** A handler works their own tickets and their department's. */
  department?: string;
}

export const resident = (channel: ChannelName, userId: string): ResidentActor => ({
  type: 'resident',
  channel,
  userId,
});
export const staff = (userId: string): Actor => ({ type: 'staff', userId });
export const system = (name: string): Actor => ({ type: 'system', name });

/** How the timeline names the actor: `wecom:zhangsan`, `mp:openid`, `console:li`, or the job's name. */
export function actorLabel(a: Actor): string {
  switch (a.type) {
    case 'resident':
      return `${a.channel}:${a.userId}`;
    case 'staff':
      return `wecom:${a.userId}`;
    case 'console':
      return `console:${a.userId}`;
    case 'system':
      return a.name;
  }
}

/** The WeCom identity the organisation config knows the actor by, if any: staff and linked console users. */
export function wecomIdOf(a: Actor): string | undefined {
  if (a.type === 'staff') return a.userId;
  if (a.type === 'console') return a.wecomUserId;
  return undefined;
}
