/**
 * Search keys for addresses and names as cashiers type them: "ленина 10 5", "ленина 10-5", "ул.
 * Ленина, д.10, кв.5", "Иванов". Keys are lower case, ё as е, without street-type words and punctuation, so a
 * prefix of what the cashier typed is a range on an index.
 */
import { normalizeGisId } from '@paydesk/domain';

const STREET_WORDS = new Set([
  'ул',
  'улица',
  'пр',
  'просп',
  'проспект',
  'пр-т',
  'пер',
  'переулок',
  'пл',
  'площадь',
  'б-р',
  'бул',
  'бульвар',
  'ш',
  'шоссе',
  'наб',
  'набережная',
  'мкр',
  'микрорайон',
  'проезд',
  'пр-д',
  'туп',
  'тупик',
  'тракт',
  'аллея',
  'линия',
  'кв-л',
  'квартал',
]);
const HOUSE_WORDS = /^(д|дом|к|корп|корпус|стр|строение|кв|квартира|г|город)$/;

export function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[.,;:"«»()]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function streetKey(street: string | null): string | null {
  if (!street) return null;
  const words = fold(street)
    .split(' ')
    .filter((w) => w && !STREET_WORDS.has(w));
  return words.join(' ') || null;
}

/** Building markers as people write them, to one letter: корпус → к, строение → с. */
const BUILDING = /\s*(корпус|корп|кор|к)\s*(?=[\dа-яa-z])/g;
const STRUCTURE = /\s*(строение|стр|с)\s*(?=\d)/g;

export function houseKey(text: string | null): string | null {
  if (!text) return null;
  const k = fold(text)
    .replace(/^(д|дом|кв|квартира)\s*/, '')
    .replace(BUILDING, 'к')
    .replace(STRUCTURE, 'с')
    .replace(/\s+/g, '');
  return k || null;
}

/** A building field on its own ("корп. 2", "2", "стр. 1"): its marker and its value. */
function buildingKey(text: string | null): string | null {
  if (!text) return null;
  const k = fold(text).replace(/\s+/g, '');
  if (!k) return null;
  if (/^(корпус|корп|кор|к)/.test(k)) return `к${k.replace(/^(корпус|корп|кор|к)/, '')}`;
  if (/^(строение|стр|с)\d/.test(k)) return `с${k.replace(/^(строение|стр|с)/, '')}`;
  return `к${k}`;
}

export function ownerKey(name: string | null): string | null {
  return name ? fold(name) || null : null;
}

/** The house key with its building: "10" + "2" → "10к2", "5" + "стр. 1" → "5с1", as people write it. */
export function houseWithBuilding(house: string | null, building: string | null): string | null {
  const h = houseKey(house);
  if (!h) return null;
  const b = buildingKey(building);
  return b ? `${h}${b}` : h;
}

/**
 * The keys a typed house matches: exactly a building when one was typed ("10к2"), else the house and
 * all its buildings and letters ("10" → 10, 10к2, 10а, 10/1 — not 100).
 */
export function houseRange(house: string): { exact: string; from: string | null; to: string | null; slash: [string, string] | null } {
  if (/\D/.test(house)) return { exact: house, from: null, to: null, slash: null };
  // Digits sort below ':' and letters above it, so [house+':', house+'\uffff') holds "10а", "10к2" but not "100".
  return { exact: house, from: `${house}:`, to: `${house}\uffff`, slash: [`${house}/`, `${house}0`] };
}

export interface SearchPlan {
  /** All digits: an account number prefix. */
  numberPrefix: string | null;
  els: string | null;
  /** Words: a prefix of the street or of the owner's name. */
  words: string | null;
  house: string | null;
  flat: string | null;
}

export function planSearch(q: string): SearchPlan {
  const text = q.trim();
  const compact = text.replace(/\s+/g, '');
  const plan: SearchPlan = { numberPrefix: null, els: null, words: null, house: null, flat: null };
  if (/^\d[\d-]*$/.test(compact) && compact.replace(/-/g, '').length >= 1 && !/\s/.test(text.replace(/-/g, ''))) {
    plan.numberPrefix = compact;
    return plan;
  }
  const els = /^(\d{2}[а-яёa-z]{2}\d{6})(-\d{2}(-\d{4})?)?$/iu.exec(compact);
  if (els) {
    plan.els = normalizeGisId(els[1] as string);
    return plan;
  }
  const tokens = fold(text).split(' ').filter(Boolean);
  const words: string[] = [];
  const numbers: string[] = [];
  let marker: 'к' | 'с' | null = null;
  for (const t of tokens) {
    // A building after the house ("10 к2", "10 корп 2", "5 стр 1", "10 к 2") joins the house.
    const building = numbers.length === 1 ? /^(корпус|корп|кор|к|строение|стр|с)(\d.*)?$/.exec(t) : null;
    if (building) {
      const m = building[1]?.startsWith('с') ? 'с' : 'к';
      if (building[2]) numbers[0] = `${numbers[0] as string}${m}${building[2]}`;
      else marker = m;
      continue;
    }
    if (STREET_WORDS.has(t) || HOUSE_WORDS.test(t)) continue;
    // A house and its flat joined by a dash, as on envelopes: "3-2", "д3-2", "10к2-15".
    const dashed = numbers.length === 0 ? /^д?(\d[^-]*)-(\d+)$/.exec(t) : null;
    const glued = /^(д|кв)(\d.*)$/.exec(t);
    if (dashed) numbers.push(houseKey(dashed[1] as string) ?? (dashed[1] as string), dashed[2] as string);
    else if (glued) numbers.push(glued[2] as string);
    else if (/^\d/.test(t)) {
      if (marker && numbers.length === 1) {
        numbers[0] = `${numbers[0] as string}${marker}${t}`;
        marker = null;
      } else numbers.push(houseKey(t) ?? t);
    } else if (words.length === 0 || numbers.length === 0) words.push(t);
  }
  plan.words = words.length ? words.join(' ') : null;
  plan.house = numbers[0] ?? null;
  plan.flat = numbers[1] ?? null;
  if (!plan.words && plan.house) {
    // Digits with spaces ("123 45"): an account number typed with a space.
    plan.numberPrefix = numbers.join('');
    plan.house = null;
    plan.flat = null;
  }
  return plan;
}
