/** Money and times as the back office reads them: the shared formatting of both UIs. */
export { ago, date, dateTime, formatRub, meterValue, money, parseRub, time } from '@paydesk/ui-kit';

export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
