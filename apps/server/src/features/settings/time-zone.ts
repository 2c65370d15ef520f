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
