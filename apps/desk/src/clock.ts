/** The desk's notion of now: real time, or a clock tests move. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** YYYY-MM-DD of an instant in a time zone (the point's, Moscow by default). */
export function localDate(at: Date, timeZone: string): string {
  return localIso(at, timeZone).slice(0, 10);
}

/** ISO 8601 with the zone's offset, as op bodies carry times ("2026-11-28T12:05:00+03:00"). */
// Building a formatter costs more than the rest of a payment's bookkeeping; one per time zone is kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

export function localIso(at: Date, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, formatter);
  }
  const f = formatter.formatToParts(at);
  const get = (t: string): string => f.find((p) => p.type === t)?.value ?? '';
  const offset = get('timeZoneName').replace('GMT', '') || '+00:00';
  const hour = get('hour') === '24' ? '00' : get('hour');
  return `${get('year')}-${get('month')}-${get('day')}T${hour}:${get('minute')}:${get('second')}${offset === '' ? 'Z' : offset}`;
}
