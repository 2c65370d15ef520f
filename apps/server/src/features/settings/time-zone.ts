/** The organisation's time zone (a global setting): where a "day" of reports and the overview begins. */
import { DEFAULT_SETTINGS } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';

export async function organisationTimeZone(db: Database): Promise<string> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', 'timeZone')
    .where('scope', '=', 'global')
    .executeTakeFirst();
  return typeof row?.value === 'string' ? row.value : DEFAULT_SETTINGS.timeZone;
}

export function todayIn(timeZone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** A moment as the organisation's clocks show it, RFC 3339 with the zone's offset: 2026-11-28T09:05:00+03:00. */
export function isoInZone(timeZone: string, at: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  // "GMT+03:00", or "GMT" for a zone at UTC.
  const offset = (parts['timeZoneName'] ?? 'GMT').replace('GMT', '') || '+00:00';
  return `${parts['year']}-${parts['month']}-${parts['day']}T${parts['hour']}:${parts['minute']}:${parts['second']}${offset}`;
}

/** The zone's offset from UTC at a moment, in milliseconds (+05:00 → 18 000 000). */
function offsetMsAt(timeZone: string, at: Date): number {
  const m = /([+-])(\d{2}):(\d{2})$/.exec(isoInZone(timeZone, at));
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000 : 0;
}

/** The moment a calendar day (YYYY-MM-DD) begins on the zone's clocks. */
function midnightIn(timeZone: string, date: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1);
  // Twice: the offset at the first guess may differ from the one at midnight itself (a zone that moved).
  let at = wall - offsetMsAt(timeZone, new Date(wall));
  at = wall - offsetMsAt(timeZone, new Date(at));
  return new Date(at);
}

/** A day of the organisation as [start, end): what its registries and batches hold. */
export function dayBoundsIn(timeZone: string, date: string): [Date, Date] {
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return [midnightIn(timeZone, date), midnightIn(timeZone, next)];
}
