/** Money, times and ages as a cashier reads them: the shared formatting, and what only the cashier's forms need. */
import { formatRub, parseRub } from '@paydesk/ui-kit';

export { dateTime, formatRub, meterValue, money, parseRub } from '@paydesk/ui-kit';

/** Kopecks as an editable field shows them: "1234,56", no grouping, no symbol. */
export function kopToInput(kop: number): string {
  return formatRub(kop, { symbol: false }).replace(/\u00a0/g, '');
}

/** What the cashier typed, in kopecks; null when it does not read as money. */
export function inputToKop(text: string): number | null {
  if (text.trim() === '') return null;
  const r = parseRub(text);
  return r.ok && r.kop >= 0 ? r.kop : null;
}

export function age(fromIso: string | null, now = Date.now(), lang = 'ru'): string {
  if (!fromIso) return '';
  const minutes = Math.max(0, Math.floor((now - new Date(fromIso).getTime()) / 60_000));
  return duration(minutes, lang);
}

export function duration(minutes: number, lang = 'ru'): string {
  const ru = lang === 'ru';
  if (minutes < 1) return ru ? 'меньше минуты' : 'under a minute';
  if (minutes < 60) return ru ? `${minutes} мин` : `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h < 48) return ru ? `${h} ч ${m} мин` : `${h} h ${m} min`;
  return ru ? `${Math.floor(h / 24)} дн` : `${Math.floor(h / 24)} d`;
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleTimeString('ru-RU', { hour: '2-digit', minute: '2-digit' });
}

export function period(p: string): string {
  const [y, m] = p.split('-');
  return `${m}.${y}`;
}

/** A phone number as it is being typed: +7 (916) 111-22-33. */
export function formatPhone(text: string): string {
  // The "+7" this function put in front is not part of what the cashier typed.
  let d = text.trim().replace(/^\+7/, '').replace(/\D/g, '').slice(0, 11);
  if (d.length === 11 && (d.startsWith('7') || d.startsWith('8'))) d = d.slice(1);
  d = d.slice(0, 10);
  const parts = [d.slice(0, 3), d.slice(3, 6), d.slice(6, 8), d.slice(8, 10)];
  let out = '+7';
  if (parts[0]) out += ` (${parts[0]}${parts[0].length === 3 ? ')' : ''}`;
  if (parts[1]) out += ` ${parts[1]}`;
  if (parts[2]) out += `-${parts[2]}`;
  if (parts[3]) out += `-${parts[3]}`;
  return out;
}

/** A register driver as a cashier reads it, never its code. */
export function driverName(code: string | null | undefined): string {
  const names: Record<string, string> = { virtual: 'Виртуальная (демо)', atol: 'АТОЛ (Web-сервер ДТО)', kkmserver: 'KKMServer' };
  return code ? (names[code] ?? code) : '—';
}

/** A tax system (СНО) in the words of the receipt's law, never its code. */
export function taxSystemName(code: string | null | undefined): string {
  const names: Record<string, string> = {
    osn: 'общая (ОСН)',
    usn_income: 'упрощённая, доходы (УСН)',
    usn_income_outcome: 'упрощённая, доходы минус расходы (УСН)',
    esn: 'единый сельхозналог (ЕСХН)',
    patent: 'патентная (ПСН)',
  };
  return code ? (names[code] ?? code) : '—';
}
