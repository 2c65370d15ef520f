/**
 * A town that looks real, made the same way every time (a fixed seed): streets and houses of
 * Новоградск, a few thousand accounts, the suppliers of housing and utilities with their services,
 * several months of charges with arrears and penalties for some, meters of several kinds, the
 * third-party providers the simulator plays, and the point's price list. Files are the billing's
 * import layouts (docs/integration.md), so the demo loads them the way a billing would.
 */

const STREETS = [
  'Ленина',
  'Мира',
  'Советская',
  'Гагарина',
  'Молодёжная',
  'Садовая',
  'Школьная',
  'Лесная',
  'Набережная',
  'Октябрьская',
  'Пушкина',
  'Комсомольская',
];
const SURNAMES = [
  'Иванов',
  'Смирнов',
  'Кузнецов',
  'Попов',
  'Васильев',
  'Петров',
  'Соколов',
  'Михайлов',
  'Новиков',
  'Фёдоров',
  'Морозов',
  'Волков',
  'Алексеев',
  'Лебедев',
  'Семёнов',
  'Егоров',
  'Павлов',
  'Козлов',
  'Степанов',
  'Николаев',
];
const INITIALS = ['А.А.', 'В.И.', 'Н.П.', 'Е.С.', 'О.В.', 'М.Ю.', 'Т.Н.', 'С.Г.', 'Л.М.', 'И.Д.'];
export const CITY = 'Новоградск';

/** Park–Miller: small, deterministic, good enough to scatter a town. */
export function random(seed: number): () => number {
  let s = seed % 2_147_483_647 || 1;
  return () => {
    s = (s * 48_271) % 2_147_483_647;
    return s / 2_147_483_647;
  };
}

/** A 10-digit ИНН of an organisation with its check digit. */
export function innOf(first9: string): string {
  const w = [2, 4, 10, 3, 5, 9, 4, 6, 8];
  const sum = w.reduce((s, k, i) => s + k * Number(first9[i]), 0);
  return `${first9}${(sum % 11) % 10}`;
}

export interface SupplierSeed {
  key: string;
  name: string;
  inn: string;
  kpp: string;
  phone: string;
  bankName: string;
  bic: string;
  account: string;
  corrAccount: string;
  commission: Record<string, unknown>;
  agentType: 'paying_agent' | 'paying_subagent';
}

const SBER = { bankName: 'ПАО Сбербанк', bic: '044525225', corrAccount: '30101810400000000225' };

export const SUPPLIERS: SupplierSeed[] = [
  {
    key: 'uk',
    name: 'ООО «УК Жилкомсервис»',
    inn: innOf('540612345'),
    kpp: '540601001',
    phone: '+73832000101',
    ...SBER,
    account: '40702810944050001001',
    commission: { kind: 'none', mode: 'on_top' },
    agentType: 'paying_agent',
  },
  {
    key: 'water',
    name: 'МУП «Горводоканал»',
    inn: innOf('540698765'),
    kpp: '540601001',
    phone: '+73832000202',
    ...SBER,
    account: '40702810944050002002',
    commission: { kind: 'percent', mode: 'on_top', rateBp: 100 },
    agentType: 'paying_agent',
  },
  {
    key: 'heat',
    name: 'АО «Новоградская теплосеть»',
    inn: innOf('540655511'),
    kpp: '540601001',
    phone: '+73832000303',
    ...SBER,
    account: '40702810944050003003',
    commission: { kind: 'none', mode: 'on_top' },
    agentType: 'paying_agent',
  },
  {
    key: 'power',
    name: 'ПАО «Новоградскэнергосбыт»',
    inn: innOf('540633322'),
    kpp: '540601001',
    phone: '+73832000404',
    ...SBER,
    account: '40702810944050004004',
    commission: { kind: 'percent', mode: 'on_top', rateBp: 150, minKop: 1_000 },
    agentType: 'paying_agent',
  },
  {
    key: 'tko',
    name: 'ООО «ЭкоРегион» (вывоз ТКО)',
    inn: innOf('540677744'),
    kpp: '540601001',
    phone: '+73832000505',
    ...SBER,
    account: '40702810944050005005',
    commission: { kind: 'fixed', mode: 'on_top', amountKop: 1_500 },
    agentType: 'paying_agent',
  },
];

export interface ServiceSeed {
  code: string;
  name: string;
  supplier: string;
  unit: string | null;
  /** Typical monthly charge range, kopecks. */
  range: [number, number];
  /** Only in the heating season. */
  heating?: boolean;
}

export const SERVICES: ServiceSeed[] = [
  { code: 'MAINT', name: 'Содержание и ремонт жилья', supplier: 'uk', unit: 'м²', range: [120_000, 320_000] },
  { code: 'CW', name: 'Холодное водоснабжение', supplier: 'water', unit: 'м³', range: [25_000, 75_000] },
  { code: 'SEWER', name: 'Водоотведение', supplier: 'water', unit: 'м³', range: [20_000, 55_000] },
  { code: 'HEAT', name: 'Отопление', supplier: 'heat', unit: 'Гкал', range: [180_000, 420_000], heating: true },
  { code: 'HW', name: 'Горячее водоснабжение', supplier: 'heat', unit: 'м³', range: [40_000, 120_000] },
  { code: 'ELEC', name: 'Электроэнергия', supplier: 'power', unit: 'кВт·ч', range: [45_000, 160_000] },
  { code: 'TKO', name: 'Обращение с ТКО', supplier: 'tko', unit: null, range: [15_000, 32_000] },
];

export const PROVIDERS = [
  {
    code: 'MTS',
    name: 'МТС',
    category: 'Мобильная связь',
    inn: '7740000076',
    phone: '+78002500890',
    accountLabel: 'Номер телефона',
    // The operator's own DEF codes (910–919, 980–989), so a number typed at the desk finds its operator.
    accountMask: '^9(1\\d|8\\d)\\d{7}$',
    accountExample: '9161112233',
    normalize: 'phone',
    minKop: 1_000,
    maxKop: 1_500_000,
    commission: { kind: 'percent', mode: 'on_top', rateBp: 200 },
    agentType: 'paying_subagent',
    checkRequired: false,
    offlineAllowed: true,
    canCancel: false,
  },
  {
    code: 'BEELINE',
    name: 'Билайн',
    category: 'Мобильная связь',
    inn: '7713076301',
    phone: '+78007000611',
    accountLabel: 'Номер телефона',
    accountMask: '^9(0\\d|6\\d)\\d{7}$',
    accountExample: '9031234567',
    normalize: 'phone',
    minKop: 1_000,
    maxKop: 1_500_000,
    commission: { kind: 'percent', mode: 'on_top', rateBp: 200, minKop: 500 },
    agentType: 'paying_subagent',
    checkRequired: false,
    offlineAllowed: true,
    canCancel: false,
  },
  {
    code: 'DOMOFON',
    name: 'ООО «Домофон-Сервис»',
    category: 'Домофон и охрана',
    inn: innOf('540611177'),
    phone: '+73832000606',
    accountLabel: 'Номер договора',
    accountMask: '^\\d{6}$',
    accountExample: '100501',
    normalize: 'digits',
    minKop: 5_000,
    maxKop: 500_000,
    commission: { kind: 'fixed', mode: 'on_top', amountKop: 2_000 },
    agentType: 'paying_agent',
    checkRequired: true,
    offlineAllowed: false,
    canCancel: true,
  },
  {
    code: 'NETLINE',
    name: 'Нетлайн (интернет)',
    category: 'Интернет и ТВ',
    inn: innOf('540622288'),
    phone: '+73832000707',
    accountLabel: 'Лицевой счёт',
    accountMask: '^\\d{8}$',
    accountExample: '20045678',
    normalize: 'digits',
    minKop: 10_000,
    maxKop: 3_000_000,
    commission: { kind: 'none', mode: 'on_top' },
    agentType: 'paying_agent',
    checkRequired: false,
    offlineAllowed: true,
    canCancel: false,
  },
];

export const PRICE_ITEMS = [
  { code: 'COPY_A4', name: 'Ксерокопия А4', priceKop: 1_500, unit: 'лист', vat: 'none' },
  { code: 'PRINT_A4', name: 'Распечатка А4', priceKop: 2_000, unit: 'лист', vat: 'none' },
  { code: 'FAX', name: 'Отправка факса', priceKop: 5_000, unit: 'лист', vat: 'none' },
  { code: 'PLUMBER', name: 'Вызов сантехника', priceKop: 50_000, unit: 'вызов', vat: 'none' },
  { code: 'ELECTRICIAN', name: 'Вызов электрика', priceKop: 50_000, unit: 'вызов', vat: 'none' },
  { code: 'CERT', name: 'Справка о составе семьи', priceKop: 10_000, unit: 'шт', vat: 'none' },
];

/** The three months of charges the demo carries, the last being the current bill. */
export const PERIODS = ['2026-09', '2026-10', '2026-11'];

export interface Town {
  accountsCsv: string;
  chargesCsv: string;
  metersCsv: string;
  accounts: number;
  /** Accounts with arrears over several months, for bills worth printing. */
  debtors: string[];
}

export function buildTown(size = 3_000, seed = 2026): Town {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const between = (lo: number, hi: number): number => Math.round((lo + rnd() * (hi - lo)) / 100) * 100;
  const accounts: string[] = ['number;els;city;street;house;building;flat;owner;status'];
  const charges: string[] = ['account;service;period;due;penalty;charge'];
  const meters: string[] = ['account;service;serial;digits;fraction_digits;verification_due;jump_threshold;last_value;last_date'];
  const debtors: string[] = [];
  const rub = (kop: number): string => (kop / 100).toFixed(2).replace('.', ',');
  let n = 0;
  let houses = 0;
  for (let street = 0; n < size; street = (street + 1) % STREETS.length) {
    const drawn = String(1 + Math.floor(rnd() * 60));
    // The cashier's search field gives «ленина 10 5» as its example: in the demo it is a real address
    // (the second house drawn on Ленина, so the draws and every other account stay as they were).
    const house = houses++ === STREETS.length ? '10' : drawn;
    const flats = 20 + Math.floor(rnd() * 60);
    for (let flat = 1; flat <= flats && n < size; flat++) {
      n++;
      const number = String(1_000_000 + n * 7 + (n % 5));
      const els = rnd() < 0.4 ? `${String(10 + (n % 80))}АБ${String(100_000 + n).padStart(6, '0')}` : '';
      const owner = `${pick(SURNAMES)}${rnd() < 0.5 ? 'а' : ''} ${pick(INITIALS)}`;
      accounts.push([number, els, CITY, STREETS[street], house, '', String(flat), owner, rnd() < 0.01 ? 'closed' : 'active'].join(';'));
      // Most pay on time (only the current month is due); a fifth carry arrears with penalties.
      const arrears = rnd() < 0.2;
      if (arrears) debtors.push(number);
      for (const svc of SERVICES) {
        for (const [i, period] of PERIODS.entries()) {
          const charge = svc.heating && period === '2026-09' ? 0 : between(...svc.range);
          const current = i === PERIODS.length - 1;
          const due = current || arrears ? charge : 0;
          const penalty = arrears && !current ? Math.round(due * (0.01 + 0.02 * (PERIODS.length - 1 - i))) : 0;
          if (charge > 0) charges.push([number, svc.code, period, rub(due), rub(penalty), rub(charge)].join(';'));
        }
      }
      for (const [svc, digits, fraction] of [
        ['CW', 5, 3],
        ['HW', 5, 3],
        ['ELEC', 6, 1],
      ] as const) {
        if (svc === 'HW' && rnd() < 0.3) continue;
        const last = Math.round(rnd() * (svc === 'ELEC' ? 20_000 : 900) * 10) / 10;
        const verification = `${2025 + Math.floor(rnd() * 6)}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-15`;
        meters.push(
          [
            number,
            svc,
            `${svc}-${number.slice(-5)}${Math.floor(rnd() * 10)}`,
            String(digits),
            String(fraction),
            verification,
            svc === 'ELEC' ? '1500' : '30',
            String(last).replace('.', ','),
            '2026-10-25',
          ].join(';'),
        );
      }
    }
  }
  return {
    accountsCsv: `${accounts.join('\n')}\n`,
    chargesCsv: `${charges.join('\n')}\n`,
    metersCsv: `${meters.join('\n')}\n`,
    accounts: n,
    debtors,
  };
}
