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

/** The time of day, 14:05, for something that happened today. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleTimeString('ru-RU', { hour: '2-digit', minute: '2-digit' });
}

/** A date (YYYY-MM-DD or an ISO time) as 28.11.2026, never the US 11/28/2026. */
export function date(value: string | null | undefined): string {
  if (!value) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) return `${m[3]}.${m[2]}.${m[1]}`;
  return new Date(value).toLocaleDateString('ru-RU', { day: '2-digit', month: '2-digit', year: 'numeric' });
}

/** How long ago, in words: «только что», «40 с назад», «5 мин назад», «3 ч 10 мин назад», «2 дн назад»; «никогда» for none. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'никогда';
  const seconds = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 1000));
  // «только что» only for what is a moment old: a desk silent for 40 s is not «just now».
  if (seconds < 5) return 'только что';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return `${seconds} с назад`;
  if (minutes < 60) return `${minutes} мин назад`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} ч ${minutes % 60} мин назад`;
  return `${Math.floor(hours / 24)} дн назад`;
}

/** 28.11.2026, 28.11.26, 1.2.2026 or 28112026 as the ISO day; null when it is no real date. */
export function parseRuDate(text: string): string | null {
  const t = text.trim();
  const m = /^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})$/.exec(t) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(t);
  if (!m) return null;
  const day = Number(m[1]);
  const month = Number(m[2]);
  const year = m[3]?.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return d.toISOString().slice(0, 10);
}

/** A meter value or a consumption ("189.3", "189,300", "99100") as people read it: «189,3», «99 100» — one decimal mark everywhere. */
export function meterValue(text: string | null | undefined): string {
  if (text === null || text === undefined || text === '') return '—';
  const [whole = '', frac = ''] = text.trim().split(/[.,]/);
  const shownFrac = frac.replace(/0+$/, '');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0')}${shownFrac ? `,${shownFrac}` : ''}`;
}
