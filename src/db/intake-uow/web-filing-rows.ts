// The web chat's tickets by source, in the intake's transaction: counted before a ticket is filed, recorded with it.
import type { WebFilings } from '../../intake/ports.js';
import { addressKey } from '../web-filings.js';
import type { Unit } from './unit.js';

export function webFilingRows(u: Unit): WebFilings {
  const { link } = u;
  return {
    async countWebFilings(source, since) {
      const key = addressKey(source.address);
      const today = since.today.getTime();
      const recent = since.recent.getTime();
      // One indexed read for both sources; what this transaction recorded rides before it, so it is counted too.
      const [row] = (await link.run([
        'SELECT' +
          ' SUM(CASE WHEN visitor_id = ? AND filed_ms >= ? THEN 1 ELSE 0 END) AS visitor_today,' +
          ' SUM(CASE WHEN address_key = ? AND filed_ms >= ? THEN 1 ELSE 0 END) AS address_today,' +
          ' SUM(CASE WHEN visitor_id = ? AND filed_ms >= ? THEN 1 ELSE 0 END) AS visitor_recent,' +
          ' SUM(CASE WHEN address_key = ? AND filed_ms >= ? THEN 1 ELSE 0 END) AS address_recent' +
          ' FROM web_chat_filing WHERE filed_ms >= ? AND (visitor_id = ? OR address_key = ?)',
        [
          ...[source.visitor, today, key, today, source.visitor, recent, key, recent],
          Math.min(today, recent),
          source.visitor,
          key,
        ],
      ])) as Record<string, number | string | null>[];
      const n = (v: number | string | null | undefined) => Number(v ?? 0);
      return {
        visitorToday: n(row?.['visitor_today']),
        addressToday: n(row?.['address_today']),
        visitorRecent: n(row?.['visitor_recent']),
        addressRecent: n(row?.['address_recent']),
        addressKey: key,
      };
    },
    recordWebFiling(source, ticketNo, at) {
      return link.later([
        'INSERT INTO web_chat_filing (visitor_id, address_key, ticket_no, filed_ms) VALUES (?, ?, ?, ?)',
        [source.visitor, addressKey(source.address), ticketNo, at.getTime()],
      ]);
    },
  };
}
