/** Money, dates and ages as a person in Russia reads them, the same on both screens. */
import { formatRub, parseRub } from '@paydesk/domain';

export { formatRub, parseRub };

export function money(kop: number | null | undefined): string {
  return kop === null || kop === undefined ? '—' : formatRub(kop);
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('ru-RU', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A date (YYYY-MM-DD or an ISO time) as 28.11.2026, never the US 11/28/2026. */
export function date(value: string | null | undefined): string {
  if (!value) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) return `${m[3]}.${m[2]}.${m[1]}`;
  return new Date(value).toLocaleDateString('ru-RU', { day: '2-digit', month: '2-digit', year: 'numeric' });
}

/** How long ago, in words: «только что», «5 мин назад», «3 ч 10 мин назад», «2 дн назад»; «никогда» for none. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'никогда';
  const minutes = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 60_000));
  if (minutes < 1) return 'только что';
  if (minutes < 60) return `${minutes} мин назад`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} ч ${minutes % 60} мин назад`;
  return `${Math.floor(hours / 24)} дн назад`;
}
