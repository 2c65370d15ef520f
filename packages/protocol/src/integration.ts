/**
 * The integration API's own wire shapes (billing systems, suppliers, providers): API keys and their
 * scopes. A key works as the `integrator` role restricted to its scopes; each route an integrator may
 * call names the one scope it needs (see docs/integration.md).
 */
import { z } from 'zod';

/**
 * The closed set of scopes a key can hold:
 * - `read` — catalogs and ids (points, desks, suppliers, services, accounts, meters, providers, price list) and payments;
 * - `feed` — the billing feed and its acknowledgement;
 * - `imports` — uploading accounts, charges and meters, and reading import reports;
 * - `registries` — the daily registries of payments to suppliers;
 * - `reconcile` — a provider's reconciliation and the forwarding states.
 */
export const API_SCOPES = ['read', 'feed', 'imports', 'registries', 'reconcile'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const API_SCOPE_TITLES: Record<ApiScope, string> = {
  read: 'справочники, кассы и платежи (чтение)',
  feed: 'лента платежей, сторно и показаний',
  imports: 'загрузка счетов, начислений и счётчиков',
  registries: 'реестры платежей поставщикам',
  reconcile: 'сверка с поставщиками и передача платежей',
};

export const apiScope = z.enum(API_SCOPES);

export const apiKeyState = z.enum(['active', 'revoked', 'expired']);
export type ApiKeyState = z.infer<typeof apiKeyState>;

/*
 * ---- Answers of the integration API (issue 24 item 9) ----
 * Each is attached to its route as the response schema: the route's answer is checked against it
 * when it is serialized, and the OpenAPI document (/api/docs) shows it with its example.
 */

const id = z.string().describe('UUID');
const at = z.string().describe('дата и время ISO 8601');
const day = z.string().describe('дата ГГГГ-ММ-ДД');
const int = z.number().int();
const kopecks = z.number().int().describe('копейки');

const EXAMPLE = {
  deskId: '0190f0d6-0000-7000-8000-0000000000d1',
  pointId: '0190f0d6-0000-7000-8000-0000000000b1',
  opId: '019a6b2e-4c1d-7a3e-9f10-2b3c4d5e6f70',
  supplierId: '0190f0d6-0000-7000-8000-00000000aa01',
  meterId: '0190f0d6-0000-7000-8000-0000000000c1',
  importId: '0b5e8d0a-3f55-4c7e-9d3a-6f2e8b1c4d00',
  fiscal: {
    documentNumber: 1432,
    fiscalSign: '3522207165',
    shiftNumber: 41,
    receiptNumber: 17,
    at: '2026-11-28T11:30:05.000Z',
    fnNumber: '7380440700076549',
    registrationNumber: '0000000001012345',
    qr: 't=20261128T1430&s=1517.46&fn=7380440700076549&i=1432&fp=3522207165&n=1',
  },
} as const;

export const okAnswer = z.object({ ok: z.literal(true) }).meta({ examples: [{ ok: true }] });

export const userRole = z.enum(['cashier', 'senior_cashier', 'admin', 'integrator']);

export const meAnswer = z
  .object({ id, login: z.string(), name: z.string(), role: userRole })
  .meta({ examples: [{ id: '0190f0d6-0000-7000-8000-00000000f001', login: 'billing', name: 'Биллинг Эксперт', role: 'integrator' }] });

export const loginAnswer = z
  .object({
    token: z.string().describe('токен сеанса pdu_…: передавайте в Authorization: Bearer'),
    expiresAt: at.describe('когда сеанс истечёт (PAYDESK_SESSION_HOURS после входа, 12 ч по умолчанию)'),
    user: meAnswer,
  })
  .meta({
    examples: [
      {
        token: 'pdu_Jm3xQ0…',
        expiresAt: '2026-11-28T23:30:05.000Z',
        user: { id: '0190f0d6-0000-7000-8000-00000000f001', login: 'billing', name: 'Биллинг Эксперт', role: 'integrator' },
      },
    ],
  });

// ---- API keys ----

const apiKeyFields = {
  id,
  name: z.string(),
  scopes: z.array(apiScope),
  prefix: z.string().describe('начало ключа: pda_ и 8 знаков — чтобы отличать ключи в списках'),
  createdAt: at,
  expiresAt: at.nullable().describe('null — бессрочно'),
};

export const apiKeyCreated = z
  .object({ ...apiKeyFields, key: z.string().describe('сам ключ pda_…: показывается один раз, на сервере хранится только его хеш') })
  .meta({
    examples: [
      {
        id: '7d2f3c4e-8a1b-4c5d-9e6f-0a1b2c3d4e5f',
        name: 'Биллинг Эксперт, лента',
        scopes: ['feed', 'read'],
        prefix: 'pda_x7Kp2mQa',
        createdAt: '2026-11-20T09:00:00.000Z',
        expiresAt: null,
        key: 'pda_x7Kp2mQa…(43 знака)',
      },
    ],
  });

export const apiKeyView = z.object({
  ...apiKeyFields,
  state: apiKeyState,
  createdBy: z.string().nullable().describe('кто создал: id администратора или cli'),
  revokedAt: at.nullable(),
  lastUsedAt: at.nullable().describe('последнее использование, с точностью до минуты'),
});

export const apiKeyList = z.object({ items: z.array(apiKeyView) }).meta({
  examples: [
    {
      items: [
        {
          id: '7d2f3c4e-8a1b-4c5d-9e6f-0a1b2c3d4e5f',
          name: 'Биллинг Эксперт, лента',
          scopes: ['feed', 'read'],
          prefix: 'pda_x7Kp2mQa',
          createdAt: '2026-11-20T09:00:00.000Z',
          createdBy: '0190f0d6-0000-7000-8000-00000000f000',
          expiresAt: null,
          state: 'active',
          revokedAt: null,
          lastUsedAt: '2026-11-28T11:42:00.000Z',
        },
      ],
    },
  ],
});

// ---- Imports ----

export const importRowError = z.object({
  line: int.describe('строка файла (заголовок — строка 1)'),
  column: z.string().optional().describe('колонка, если ошибка в ней'),
  message: z.string().describe('что не так, по-русски'),
});

const importKind = z.enum(['accounts', 'charges', 'meters']);

/** An import as its report says it, however it is fetched: the answer of wait=true, GET /imports/{id}, the list. */
export const importReport = z
  .object({
    importId: id,
    kind: importKind,
    fileName: z.string().describe('имя файла: параметр fileName или <kind>.csv'),
    mode: z.enum(['update', 'snapshot']),
    status: z
      .enum(['validating', 'applying', 'done', 'failed'])
      .describe('validating, applying — идёт; done — загружен целиком; failed — ничего не изменено'),
    encoding: z.enum(['utf-8', 'windows-1251']).nullable().describe('в какой кодировке прочитан; null, пока не прочитан'),
    delimiter: z.string().nullable().describe('разделитель полей; null, пока не прочитан'),
    asOf: int
      .nullable()
      .describe('начисления: позиция ленты, на которую посчитаны долги (платежи после неё остаются учтёнными); иначе null'),
    totalRows: int,
    processedRows: int,
    changedRows: int.describe('строки файла, изменившие сохранённое'),
    closedRows: int.describe('mode=snapshot: начисления (счётчики) названных в файле счетов, которых в файле нет, — закрыты'),
    errorCount: int.describe('сколько ошибок всего (в errors — первые 1000)'),
    errors: z.array(importRowError),
    createdBy: z.string().nullable().describe('логин, apikey:<начало ключа> или cli'),
    startedAt: at,
    finishedAt: at.nullable(),
    seconds: z.number().nullable().describe('сколько шёл; null, пока идёт'),
  })
  .meta({
    examples: [
      {
        importId: EXAMPLE.importId,
        kind: 'charges',
        fileName: 'charges-2026-11.csv',
        mode: 'update',
        status: 'failed',
        encoding: 'windows-1251',
        delimiter: ';',
        asOf: 1842,
        totalRows: 4,
        processedRows: 0,
        changedRows: 0,
        closedRows: 0,
        errorCount: 1,
        errors: [{ line: 3, column: 'due', message: 'сумма «12,3,4» не читается' }],
        createdBy: 'apikey:pda_x7Kp2mQa',
        startedAt: '2026-11-28T06:00:01.000Z',
        finishedAt: '2026-11-28T06:00:01.120Z',
        seconds: 0.12,
      },
    ],
  });

export const importAccepted = z
  .object({ importId: id, status: z.literal('validating') })
  .meta({ examples: [{ importId: EXAMPLE.importId, status: 'validating' }] });

const importSummaryExample = {
  importId: EXAMPLE.importId,
  kind: 'charges',
  fileName: 'charges-2026-11.csv',
  mode: 'snapshot',
  status: 'done',
  encoding: 'utf-8',
  delimiter: ';',
  asOf: 1842,
  totalRows: 18250,
  processedRows: 18250,
  changedRows: 312,
  closedRows: 4,
  errorCount: 0,
  errors: [],
  createdBy: 'apikey:pda_x7Kp2mQa',
  startedAt: '2026-11-28T06:00:01.000Z',
  finishedAt: '2026-11-28T06:00:07.000Z',
  seconds: 6,
};

/** The list: the last 50 imports, each its report without the errors (GET /imports/{id} has them). */
export const importSummary = importReport.omit({ errors: true });
const { errors: _errors, ...summaryExample } = importSummaryExample;
export const importList = z.object({ items: z.array(importSummary) }).meta({ examples: [{ items: [summaryExample] }] });

export const importDetail = importReport.meta({ examples: [importSummaryExample] });
/** An import's report as the back office and integrators read it. */
export type ImportReportView = z.infer<typeof importReport>;

// ---- The billing feed ----

const feedLine = z.object({
  serviceCode: z.string(),
  period: z.string().describe('ГГГГ-ММ'),
  amountKop: kopecks.describe('в счёт основного долга (или аванс)'),
  penaltyKop: kopecks.describe('в счёт пени'),
  commissionKop: kopecks.optional().describe('вознаграждение агента с этой строки'),
  supplierId: id
    .nullable()
    .describe(
      'чьи это деньги: поставщик начисления, если оно его назвало, иначе поставщик услуги; null — поставщик неизвестен серверу (строка в разборе)',
    ),
  supplierInn: z.string().nullable().describe('ИНН того же поставщика'),
});

const fiscalOfFeed = z.looseObject({
  documentNumber: int.describe('ФД'),
  fiscalSign: z.string().describe('ФП'),
  shiftNumber: int,
  receiptNumber: int,
  at: at.describe('время чека по ККТ (обычно UTC, «Z»)'),
  fnNumber: z.string().optional().describe('заводской номер ФН, если ККТ его сообщила'),
  registrationNumber: z.string().optional().describe('регистрационный номер ККТ, если ККТ его сообщила'),
  qr: z.string().optional().describe('строка QR-кода чека (t=…&s=…&fn=…&i=…&fp=…&n=…)'),
});

const whereDone = {
  deskId: id,
  deskName: z.string().describe('название кассы'),
  pointId: id,
  pointCode: z.string().describe('код пункта, как в реестрах'),
};
const txnId = z.string().describe('номер операции в реестрах поставщикам (18 цифр; тот же, что в столбце «номер операции»)');

export const feedPaymentPayload = z.object({
  number: z.string(),
  accountNumber: z.string(),
  acceptedAt: at,
  method: z.enum(['cash', 'card']),
  totalKop: kopecks,
  commissionKop: kopecks,
  lines: z.array(feedLine),
  txnId,
  ...whereDone,
  fiscal: fiscalOfFeed,
});

export const feedReversalPayload = z.object({
  originalOpId: id,
  accountNumber: z.string(),
  amountKop: kopecks.describe('что вернули плательщику, вознаграждение включено'),
  commissionKop: kopecks,
  lines: z.array(feedLine).describe('строки сторнируемого платежа: что отменить по услуге и периоду'),
  reason: z.string(),
  reversedAt: at,
  txnId: txnId.describe('номер этого сторно в реестрах (строка «Сторно»)'),
  originalTxnId: txnId.describe('номер сторнируемого платежа в реестрах'),
  ...whereDone,
  fiscal: fiscalOfFeed,
});

export const feedReadingPayload = z.object({
  accountNumber: z.string(),
  meterId: id,
  meterSerial: z.string(),
  serviceCode: z.string(),
  value: z.string().describe('число с точкой: "1030.5"'),
  valueMilli: int.describe('то же в тысячных: 1030500'),
  valueAsTyped: z.string(),
  previousValueMilli: int.nullable(),
  previousDate: day.nullable(),
  readAt: day,
  period: z.string(),
  ...whereDone,
});

const feedItemBase = {
  position: int,
  opId: id,
  at: at.describe('когда операция сделана на кассе (приём, сторно, сдача показания), во времени организации со смещением'),
};

export const feedItem = z.discriminatedUnion('kind', [
  z.object({ ...feedItemBase, kind: z.literal('payment'), payload: feedPaymentPayload }),
  z.object({ ...feedItemBase, kind: z.literal('reversal'), payload: feedReversalPayload }),
  z.object({ ...feedItemBase, kind: z.literal('reading'), payload: feedReadingPayload }),
]);

export const feedPage = z
  .object({
    items: z.array(feedItem),
    next: int.describe('передайте как after за следующей страницей'),
    hasMore: z.boolean(),
    incarnation: z.string().describe('меняется, когда сервер восстановлен из копии'),
  })
  .meta({
    examples: [
      {
        items: [
          {
            position: 8,
            opId: EXAMPLE.opId,
            kind: 'payment',
            at: '2026-11-28T14:30:05+03:00',
            payload: {
              number: 'К1-000017',
              accountNumber: '1000024',
              acceptedAt: '2026-11-28T14:30:05+03:00',
              method: 'cash',
              totalKop: 151_746,
              commissionKop: 512,
              lines: [
                {
                  serviceCode: 'MAINT',
                  period: '2026-11',
                  amountKop: 100_000,
                  penaltyKop: 0,
                  commissionKop: 0,
                  supplierId: EXAMPLE.supplierId,
                  supplierInn: '5406123456',
                },
                {
                  serviceCode: 'HW',
                  period: '2026-11',
                  amountKop: 50_000,
                  penaltyKop: 1_234,
                  commissionKop: 512,
                  supplierId: '0190f0d6-0000-7000-8000-00000000aa02',
                  supplierInn: '5406777888',
                },
              ],
              txnId: '916369801281502494',
              deskId: EXAMPLE.deskId,
              deskName: 'Касса 1',
              pointId: EXAMPLE.pointId,
              pointCode: 'P1',
              fiscal: EXAMPLE.fiscal,
            },
          },
        ],
        next: 8,
        hasMore: false,
        incarnation: 'a3f9c2d1',
      },
    ],
  });

export const feedAckAnswer = z.object({ consumer: z.string(), position: int }).meta({ examples: [{ consumer: 'billing', position: 8 }] });

// ---- Providers ----

export const reconcileReport = z
  .object({
    rows: int.describe('строк в реестре поставщика'),
    matched: int,
    confirmedByRegistry: int.describe('платежи без ответа, подтверждённые реестром'),
    mismatched: int.describe('сумма или счёт не совпали: в разбор'),
    unknownToUs: int.describe('есть у поставщика, нет у нас: в разбор'),
    missingAtProvider: int,
  })
  .meta({ examples: [{ rows: 120, matched: 118, confirmedByRegistry: 1, mismatched: 1, unknownToUs: 0, missingAtProvider: 0 }] });

export const forwardingRecord = z.object({
  opId: id,
  provider: z.string(),
  account: z.string(),
  amountKop: kopecks,
  txnId: z.string(),
  state: z.enum(['queued', 'held', 'sent', 'confirmed', 'failed', 'cancelled']),
  prvTxn: z.string().nullable(),
  code: int.nullable().describe('result ответа поставщика'),
  comment: z.string().nullable(),
  attempts: int,
  updatedAt: at,
  nextAttemptAt: at,
});

export const forwardingList = z.object({ items: z.array(forwardingRecord) }).meta({
  examples: [
    {
      items: [
        {
          opId: EXAMPLE.opId,
          provider: 'MTS',
          account: '9161112233',
          amountKop: 30_000,
          txnId: '7213395718452345678',
          state: 'confirmed',
          prvTxn: '88120031',
          code: 0,
          comment: 'OK',
          attempts: 1,
          updatedAt: '2026-11-28T11:30:07.000Z',
          nextAttemptAt: '2026-11-28T11:30:05.000Z',
        },
      ],
    },
  ],
});

// ---- Catalogs, desks and payments as integrators read them ----

const version = z.string().describe('версия записи (растёт с каждым изменением)');
const commission = z
  .looseObject({ kind: z.enum(['none', 'percent', 'fixed', 'tiered']), mode: z.enum(['on_top', 'included']) })
  .describe('правило вознаграждения: kind none | percent (rateBp, minKop, maxKop) | fixed (amountKop) | tiered (tiers)');

export const pointRecord = z.object({ id, code: z.string(), name: z.string(), address: z.string(), active: z.boolean(), version });
export type PointRecord = z.infer<typeof pointRecord>;
export const supplierRecord = z.object({
  id,
  name: z.string(),
  inn: z.string(),
  kpp: z.string().nullable(),
  phone: z.string().nullable(),
  bankName: z.string().nullable(),
  bic: z.string().nullable(),
  account: z.string().nullable(),
  corrAccount: z.string().nullable(),
  commission,
  agentType: z.enum(['paying_agent', 'paying_subagent']),
  active: z.boolean(),
  version,
});
export const serviceRecord = z.object({
  code: z.string(),
  name: z.string(),
  supplierId: id,
  unit: z.string().nullable(),
  active: z.boolean(),
  version,
});
export const accountRecord = z.object({
  number: z.string(),
  els: z.string().nullable(),
  city: z.string().nullable(),
  street: z.string().nullable(),
  house: z.string().nullable(),
  building: z.string().nullable(),
  flat: z.string().nullable(),
  ownerName: z.string().nullable(),
  status: z.enum(['active', 'closed']),
  version,
});
export const meterRecord = z.object({
  id,
  accountNumber: z.string(),
  serviceCode: z.string(),
  serial: z.string(),
  digits: int,
  fractionDigits: int,
  verificationDue: day.nullable(),
  jumpThreshold: int.nullable(),
  lastValueMilli: int.nullable().describe('последнее показание в тысячных'),
  lastDate: day.nullable(),
  active: z.boolean(),
  version,
});
export const providerRecord = z.object({
  code: z.string(),
  name: z.string(),
  category: z.string(),
  inn: z.string(),
  kpp: z.string().nullable(),
  phone: z.string().nullable(),
  accountLabel: z.string(),
  accountMask: z.string().describe('регулярное выражение номера счёта'),
  accountExample: z.string(),
  normalize: z.enum(['none', 'digits', 'phone']),
  minKop: kopecks.nullable(),
  maxKop: kopecks.nullable(),
  commission,
  agentType: z.enum(['paying_agent', 'paying_subagent']),
  checkRequired: z.boolean(),
  offlineAllowed: z.boolean(),
  canCancel: z.boolean(),
  channel: z.enum(['osmp', 'registry']),
  osmpUrl: z.string().nullable().optional().describe('только бэк-офису: интегратор его не получает'),
  osmpUser: z.string().nullable().optional().describe('только бэк-офису'),
  osmpPassword: z.literal('***').nullable().optional().describe('только бэк-офису и только «задан ли»: сам пароль не выдаётся никому'),
  timeoutMs: int,
  active: z.boolean(),
  version,
});
export const priceItemRecord = z.object({
  code: z.string(),
  name: z.string(),
  priceKop: kopecks,
  unit: z.string(),
  vat: z.string(),
  active: z.boolean(),
  version,
});

/** A catalog page: `total` records match, `limit` from `offset` are here. */
export function catalogPage<T extends z.ZodType>(
  record: T,
  example: unknown,
): z.ZodObject<{ items: z.ZodArray<T>; total: z.ZodNumber; limit: z.ZodNumber; offset: z.ZodNumber }> {
  return z
    .object({ items: z.array(record), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
    .meta({ examples: [{ items: [example], total: 1, limit: 50, offset: 0 }] });
}

export const CATALOG_EXAMPLES = {
  points: {
    id: EXAMPLE.pointId,
    code: 'P1',
    name: 'Пункт на Ленина',
    address: 'г. Энск, ул. Ленина, 1',
    active: true,
    version: '1764312000000001',
  },
  suppliers: {
    id: EXAMPLE.supplierId,
    name: 'ООО "УК Дом"',
    inn: '7707083893',
    kpp: '770701001',
    phone: '+74950000000',
    bankName: 'ПАО Сбербанк',
    bic: '044525225',
    account: '40702810938000000001',
    corrAccount: '30101810400000000225',
    commission: { kind: 'none', mode: 'on_top' },
    agentType: 'paying_agent',
    active: true,
    version: '1764312000000002',
  },
  services: {
    code: 'MAINT',
    name: 'Содержание жилья',
    supplierId: EXAMPLE.supplierId,
    unit: null,
    active: true,
    version: '1764312000000003',
  },
  accounts: {
    number: '1000024',
    els: '20МВ875415',
    city: 'Энск',
    street: 'Берёзовая',
    house: '10',
    building: 'к2',
    flat: '5',
    ownerName: 'Иванов Иван Иванович',
    status: 'active',
    version: '1764312000000004',
  },
  meters: {
    id: '0190f0d6-0000-7000-8000-0000000000a1',
    accountNumber: '1000024',
    serviceCode: 'CW',
    serial: 'ХВ-001',
    digits: 5,
    fractionDigits: 3,
    verificationDue: '2030-01-01',
    jumpThreshold: null,
    lastValueMilli: 1_030_500,
    lastDate: '2026-11-20',
    active: true,
    version: '1764312000000005',
  },
  providers: {
    code: 'MTS',
    name: 'МТС',
    category: 'Мобильная связь',
    inn: '7740000076',
    kpp: null,
    phone: '+78002500890',
    accountLabel: 'Телефон',
    accountMask: '^9\\d{9}$',
    accountExample: '9161112233',
    normalize: 'phone',
    minKop: 1_000,
    maxKop: 1_500_000,
    commission: { kind: 'percent', mode: 'on_top', rateBp: 200 },
    agentType: 'paying_subagent',
    checkRequired: false,
    offlineAllowed: true,
    canCancel: false,
    channel: 'osmp',
    timeoutMs: 15_000,
    active: true,
    version: '1764312000000006',
  },
  'price-items': {
    code: 'COPY_A4',
    name: 'Ксерокопия А4',
    priceKop: 1_500,
    unit: 'шт',
    vat: 'none',
    active: true,
    version: '1764312000000007',
  },
} as const;

export const CATALOG_RECORDS = {
  points: pointRecord,
  suppliers: supplierRecord,
  services: serviceRecord,
  accounts: accountRecord,
  meters: meterRecord,
  providers: providerRecord,
  'price-items': priceItemRecord,
} as const;

export const deskListItem = z.object({
  id,
  name: z.string(),
  pointId: id,
  pointCode: z.string(),
  pointName: z.string(),
  enrolled: z.boolean(),
  revoked: z.boolean(),
  epoch: int.optional().describe('дальше — только бэк-офису: состояние кассы'),
  lastSeq: int.optional(),
  enrollmentPending: z.boolean().optional(),
  lastSeenAt: at.nullable().optional(),
  lastPushAt: at.nullable().optional(),
  online: z.boolean().optional(),
  status: z.unknown().optional().describe('что касса сообщила о себе последним'),
  statusAt: at.nullable().optional(),
  protocolVersion: int.nullable().optional().describe('версия протокола синхронизации, на которой касса говорила последний раз'),
});

export const deskList = z.object({ items: z.array(deskListItem) }).meta({
  examples: [
    {
      items: [
        {
          id: EXAMPLE.deskId,
          name: 'Касса 1',
          pointId: EXAMPLE.pointId,
          pointCode: 'P1',
          pointName: 'Пункт на Ленина',
          enrolled: true,
          revoked: false,
        },
      ],
    },
  ],
});

export const paymentKind = z.enum(['billing', 'thirdparty', 'service']);

export const paymentListItem = z.object({
  opId: id,
  number: z.string(),
  kind: paymentKind,
  deskId: id,
  pointId: id,
  cashierId: id,
  accountNumber: z.string().nullable(),
  providerCode: z.string().nullable(),
  providerAccount: z.string().nullable(),
  acceptedAt: at,
  method: z.enum(['cash', 'card']),
  totalKop: kopecks,
  commissionKop: kopecks,
  state: z.enum(['accepted', 'reversed']),
  review: z.boolean().describe('есть вопросы в разборе'),
});

export const paymentList = z
  .object({ items: z.array(paymentListItem), total: int, sumKop: kopecks.describe('сумма totalKop всех подходящих платежей') })
  .meta({
    examples: [
      {
        items: [
          {
            opId: EXAMPLE.opId,
            number: 'К1-000017',
            kind: 'billing',
            deskId: EXAMPLE.deskId,
            pointId: EXAMPLE.pointId,
            cashierId: '0190f0d6-0000-7000-8000-00000000c001',
            accountNumber: '1000024',
            providerCode: null,
            providerAccount: null,
            acceptedAt: '2026-11-28T11:30:05.000Z',
            method: 'cash',
            totalKop: 151_746,
            commissionKop: 512,
            state: 'accepted',
            review: false,
          },
        ],
        total: 1,
        sumKop: 151_746,
      },
    ],
  });

export const paymentDetail = paymentListItem
  .omit({ review: true })
  .extend({
    shiftNumber: int,
    tenderedKop: kopecks.nullable(),
    principalKop: kopecks,
    fiscal: z.looseObject({}).nullable().describe('реквизиты чека: documentNumber (ФД), fiscalSign (ФП), shiftNumber, receiptNumber, at'),
    lines: z.array(
      z.object({
        lineNo: int,
        code: z.string(),
        name: z.string().nullable(),
        supplierId: id.nullable(),
        period: z.string().nullable(),
        quantity: int,
        amountKop: kopecks,
        penaltyKop: kopecks,
        commissionKop: kopecks,
      }),
    ),
    reversals: z.array(z.object({ opId: id, reason: z.string(), amountKop: kopecks, reversedAt: at, approvedBy: id.nullable() })),
    forwarding: z
      .object({
        state: forwardingRecord.shape.state,
        txnId: z.string(),
        prvTxn: z.string().nullable(),
        code: int.nullable(),
        comment: z.string().nullable(),
        attempts: int,
        updatedAt: at,
      })
      .nullable(),
    review: z.array(
      z.object({
        id,
        code: z.string().describe('код разбора (review-codes.ts)'),
        title: z.string().describe('что это, по-русски'),
        message: z.string(),
        status: z.enum(['open', 'resolved']),
      }),
    ),
  })
  .meta({
    examples: [
      {
        opId: EXAMPLE.opId,
        number: 'К1-000017',
        kind: 'billing',
        deskId: EXAMPLE.deskId,
        pointId: EXAMPLE.pointId,
        cashierId: '0190f0d6-0000-7000-8000-00000000c001',
        accountNumber: '1000024',
        providerCode: null,
        providerAccount: null,
        acceptedAt: '2026-11-28T11:30:05.000Z',
        shiftNumber: 41,
        method: 'cash',
        tenderedKop: 200_000,
        totalKop: 151_746,
        commissionKop: 512,
        principalKop: 151_234,
        fiscal: EXAMPLE.fiscal,
        state: 'accepted',
        lines: [
          {
            lineNo: 1,
            code: 'MAINT',
            name: 'Содержание жилья',
            supplierId: EXAMPLE.supplierId,
            period: '2026-11',
            quantity: 1,
            amountKop: 100_000,
            penaltyKop: 0,
            commissionKop: 0,
          },
        ],
        reversals: [],
        forwarding: null,
        review: [],
      },
    ],
  });

// ---- Registries and payment batches ----

export const transferAnswer = z
  .object({
    orderNumber: z.string().describe('номер платёжного поручения'),
    orderDate: day,
    amountKop: kopecks,
    matches: z.boolean().describe('сумма поручения равна итогу реестра «к перечислению» до копейки'),
  })
  .meta({ examples: [{ orderNumber: '512', orderDate: '2026-11-29', amountKop: 1_502_340, matches: true }] });

export const registryLine = z.object({
  acceptedAt: at,
  pointCode: z.string(),
  deskName: z.string(),
  opId: id,
  txnId: z.string().describe('номер операции для поставщика (как txn_id у провайдеров)'),
  accountNumber: z.string(),
  ownerName: z.string(),
  address: z.string(),
  period: z.string(),
  serviceCode: z.string(),
  serviceName: z.string(),
  acceptedKop: kopecks.describe('сколько заплатил плательщик за строку, с вознаграждением (сторно — отрицательное)'),
  principalKop: kopecks,
  penaltyKop: kopecks,
  transferredKop: kopecks.describe('основной долг + пени: что перечисляется поставщику'),
  commissionKop: kopecks,
});

export const supplierRegistry = z
  .object({
    supplier: z.object({ id, name: z.string(), inn: z.string(), account: z.string().nullable() }),
    date: day,
    timeZone: z.string().describe('часовой пояс организации: границы дня и все даты и время в файлах'),
    lines: z.array(registryLine),
    totals: z.object({
      count: int.describe('платежей (то же, что payments)'),
      payments: int.describe('платежей'),
      reversals: int.describe('сторно (их строки — отрицательные)'),
      lines: int,
      acceptedKop: kopecks,
      principalKop: kopecks,
      penaltyKop: kopecks,
      transferredKop: kopecks,
      commissionKop: kopecks,
    }),
    transfer: transferAnswer.nullable().describe('платёжное поручение, которым перечислен день, когда оно внесено'),
  })
  .meta({
    examples: [
      {
        supplier: { id: EXAMPLE.supplierId, name: 'ООО "УК Дом"', inn: '7707083893', account: '40702810938000000001' },
        date: '2026-11-28',
        timeZone: 'Europe/Moscow',
        lines: [
          {
            acceptedAt: '2026-11-28T11:30:05.000Z',
            pointCode: 'P1',
            deskName: 'Касса 1',
            opId: EXAMPLE.opId,
            txnId: '7213395718452345678',
            accountNumber: '1000024',
            ownerName: 'Иванов Иван Иванович',
            address: 'г. Энск, ул. Берёзовая, д. 10, корп. к2, кв. 5',
            period: '2026-11',
            serviceCode: 'MAINT',
            serviceName: 'Содержание жилья',
            acceptedKop: 100_000,
            principalKop: 100_000,
            penaltyKop: 0,
            transferredKop: 100_000,
            commissionKop: 0,
          },
        ],
        totals: {
          count: 1,
          payments: 1,
          reversals: 0,
          lines: 1,
          acceptedKop: 100_000,
          principalKop: 100_000,
          penaltyKop: 0,
          transferredKop: 100_000,
          commissionKop: 0,
        },
        transfer: null,
      },
    ],
  });

export const readingsRegistryAnswer = z
  .object({
    supplier: z.object({ name: z.string(), inn: z.string() }),
    period: z.string(),
    lines: z.array(
      z.object({
        accountNumber: z.string(),
        ownerName: z.string(),
        address: z.string(),
        serviceCode: z.string(),
        meterId: id.describe('счётчик, как его называют лента и справочник'),
        meterSerial: z.string(),
        readAt: day,
        valueMilli: int.describe('показание в тысячных'),
        value: z.string().describe('показание десятичной дробью с точкой, как в ленте: «1030.5»'),
        previousValueMilli: int.nullable(),
        previousValue: z.string().nullable(),
        previousDate: day.nullable(),
        deskName: z.string(),
      }),
    ),
  })
  .meta({
    examples: [
      {
        supplier: { name: 'МУП "Водоканал"', inn: '500100732259' },
        period: '2026-12',
        lines: [
          {
            accountNumber: '1000024',
            ownerName: 'Иванов Иван Иванович',
            address: 'г. Энск, ул. Берёзовая, д. 10, корп. к2, кв. 5',
            serviceCode: 'WATER',
            meterId: EXAMPLE.meterId,
            meterSerial: 'ХВ-001',
            readAt: '2026-11-28',
            valueMilli: 1_030_500,
            value: '1030.5',
            previousValueMilli: 1_012_000,
            previousValue: '1012',
            previousDate: '2026-10-25',
            deskName: 'Касса 1',
          },
        ],
      },
    ],
  });

export const batchAnswer = z.object({
  id,
  pointId: id,
  day,
  number: int.describe('номер пачки дня пункта: 1 — пачка дня, дальше — корректирующие'),
  kind: z.enum(['day', 'correction']),
  closedAt: at,
  closedBy: z.string().nullable(),
  paymentsCount: int,
  acceptedKop: kopecks,
  commissionKop: kopecks,
  reversalsCount: int,
  reversedKop: kopecks,
  billing: z
    .object({ paymentsCount: int, acceptedKop: kopecks, commissionKop: kopecks, reversalsCount: int, reversedKop: kopecks })
    .describe(
      'из них — платежи по лицевым счетам (kind billing) и их сторно: с этими суммами сходятся платежи пачки в ленте и реестры поставщикам',
    ),
});

const batchExample = {
  id: '5b1e7c2a-9d3f-4e6a-8b0c-1d2e3f4a5b6c',
  pointId: EXAMPLE.pointId,
  day: '2026-11-28',
  number: 1,
  kind: 'day',
  closedAt: '2026-11-28T18:20:00.000Z',
  closedBy: 'billing',
  paymentsCount: 214,
  acceptedKop: 18_342_950,
  commissionKop: 41_200,
  reversalsCount: 1,
  reversedKop: 151_746,
  billing: { paymentsCount: 198, acceptedKop: 17_902_450, commissionKop: 41_200, reversalsCount: 1, reversedKop: 151_746 },
};

export const batchClosed = batchAnswer.meta({ examples: [batchExample] });
export const batchList = z.object({ items: z.array(batchAnswer) }).meta({ examples: [{ items: [batchExample] }] });
export const batchDetail = batchAnswer
  .extend({ payments: z.array(id).describe('opId платежей пачки'), reversals: z.array(id).describe('opId сторно пачки') })
  .meta({ examples: [{ ...batchExample, payments: [EXAMPLE.opId], reversals: [] }] });
