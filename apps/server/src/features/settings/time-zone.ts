/** The organisation's time zone (a global setting): where a "day" of reports and the overview begins. */
import type { Database } from '../../db/database.ts';

export async function organisationTimeZone(db: Database): Promise<string> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', 'timeZone').where('scope', '=', 'global').executeTakeFirst();
  return typeof row?.value === 'string' ? row.value : 'Europe/Moscow';
}

export function todayIn(timeZone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
