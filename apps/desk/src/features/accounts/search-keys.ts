/**
 * Search keys for addresses and names as cashiers type them: "ленина 10 5", "ул. Ленина, д.10,
 * кв.5", "Иванов". Keys are lower case, ё as е, without street-type words and punctuation, so a
 * prefix of what the cashier typed is a range on an index.
 */
import { normalizeGisId } from '@paydesk/domain';

const STREET_WORDS = new Set([
  'ул', 'улица', 'пр', 'просп', 'проспект', 'пр-т', 'пер', 'переулок', 'пл', 'площадь', 'б-р', 'бул', 'бульвар', 'ш', 'шоссе', 'наб', 'набережная',
  'мкр', 'микрорайон', 'проезд', 'пр-д', 'туп', 'тупик', 'тракт', 'аллея', 'линия', 'кв-л', 'квартал',
]);
const HOUSE_WORDS = /^(д|дом|к|корп|корпус|стр|строение|кв|квартира|г|город)$/;

export function fold(text: string): string {
  return text.toLowerCase().replace(/ё/g, 'е').replace(/[.,;:"«»()]/g, ' ').replace(/\s+/g, ' ').trim();
}

export function streetKey(street: string | null): string | null {
  if (!street) return null;
  const words = fold(street).split(' ').filter((w) => w && !STREET_WORDS.has(w));
  return words.join(' ') || null;
}

export function houseKey(text: string | null): string | null {
  if (!text) return null;
  const k = fold(text).replace(/^(д|дом|кв|квартира)\s*/, '').replace(/\s+/g, '');
  return k || null;
}

export function ownerKey(name: string | null): string | null {
  return name ? fold(name) || null : null;
}

/** The house key with its building: "10" + "2" → "10к2", as people write it. */
export function houseWithBuilding(house: string | null, building: string | null): string | null {
  const h = houseKey(house);
  if (!h) return null;
  const b = houseKey(building);
  return b ? `${h}к${b}` : h;
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
  for (const t of tokens) {
    if (STREET_WORDS.has(t) || HOUSE_WORDS.test(t)) continue;
    const glued = /^(д|кв)(\d.*)$/.exec(t);
    if (glued) numbers.push(glued[2] as string);
    else if (/^\d/.test(t)) numbers.push(t);
    else if (words.length === 0 || numbers.length === 0) words.push(t);
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
