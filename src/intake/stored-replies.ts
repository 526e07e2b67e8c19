// The replies to a message are stored with its id, so a platform retry gets exactly the same answer.
import type { Reply } from '../dialogue/inbound.js';

export const encodeReplies = (replies: Reply[]): string => JSON.stringify(replies);

/** Rows written before replies were structured hold the plain text, its messages separated by a blank line. */
export function decodeReplies(stored: string | null): Reply[] {
  if (!stored) return [];
  if (stored.startsWith('[')) {
    try {
      return JSON.parse(stored) as Reply[];
    } catch {
      // Not ours after all: a plain reply that starts with a bracket.
    }
  }
  return stored.split('\n\n').map((t) => ({ type: 'text', text: t }));
}
