/**
 * An ATOL Driver v10 web server («Web-сервер ДТО 10», «АТОЛ Web Requests») as strange as the real one,
 * with a virtual register as its device: the ATOL driver's contract tests, and anyone without a real
 * ATOL, talk to it. Written from the spec (shared/specs/fiscal-registers.md, section 1) and from public
 * code that re-implements or drives the web server, cited below as:
 *
 * - [WS] ArchDemons/atolwebserver, an open re-implementation of the web server (Java): JsonTaskServlet
 *   (POST → 201 `{number, uuid, isBlocked, blockedUUID}`, 409 for a uuid it holds, 400 without uuid or
 *   request and for more than one fiscal task; GET → 404 for a uuid it does not hold; DELETE only while
 *   every task still waits, else 405), RequestsQueueStatusServlet (`/api/v2/getRequestsQueueStatus`),
 *   OperationServlet (`/api/v2/operations/query*`: run at once, outside the queue), Result.toJson (the v2
 *   result shape), Utils (statuses; which tasks are fiscal), DriverWorker (the queue worker, below).
 * - [WD] the ATOL web server's own queue worker as published in decompiled copies
 *   (ru.atol.drivers10.webserver.workers.DriverWorker): before a fiscal task it reads the last document
 *   number; a fiscal task that fails on a lost link (codes 2–4, 15, FN exchange errors) is `blocked` and
 *   stops the queue; the tasks after it are `interrupted` (502); the blocked one is settled by the server
 *   itself once the device answers again: a document number past the one it read means `ready` (its result
 *   from `getLastFiscalParams`), else `error`; it calls continuePrint and the queue goes on.
 * - [1C] a public 1C integration: reads `getRequestsQueueStatus` before each POST and does not post while
 *   `isBlocked`; DELETEs a request that did not start in time («задание было отменено»); older builds
 *   answer at `/requests` and `/stat/requests`.
 * - [KA] kktsite-agent, an open re-implementation of «АТОЛ Web Requests» 1.0.4: while the queue is
 *   blocked «Сервер проверяет ККТ каждые 3 секунды и продолжит сам»; block reasons connectionError,
 *   fnError, paperError; direct operations map to JSON tasks (queryFnStatus → getFnStatus).
 * - [S1] ExLuzZziVo/KKTServiceLib: task and result shapes; `getFnDocument` answers `documentTLV`, the
 *   document's tags by number (1040 ФД, 1054 receipt type, 1020 total, 1012 time, 1077 ФП) with
 *   `fiscalDocumentType` (receipt, openShift, closeShift…); error codes (KKTErrorType).
 *
 * What it does that a friendly server would not: tasks run one request at a time in a queue, `wait` then
 * `inProgress` (so clients really poll); the older flat result shape on request; a fiscal task that loses
 * the link is `blocked` for as long as the test says (ms, requests, or until released), the queue stands
 * still and the device does not answer direct operations meanwhile; sums with float noise and three
 * decimals (a drawer of 4889.5599999999995, a total of 725.745) on request; `warnings.notPrinted` when the
 * paper runs out after fiscalisation; a uuid already used by another client's request (a 1,00 ₽ receipt,
 * a cash-in); error pages as text, as a servlet's sendError writes them.
 */
import { rubNumberToNearestKop, type AgentType, type Receipt, type ReceiptItem, type TaxSystem, type VatRate } from '@paydesk/domain';
import { FiscalError, type Cashier, type FiscalErrorCode } from '../port.ts';
import type { VirtualRegister } from '../virtual/virtual-register.ts';
import { ATOL_AGENT, ATOL_PAYMENT_OBJECT, ATOL_TAXATION, ATOL_VAT, type AtolTask } from '../atol/atol-mapping.ts';
import { startJsonServer, type JsonServer } from './http-server.ts';

const ATOL_CODES: Record<FiscalErrorCode, number> = {
  shift_closed: 73,
  shift_expired: 68,
  shift_already_open: 83,
  paper_out: 44,
  cover_open: 45,
  not_enough_cash: 80,
  receipt_open: 82,
  unavailable: 2,
  busy: 55,
  not_agent: 167,
  outcome_unknown: 177,
  rejected: 16,
  fn_problem: 140,
  return_exceeds: 53,
};

/** [WS] Utils.isFiscalOperation: the tasks before which the worker reads the last document number. */
const FISCAL = new Set([
  'openShift',
  'closeShift',
  'sell',
  'buy',
  'sellReturn',
  'buyReturn',
  'sellCorrection',
  'buyCorrection',
  'sellReturnCorrection',
  'buyReturnCorrection',
  'reportOfdExchangeStatus',
  'registration',
  'fnChange',
  'changeRegistrationParameters',
  'closeArchive',
]);
const RECEIPTS = new Set([
  'sell',
  'buy',
  'sellReturn',
  'buyReturn',
  'sellCorrection',
  'buyCorrection',
  'sellReturnCorrection',
  'buyReturnCorrection',
]);
/** [WS] OperationServlet, [KA]: direct operations and the task each one runs. */
const OPERATIONS: Record<string, string> = {
  queryDeviceInfo: 'getDeviceInfo',
  queryDeviceStatus: 'getDeviceStatus',
  queryShiftStatus: 'getShiftStatus',
  queryShiftTotals: 'getShiftTotals',
  queryFnInfo: 'getFnInfo',
  queryFnStatus: 'getFnStatus',
  queryOfdExchangeStatus: 'ofdExchangeStatus',
};

function invert<K extends string>(map: Record<K, string>): Record<string, K> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [v, k])) as Record<string, K>;
}
const TAX = invert<TaxSystem>(ATOL_TAXATION);
const VAT = invert<VatRate>(ATOL_VAT);
const OBJECT = invert<ReceiptItem['paymentObject']>(ATOL_PAYMENT_OBJECT);
const AGENT = invert<AgentType>(ATOL_AGENT);

type Status = 'wait' | 'inProgress' | 'ready' | 'error' | 'interrupted' | 'blocked' | 'canceled';

interface Slot {
  status: Status;
  error: { code: number; description: string };
  result: unknown;
}

interface Entry {
  uuid: string;
  tasks: AtolTask[];
  slots: Slot[];
  /** [WS] the request's `is_ready`: every task done, or cancelled. */
  finished: boolean;
  canceled: boolean;
  done: Promise<void>;
  finish: () => void;
}

interface Block {
  entry: Entry;
  index: number;
  /** The last document number the worker read before the task [WD]. */
  lastFd: number;
  reason: 'connectionError' | 'fnError' | 'paperError';
  until: number | null;
  polls: number | null;
  held: boolean;
}

export interface LinkLoss {
  /** The device made the document before the link went (its outcome is "done" once the link is back). */
  fiscalised: boolean;
  /** The link comes back after this long… */
  ms?: number;
  /** …or after this many requests to the web server (any request counts: a client's poll, a status read)… */
  polls?: number;
  /** …or, when neither is given, at release(). */
  code?: number;
}

export interface AtolSimulatorOptions {
  /** Answer in the older flat shape (errorCode / errorDescription). */
  flatResults?: boolean;
  /** '/api/v2' (default) or '' for older builds: /requests, /stat/requests, no direct operations [1C]. */
  apiPrefix?: string;
  /** Keep each task "inProgress" this long, so clients must poll. */
  taskMs?: number;
  basicAuth?: { user: string; password: string };
  /** Sums as doubles with float noise and totals with three decimals, from the start. */
  oddNumbers?: boolean;
  /** Error answers as text, the way a Java servlet's sendError writes them, instead of JSON. */
  textErrors?: boolean;
  /** How often a blocked queue looks for the device ([KA]: every 3 s); only this check unblocks it. */
  recheckMs?: number;
}

export interface AtolSimulator extends JsonServer {
  /** Requests accepted (201), in order. */
  requestsSeen(): { uuid: string; tasks: AtolTask[] }[];
  /** Every HTTP request, in order. */
  httpSeen(): { method: string; path: string }[];
  /** Each request's task statuses, in queue order. */
  queue(): { uuid: string; types: string[]; statuses: Status[] }[];
  /** The next fiscal task loses the link to the device: reported `blocked`, queue stopped (see LinkLoss). */
  loseLinkOnNextFiscal(loss: LinkLoss): void;
  /** The next fiscal task is fiscalised, reported `blocked`, and the queue stands until release(). */
  blockNext(): void;
  /** The link to the device comes back: the server settles the blocked task and the queue goes on. */
  release(): void;
  /** True while the queue is stopped by a blocked task. */
  blocked(): boolean;
  /** Another client's request, stored and run under this uuid before ours gets there. */
  prefill(uuid: string, tasks: AtolTask[]): Promise<void>;
  /** Sums with float noise and three decimals from now on (or not). */
  setOddNumbers(on: boolean): void;
  /** The next receipt is fiscalised, then the paper runs out: `warnings.notPrinted`. */
  paperOutAfterNextReceipt(): void;
  /** The next task of this type fails with this libfptr code, having run on the device first or not. */
  failNext(type: string, code: number, options?: { description?: string; executed?: boolean }): void;
}

function cashierOf(task: AtolTask): Cashier {
  const op = (task['operator'] ?? {}) as { name?: string; vatin?: string };
  return op.vatin ? { name: op.name ?? '', inn: op.vatin } : { name: op.name ?? '' };
}

/** A client's rubles as kopecks; the device takes whatever it is sent to the nearest kopeck. */
function kopOf(v: unknown): number {
  const n = Number(v);
  return Number.isFinite(n) ? rubNumberToNearestKop(n).kop : 0;
}

/** ATOL's sell/sellReturn task back into the domain's receipt model. */
export function receiptOfTask(uuid: string, task: AtolTask): Receipt {
  const items: ReceiptItem[] = [];
  const headerLines: string[] = [];
  let additional: string | undefined;
  for (const raw of (task['items'] ?? []) as Record<string, unknown>[]) {
    if (raw['type'] === 'text') headerLines.push(String(raw['text']));
    else if (raw['type'] === 'additionalAttribute') additional = String(raw['value']);
    else if (raw['type'] === 'position') {
      const item: ReceiptItem = {
        name: String(raw['name']),
        priceKop: kopOf(raw['price']),
        quantity: Number(raw['quantity']),
        amountKop: kopOf(raw['amount']),
        paymentObject: OBJECT[String(raw['paymentObject'])] ?? 'commodity',
        paymentMethod: 'full_payment',
        vat: VAT[String((raw['tax'] as { type?: string } | undefined)?.type)] ?? 'none',
      };
      const agentInfo = raw['agentInfo'] as
        | { agents?: string[]; payingAgent?: { operation?: string; phones?: string[] }; receivePaymentsOperator?: { phones?: string[] } }
        | undefined;
      if (agentInfo) {
        item.agent = {
          type: AGENT[agentInfo.agents?.[0] ?? ''] ?? 'paying_agent',
          operation: agentInfo.payingAgent?.operation ?? '',
          agentPhone: agentInfo.payingAgent?.phones?.[0] ?? '',
          operatorPhone: agentInfo.receivePaymentsOperator?.phones?.[0] ?? '',
        };
      }
      const supplier = raw['supplierInfo'] as { name?: string; vatin?: string; phones?: string[] } | undefined;
      if (supplier)
        item.supplier = {
          name: supplier.name ?? '',
          inn: supplier.vatin ?? '',
          ...(supplier.phones?.[0] ? { phone: supplier.phones[0] } : {}),
        };
      items.push(item);
    }
  }
  const payments = (task['payments'] ?? []) as { type: string | number; sum: number }[];
  const sumOf = (types: (string | number)[]): number =>
    payments.filter((p) => types.includes(p.type)).reduce((s, p) => s + kopOf(p.sum), 0);
  const receipt: Receipt = {
    operationId: uuid,
    kind: task.type === 'sellReturn' || task.type === 'sellReturnCorrection' ? 'sale_return' : 'sale',
    taxSystem: TAX[String(task['taxationType'])] ?? 'osn',
    cashier: cashierOf(task),
    items,
    payments: { cashKop: sumOf(['cash', 0]), cardKop: sumOf(['electronically', 1]) },
    totalKop: typeof task['total'] === 'number' ? kopOf(task['total']) : items.reduce((s, i) => s + i.amountKop, 0),
    headerLines,
  };
  if (typeof task['paymentsPlace'] === 'string') receipt.settlementPlace = task['paymentsPlace'];
  if (typeof task['paymentsAddress'] === 'string') receipt.settlementAddress = task['paymentsAddress'];
  if (additional) receipt.additionalAttribute = additional;
  // Tag 1008: ATOL's clientInfo.emailOrPhone.
  const client = task['clientInfo'] as { emailOrPhone?: unknown } | undefined;
  if (typeof client?.emailOrPhone === 'string' && client.emailOrPhone !== '') receipt.customerContact = client.emailOrPhone;
  if (task['electronically'] === true) receipt.electronicOnly = true;
  if (task.type === 'sellCorrection' || task.type === 'sellReturnCorrection') {
    // ATOL's yyyy.mm.dd; a type other than self or instruction, or no date, and the device refuses.
    const date = typeof task['correctionBaseDate'] === 'string' ? task['correctionBaseDate'].replace(/\./g, '-') : '';
    const type = task['correctionType'];
    receipt.correction = {
      type: type === 'instruction' ? 'instruction' : 'self',
      baseDate: type === 'self' || type === 'instruction' ? date : '',
      baseNumber: typeof task['correctionBaseNumber'] === 'string' ? task['correctionBaseNumber'] : '',
    };
  }
  return receipt;
}

function moscow(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 3 * 3_600_000);
  return `${d.toISOString().slice(0, 19)}+03:00`;
}

/** The double just below x: what a sum kept as a double and added up shows (4889.56 → 4889.5599999999995). */
function floatNoise(x: number): number {
  if (x === 0) return 0;
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] = (bits[0] ?? 0n) - 1n;
  return f[0] ?? x;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startAtolSimulator(device: VirtualRegister, options: AtolSimulatorOptions = {}, port = 0): Promise<AtolSimulator> {
  const prefix = options.apiPrefix ?? '/api/v2';
  const entries = new Map<string, Entry>();
  const order: Entry[] = [];
  const seen: { uuid: string; tasks: AtolTask[] }[] = [];
  const http: { method: string; path: string }[] = [];
  let odd = options.oddNumbers === true;
  let armed: LinkLoss | null = null;
  let block: Block | null = null;
  const failures: { type: string; code: number; description: string; executed: boolean }[] = [];
  let working: Promise<void> | null = null;
  let stopped = false;

  /** A counter as the device reports it: two decimals, or with noise when odd numbers are on. */
  const sum = (kop: number | null): number => (odd ? floatNoise((kop ?? 0) / 100) : (kop ?? 0) / 100);
  /** A receipt total: three decimals when odd numbers are on (725.75 → 725.745, the same kopeck rounded). */
  const total = (kop: number): number => (odd && kop > 0 ? Number((kop / 100 - 0.005).toFixed(3)) : kop / 100);

  async function lastFd(): Promise<number> {
    return (await device.status()).lastDocumentNumber ?? 0;
  }

  /** The fiscal parameters of a receipt the device holds under an operation id. */
  async function receiptParams(opId: string): Promise<Record<string, unknown> | null> {
    const r = await device.lookupOperation(opId);
    if (!r) return null;
    return {
      fiscalDocumentDateTime: moscow(r.at),
      fiscalDocumentNumber: r.documentNumber,
      fiscalDocumentSign: r.fiscalSign,
      fiscalReceiptNumber: r.receiptNumber,
      fnNumber: r.fnNumber,
      registrationNumber: r.registrationNumber,
      shiftNumber: r.shiftNumber,
      total: total(r.totalKop),
      fnsUrl: 'www.nalog.gov.ru',
    };
  }

  /** A fiscal document by its number, as the device's tape holds it. */
  function documentNumbered(n: number): { type: string; operationId: string | null; at: string } | null {
    const doc = device.documents({ limit: 1_000_000 }).find((d) => d.documentNumber === n);
    return doc ? { type: doc.type, operationId: doc.operationId, at: doc.at } : null;
  }

  /** [S1] getFnDocument: the document's tags by number, with its type. */
  async function fnDocument(n: number): Promise<unknown> {
    const doc = documentNumbered(n);
    // [P] the error a missing document gives; 232 is «Заданный диапазон документов не найден».
    if (!doc) throw new FiscalError('rejected', `документ ${n} не найден в ФН`, 232);
    const tlv: Record<string, unknown> = { '1040': n, '1012': moscow(doc.at) };
    if (doc.type === 'sale' || doc.type === 'sale_return') {
      const r = doc.operationId ? await device.lookupOperation(doc.operationId) : null;
      const receipt = device.receipts().find((x) => x.documentNumber === n);
      // A correction is its own document type on a real drive (KKTServiceLib's FiscalDocumentType).
      tlv['fiscalDocumentType'] = receipt?.correction ? 'receiptCorrection' : 'receipt';
      tlv['1054'] = doc.type === 'sale' ? 1 : 2;
      tlv['1020'] = total(receipt?.totalKop ?? 0);
      tlv['1038'] = receipt?.shiftNumber ?? 0;
      if (r) {
        tlv['1077'] = r.fiscalSign;
        tlv['1042'] = r.receiptNumber;
        tlv['qr'] = r.qr;
      }
    } else {
      tlv['fiscalDocumentType'] = doc.type === 'open_shift' ? 'openShift' : doc.type === 'close_shift' ? 'closeShift' : 'ofdExchangeStatus';
    }
    return { documentTLV: { short: false, ...tlv } };
  }

  /** [WD] what the worker asks the device for a blocked task it finds done: the last document's parameters. */
  async function lastFiscalParams(forReceipt: boolean): Promise<unknown> {
    const last = forReceipt ? device.receipts().at(-1) : null;
    if (last?.operationId) {
      const p = await receiptParams(last.operationId);
      if (p) return { fiscalParams: p };
    }
    const n = await lastFd();
    const doc = documentNumbered(n);
    const s = await device.status();
    return {
      fiscalParams: {
        fiscalDocumentNumber: n,
        fiscalDocumentDateTime: doc ? moscow(doc.at) : null,
        shiftNumber: s.shift.number ?? 0,
        fnNumber: s.fn.number,
      },
    };
  }

  async function execute(uuid: string, task: AtolTask): Promise<unknown> {
    const s = await device.status();
    switch (task.type) {
      case 'sell':
      case 'sellReturn':
      case 'sellCorrection':
      case 'sellReturnCorrection': {
        const r = await device.registerReceipt(receiptOfTask(uuid, task));
        return { fiscalParams: await receiptParams(r.operationId), warnings: r.printed ? null : { notPrinted: true } };
      }
      case 'openShift': {
        const d = await device.openShift(uuid, cashierOf(task));
        return {
          fiscalParams: {
            fiscalDocumentDateTime: moscow(d.at),
            fiscalDocumentNumber: d.documentNumber,
            shiftNumber: d.shiftNumber,
            fnNumber: s.fn.number,
          },
          warnings: null,
        };
      }
      case 'closeShift': {
        const d = await device.closeShift(uuid, cashierOf(task));
        return {
          fiscalParams: {
            fiscalDocumentDateTime: moscow(d.at),
            fiscalDocumentNumber: d.documentNumber,
            shiftNumber: d.shiftNumber,
            receiptsCount: (d.totals?.sales.count ?? 0) + (d.totals?.returns.count ?? 0),
          },
          warnings: null,
        };
      }
      case 'reportX':
        await device.xReport(uuid, cashierOf(task));
        return null;
      case 'cashIn':
      case 'cashOut': {
        const amount = kopOf(task['cashSum']);
        const r =
          task.type === 'cashIn' ? await device.cashIn(uuid, cashierOf(task), amount) : await device.cashOut(uuid, cashierOf(task), amount);
        return { counters: { cashSum: sum(r.drawerKop) } };
      }
      case 'cancelReceipt':
        await device.cancelReceipt();
        return null;
      case 'continuePrint':
        await device.continuePrint();
        return null;
      case 'printLastReceiptCopy':
        await device.reprintLast();
        return null;
      case 'printFnDocument':
        await device.reprintDocument(Number(task['fiscalDocumentNumber']));
        return null;
      case 'nonFiscal': {
        const lines = ((task['items'] ?? []) as { text?: string }[]).map((i) => i.text ?? '');
        if (lines.every((l) => l === '')) await device.cut();
        else await device.printText(lines);
        return null;
      }
      case 'getShiftTotals': {
        const t = await device.shiftTotals();
        return {
          shiftTotals: {
            shiftNumber: t.shiftNumber,
            cashDrawer: { sum: sum(t.drawerKop) },
            income: { sum: sum(t.cashInKop) },
            outcome: { sum: sum(t.cashOutKop) },
            receipts: {
              sell: {
                sum: sum(t.sales.cashKop + t.sales.cardKop),
                count: t.sales.count,
                payments: { cash: sum(t.sales.cashKop), electronically: sum(t.sales.cardKop) },
              },
              sellReturn: {
                sum: sum(t.returns.cashKop + t.returns.cardKop),
                count: t.returns.count,
                payments: { cash: sum(t.returns.cashKop), electronically: sum(t.returns.cardKop) },
              },
            },
          },
        };
      }
      case 'getDeviceStatus':
        if (!s.connected) throw new FiscalError('unavailable');
        return {
          deviceStatus: {
            currentDateTime: moscow(new Date().toISOString()),
            shift: s.shift.state === 'closed' ? 'closed' : 'opened',
            blocked: false,
            coverOpened: s.coverOpen,
            paperPresent: s.paperPresent,
            fiscal: true,
            fnFiscal: true,
            fnPresent: true,
            cashDrawerOpened: false,
            receiptOpened: s.receiptOpen,
          },
        };
      case 'getShiftStatus':
        return {
          shiftStatus: {
            number: s.shift.number ?? 0,
            state: s.shift.state === 'open' ? 'opened' : s.shift.state,
            expiredTime: s.shift.expiresAt ? moscow(s.shift.expiresAt) : null,
            documentsCount: 0,
          },
        };
      case 'ofdExchangeStatus':
        return {
          status: { notSentCount: s.ofd.unsentCount, notSentFirstDocDateTime: s.ofd.oldestUnsentAt ? moscow(s.ofd.oldestUnsentAt) : null },
        };
      case 'getFnInfo':
        return {
          fnInfo: {
            serial: s.fn.number,
            validityDate: s.fn.validUntil ? `${s.fn.validUntil}T00:00:00+03:00` : null,
            warnings: Object.fromEntries(s.fn.warnings.map((w) => [w, true])),
          },
        };
      case 'getDeviceInfo':
        return {
          deviceInfo: {
            model: 67,
            modelName: 'АТОЛ (симулятор)',
            serial: s.serialNumber,
            firmwareVersion: '5.8',
            receiptLineLength: 42,
            ffdVersion: '1.2',
          },
        };
      case 'getFnStatus':
        return {
          fnStatus: {
            fiscalDocumentNumber: s.lastDocumentNumber ?? 0,
            fiscalReceiptNumber: device.receipts().filter((r) => r.shiftNumber === s.shift.number).length,
            warnings: {},
          },
        };
      case 'getFnDocument':
        return fnDocument(Number(task['fiscalDocumentNumber']));
      case 'getLastFiscalParams':
        return lastFiscalParams(task['forReceipt'] === true);
      default:
        throw new FiscalError('rejected', `неизвестная задача ${task.type}`, 503);
    }
  }

  function errorOf(e: unknown): { code: number; description: string; kind: FiscalErrorCode } {
    const fe = e instanceof FiscalError ? e : new FiscalError('rejected', (e as Error).message);
    return { code: typeof fe.vendorCode === 'number' ? fe.vendorCode : ATOL_CODES[fe.code], description: fe.message, kind: fe.code };
  }

  function linkBack(b: Block): boolean {
    if (b.held) return false;
    if (b.until !== null && Date.now() >= b.until) return true;
    if (b.polls !== null && b.polls <= 0) return true;
    return b.until === null && b.polls === null;
  }

  /** [WD] the server settles a blocked task once the device answers, unblocks, and the queue goes on. */
  async function recover(b: Block): Promise<boolean> {
    let now: number;
    try {
      now = await lastFd();
    } catch {
      return false;
    }
    const closed = now > b.lastFd;
    await device.continuePrint().catch(() => undefined);
    const slot = b.entry.slots[b.index];
    const task = b.entry.tasks[b.index];
    if (slot && task) {
      if (closed) {
        slot.status = 'ready';
        slot.error = { code: 0, description: 'Ошибок нет' };
        slot.result = await lastFiscalParams(RECEIPTS.has(task.type)).catch(() => null);
      } else {
        slot.status = 'error';
      }
    }
    b.entry.finished = true;
    b.entry.finish();
    block = null;
    return true;
  }

  async function run(entry: Entry): Promise<void> {
    let wasError = false;
    for (let i = 0; i < entry.tasks.length; i++) {
      const slot = entry.slots[i];
      const task = entry.tasks[i];
      if (!slot || !task) continue;
      slot.status = 'inProgress';
      if (options.taskMs) await sleep(options.taskMs);
      if (wasError) {
        slot.status = 'interrupted';
        slot.error = { code: 502, description: 'Выполнение прервано из-за предыдущих ошибок' };
        continue;
      }
      const fiscal = FISCAL.has(task.type);
      let before = -1;
      if (fiscal) {
        try {
          before = await lastFd();
        } catch (e) {
          slot.status = 'error';
          slot.error = errorOf(e);
          wasError = true;
          continue;
        }
      }
      if (fiscal && armed) {
        const loss = armed;
        armed = null;
        if (loss.fiscalised) await execute(entry.uuid, task).catch(() => undefined);
        slot.status = 'blocked';
        slot.error = { code: loss.code ?? 2, description: loss.code === undefined ? 'Нет связи' : `Ошибка ${loss.code}` };
        block = {
          entry,
          index: i,
          lastFd: before,
          reason: 'connectionError',
          until: loss.ms !== undefined ? Date.now() + loss.ms : null,
          polls: loss.polls ?? null,
          held: loss.ms === undefined && loss.polls === undefined,
        };
        wasError = true;
        continue;
      }
      const failure = failures.findIndex((f) => f.type === task.type);
      if (failure >= 0) {
        const [f] = failures.splice(failure, 1);
        if (f?.executed) await execute(entry.uuid, task).catch(() => undefined);
        slot.status = 'error';
        slot.error = { code: f?.code ?? 15, description: f?.description ?? '' };
        wasError = true;
        continue;
      }
      try {
        slot.result = await execute(entry.uuid, task);
        slot.status = 'ready';
        slot.error = { code: 0, description: 'Ошибок нет' };
      } catch (e) {
        const { code, description, kind } = errorOf(e);
        slot.error = { code, description };
        // A fiscal task whose link drops mid-way blocks the queue [WD]; the device answers again at once.
        if (fiscal && (kind === 'unavailable' || kind === 'outcome_unknown')) {
          slot.status = 'blocked';
          block = { entry, index: i, lastFd: before, reason: 'connectionError', until: null, polls: null, held: false };
        } else {
          slot.status = 'error';
        }
        wasError = true;
      }
    }
    if (!block || block.entry !== entry) {
      entry.finished = true;
      entry.finish();
    }
  }

  /** The queue worker: one request at a time, in order; a blocked queue waits for the device [WD]. */
  /** `recover`: the server's own periodic check may settle a block; a client's request only moves the queue. */
  function kick(recoverBlock = false): Promise<void> {
    if (working) return working;
    let worker: Promise<void> | null = null;
    worker = (async (): Promise<void> => {
      await Promise.resolve(); // so that `working` is set before the loop can finish
      try {
        while (!stopped) {
          if (block) {
            if (!recoverBlock || !linkBack(block) || !(await recover(block))) break;
            continue;
          }
          const next = order.find((e) => !e.finished && !e.canceled && e.slots.every((s) => s.status === 'wait'));
          if (!next) break;
          const first = next.slots[0];
          if (first) first.status = 'inProgress';
          await run(next);
        }
      } finally {
        if (working === worker) working = null;
      }
    })();
    working = worker;
    return worker;
  }
  const recheck = setInterval(() => {
    if (block) void kick(true);
  }, options.recheckMs ?? 10);
  recheck.unref();

  function add(uuid: string, tasks: AtolTask[]): Entry {
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    const entry: Entry = {
      uuid,
      tasks,
      slots: tasks.map(() => ({ status: 'wait', error: { code: 0, description: 'Ошибок нет' }, result: null })),
      finished: false,
      canceled: false,
      done,
      finish,
    };
    entries.set(uuid, entry);
    order.push(entry);
    return entry;
  }

  function shape(entry: Entry): unknown {
    if (!options.flatResults) return { results: entry.slots.map((s) => ({ status: s.status, error: s.error, result: s.result })) };
    return {
      results: entry.slots.map((r) => ({
        status: r.status,
        errorCode: r.error.code,
        errorDescription: r.error.description,
        result: r.result,
      })),
    };
  }

  const fail = (status: number, code: number, description: string): { status: number; body: unknown; text?: string } =>
    options.textErrors
      ? {
          status,
          body: null,
          text: `<html><head><title>Error ${status} ${description}</title></head><body><h2>HTTP ERROR ${status} ${description}</h2></body></html>`,
        }
      : { status, body: { error: { code, description } } };

  function queueStatus(): Record<string, unknown> {
    const b = block;
    const common = {
      number: order.filter((e) => !e.finished && !e.canceled).length,
      ready: order.filter((e) => e.finished).length,
      canceled: order.filter((e) => e.canceled).length,
    };
    // [1C]: older builds answer /stat/requests with is_blocked.
    if (prefix === '') return { ...common, is_blocked: b !== null, blocked_uuid: b?.entry.uuid ?? '' };
    return { ...common, isBlocked: b !== null, blockReason: b?.reason ?? '', blockedUUID: b?.entry.uuid ?? '' };
  }

  const server = await startJsonServer(async (req) => {
    const path = req.path.split('?')[0] ?? '';
    http.push({ method: req.method, path });
    if (block && block.polls !== null) block.polls--;
    if (options.basicAuth) {
      const expected = `Basic ${Buffer.from(`${options.basicAuth.user}:${options.basicAuth.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return fail(401, 401, 'Unauthorized');
    }
    if (req.method === 'POST' && path === `${prefix}/requests`) {
      const body = req.body as { uuid?: unknown; request?: unknown } | null;
      if (typeof body?.uuid !== 'string' || body.uuid === '' || body.request === undefined)
        return fail(400, 400, "'uuid' and / or 'request' not found");
      const tasks = (Array.isArray(body.request) ? body.request : [body.request]) as AtolTask[];
      if (tasks.some((t) => typeof t?.type !== 'string')) return fail(400, 501, 'Неверное задание');
      const fiscal = tasks.filter((t) => FISCAL.has(t.type)).length;
      if (fiscal > 1) return fail(400, 400, `Too many fiscal sub-tasks - ${fiscal}`);
      if (entries.has(body.uuid)) return fail(409, 409, `Task with uuid '${body.uuid}' already exists`);
      const entry = add(body.uuid, tasks);
      seen.push({ uuid: body.uuid, tasks });
      const worker = kick();
      if (!options.taskMs && !block) await worker;
      return { status: 201, body: { number: 0, uuid: entry.uuid, isBlocked: block !== null, blockedUUID: block?.entry.uuid ?? '' } };
    }
    const m = new RegExp(`^${prefix}/requests/([^/]+)$`).exec(path);
    if (m) {
      const entry = entries.get(decodeURIComponent(m[1] ?? ''));
      if (req.method === 'GET') {
        void kick();
        if (!entry) return fail(404, 404, 'Not Found');
        return { status: 200, body: shape(entry) };
      }
      if (req.method === 'DELETE') {
        if (!entry) return fail(404, 404, 'Not Found');
        if (entry.finished || entry.canceled) return fail(405, 405, 'Task done or canceled');
        if (entry.slots.some((s) => s.status !== 'wait')) return fail(405, 405, 'Task in progress');
        entry.canceled = true;
        for (const s of entry.slots) s.status = 'canceled';
        entry.finish();
        return { status: 200, body: null };
      }
    }
    if (req.method === 'GET' && path === (prefix === '' ? '/stat/requests' : `${prefix}/getRequestsQueueStatus`)) {
      void kick();
      return { status: 200, body: queueStatus() };
    }
    const op = prefix === '' ? null : new RegExp(`^${prefix}/operations/([A-Za-z]+)$`).exec(path);
    if (op && req.method === 'POST') {
      const type = OPERATIONS[op[1] ?? ''];
      if (!type) return fail(404, 404, 'Not Found');
      // Outside the queue, straight to the device: which does not answer while the link is down.
      if (block && !linkBack(block)) return fail(500, 2, 'Нет связи');
      try {
        return { status: 200, body: await execute('', { type }) };
      } catch (e) {
        const { code, description } = errorOf(e);
        return fail(500, code, description);
      }
    }
    return fail(404, 404, 'Нет такого метода');
  }, port);

  return {
    ...server,
    stop: async () => {
      stopped = true;
      clearInterval(recheck);
      await server.stop();
    },
    requestsSeen: () => seen,
    httpSeen: () => http,
    queue: () => order.map((e) => ({ uuid: e.uuid, types: e.tasks.map((t) => t.type), statuses: e.slots.map((s) => s.status) })),
    loseLinkOnNextFiscal: (loss) => {
      armed = loss;
    },
    blockNext: () => {
      armed = { fiscalised: true };
    },
    release: () => {
      if (block) block.held = false;
    },
    blocked: () => block !== null,
    prefill: async (uuid, tasks) => {
      const entry = add(uuid, tasks);
      await kick();
      if (!block) await Promise.race([entry.done, sleep(5_000)]);
    },
    setOddNumbers: (on) => {
      odd = on;
    },
    paperOutAfterNextReceipt: () => device.injectFault({ kind: 'paper_out_after' }),
    failNext: (type, code, o = {}) => {
      failures.push({ type, code, description: o.description ?? `Ошибка ${code}`, executed: o.executed === true });
    },
  };
}
