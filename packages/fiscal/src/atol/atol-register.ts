/**
 * ATOL Driver v10 through its Web server: POST /api/v2/requests with `uuid` = the operation id, then
 * GET /api/v2/requests/{uuid} until no task is waiting or running. A resend of the same uuid is
 * answered 409 and the driver fetches the original result instead of printing twice; a `blocked`
 * task is an unknown outcome; a receipt fiscalised but not printed is finished with continuePrint.
 */
import { randomUUID } from 'node:crypto';
import { rubNumberToKop, type Receipt, type ReceiptKind } from '@paydesk/domain';
import {
  FiscalError,
  type Cashier,
  type CloseShiftResult,
  type FiscalRegister,
  type FiscalResult,
  type LastDocument,
  type RegisterShiftTotals,
  type RegisterStatus,
  type ShiftDocument,
} from '../port.ts';
import { basicAuth, httpJson, sleep, TransportError, type HttpJsonOptions } from '../http-json.ts';
import { atolError, fiscalResultOf, operatorOf, receiptTask, shiftTotalsOf, type AtolFiscalParams, type AtolTask } from './atol-mapping.ts';

export interface AtolOptions {
  /** The web server, e.g. http://127.0.0.1:16732 */
  url: string;
  user?: string;
  password?: string;
  /** `/api/v2` on current builds; '' on old ones that expose /requests at the root. */
  apiPrefix?: string;
  deviceId?: string;
  /** How long one task may take before its outcome is called unknown. */
  taskTimeoutMs?: number;
  requestTimeoutMs?: number;
  pollIntervalMs?: number;
}

interface TaskResult {
  status: string;
  errorCode: number;
  errorDescription: string;
  result: unknown;
}

const PENDING = new Set(['wait', 'inProgress']);
const MAX_ATTEMPTS = 50;

/** The request key of an operation's n-th attempt: the operation id itself, then id-r2, id-r3… */
export function attemptKey(operationId: string, attempt: number): string {
  return attempt === 1 ? operationId : `${operationId}-r${attempt}`;
}

/** Both result shapes: v2's nested `error` and older builds' flat `errorCode`/`errorDescription`. */
export function normalizeResults(body: unknown): TaskResult[] {
  const results = (body as { results?: unknown[] } | null)?.results;
  if (!Array.isArray(results)) throw new FiscalError('outcome_unknown', 'ответ веб-сервера ДТО без results');
  return results.map((r) => {
    const e = r as { status?: string; error?: { code?: number; description?: string }; errorCode?: number; errorDescription?: string; result?: unknown };
    return {
      status: e.status ?? 'error',
      errorCode: e.error?.code ?? e.errorCode ?? 0,
      errorDescription: e.error?.description ?? e.errorDescription ?? '',
      result: e.result ?? null,
    };
  });
}

export class AtolRegister implements FiscalRegister {
  readonly driver = 'atol' as const;
  private readonly http: HttpJsonOptions;
  private readonly prefix: string;
  private readonly taskTimeoutMs: number;
  private readonly pollMs: number;
  private readonly deviceQuery: string;

  constructor(private readonly options: AtolOptions) {
    const auth = basicAuth(options.user, options.password);
    this.http = { baseUrl: options.url, timeoutMs: options.requestTimeoutMs ?? 10_000, ...(auth ? { authorization: auth } : {}) };
    this.prefix = options.apiPrefix ?? '/api/v2';
    this.taskTimeoutMs = options.taskTimeoutMs ?? 60_000;
    this.pollMs = options.pollIntervalMs ?? 150;
    this.deviceQuery = options.deviceId ? `?deviceID=${encodeURIComponent(options.deviceId)}` : '';
  }

  /**
   * Runs tasks for an operation exactly once. ATOL keeps every uuid forever, so a retry after an
   * attempt that certainly failed (paper out, shift closed) goes under the next attempt key; any
   * earlier attempt that succeeded is found first, so a resend never prints twice.
   */
  private async runOnce(operationId: string, tasks: AtolTask[]): Promise<TaskResult[]> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const key = attemptKey(operationId, attempt);
      const { fresh, results } = await this.submit(key, tasks);
      try {
        return await this.settle(key, results);
      } catch (e) {
        if (!fresh && e instanceof FiscalError && e.outcome === 'not_done') continue;
        throw e;
      }
    }
    throw new FiscalError('rejected', 'слишком много неудачных попыток этой операции');
  }

  /** POSTs a request; on 409 (uuid known) fetches what is stored instead. */
  private async submit(uuid: string, tasks: AtolTask[]): Promise<{ fresh: boolean; results: TaskResult[] }> {
    let posted: { status: number; body: unknown };
    try {
      posted = await httpJson(this.http, 'POST', `${this.prefix}/requests${this.deviceQuery}`, { uuid, request: tasks });
    } catch (e) {
      if (e instanceof TransportError && e.notDelivered) throw new FiscalError('unavailable', e.message, 'transport', 'not_done');
      // The request may have reached the server: ask for the uuid before anything else.
      const seen = await this.fetch(uuid).catch(() => undefined);
      if (seen === undefined) throw new FiscalError('outcome_unknown', (e as Error).message, 'transport');
      if (seen === null) throw new FiscalError('unavailable', 'запрос не дошёл до веб-сервера ДТО', 'transport', 'not_done');
      return { fresh: true, results: seen };
    }
    if (posted.status === 400) {
      const err = (posted.body as { error?: { code?: number; description?: string } } | null)?.error;
      throw new FiscalError('rejected', err?.description ?? 'веб-сервер ДТО отверг запрос', err?.code ?? 400);
    }
    if (posted.status === 401 || posted.status === 403) throw new FiscalError('unavailable', 'веб-сервер ДТО отказал в доступе', posted.status, 'not_done');
    if (posted.status !== 201 && posted.status !== 200 && posted.status !== 409) {
      throw new FiscalError('unavailable', `веб-сервер ДТО ответил ${posted.status}`, posted.status, 'not_done');
    }
    return { fresh: posted.status !== 409, results: await this.mustFetch(uuid) };
  }

  /** The results under a uuid: null when the server has never seen it. */
  private async fetch(uuid: string): Promise<TaskResult[] | null> {
    const r = await httpJson(this.http, 'GET', `${this.prefix}/requests/${encodeURIComponent(uuid)}`);
    if (r.status === 404) return null;
    if (r.status !== 200) throw new TransportError(`GET requests: ${r.status}`, false);
    return normalizeResults(r.body);
  }

  private async mustFetch(uuid: string): Promise<TaskResult[]> {
    try {
      const r = await this.fetch(uuid);
      if (r === null) throw new FiscalError('outcome_unknown', 'веб-сервер ДТО не знает принятый запрос');
      return r;
    } catch (e) {
      if (e instanceof FiscalError) throw e;
      throw new FiscalError('outcome_unknown', (e as Error).message, 'transport');
    }
  }

  private async settle(uuid: string, first: TaskResult[]): Promise<TaskResult[]> {
    const deadline = Date.now() + this.taskTimeoutMs;
    let results = first;
    while (results.some((r) => PENDING.has(r.status))) {
      if (Date.now() > deadline) throw new FiscalError('outcome_unknown', 'ККТ не завершила операцию вовремя');
      await sleep(this.pollMs);
      results = await this.mustFetch(uuid);
    }
    for (const r of results) {
      if (r.status === 'blocked') throw new FiscalError('outcome_unknown', `задание заблокировано: ${r.errorDescription}`, r.errorCode);
      if (r.status === 'error') throw atolError(r.errorCode, r.errorDescription);
      if (r.status === 'interrupted' || r.status === 'canceled') throw new FiscalError('rejected', `задание ${r.status}`, r.errorCode);
    }
    return results;
  }

  private async query(tasks: AtolTask[]): Promise<TaskResult[]> {
    const uuid = randomUUID();
    return this.settle(uuid, (await this.submit(uuid, tasks)).results);
  }

  async registerReceipt(receipt: Receipt): Promise<FiscalResult> {
    const [result] = await this.runOnce(receipt.operationId, [receiptTask(receipt)]);
    return fiscalResultOf(receipt, result?.result);
  }

  async openShift(operationId: string, cashier: Cashier): Promise<ShiftDocument> {
    const [r] = await this.runOnce(operationId, [{ type: 'openShift', operator: operatorOf(cashier) }]);
    const p = ((r?.result ?? {}) as { fiscalParams?: AtolFiscalParams }).fiscalParams ?? {};
    return { operationId, shiftNumber: p.shiftNumber ?? 0, documentNumber: p.fiscalDocumentNumber ?? 0, at: toIso(p.fiscalDocumentDateTime) };
  }

  async closeShift(operationId: string, cashier: Cashier): Promise<CloseShiftResult> {
    // Totals and the Z report in one request, so a resend of the uuid returns both as they were.
    const [totals, close] = await this.runOnce(operationId, [{ type: 'getShiftTotals' }, { type: 'closeShift', operator: operatorOf(cashier) }]);
    const p = ((close?.result ?? {}) as { fiscalParams?: AtolFiscalParams }).fiscalParams ?? {};
    return { operationId, shiftNumber: p.shiftNumber ?? 0, documentNumber: p.fiscalDocumentNumber ?? 0, at: toIso(p.fiscalDocumentDateTime), totals: shiftTotalsOf(totals?.result) };
  }

  async xReport(operationId: string, cashier: Cashier): Promise<RegisterShiftTotals> {
    const [totals] = await this.runOnce(operationId, [{ type: 'getShiftTotals' }, { type: 'reportX', operator: operatorOf(cashier) }]);
    return shiftTotalsOf(totals?.result);
  }

  async cashIn(operationId: string, cashier: Cashier, amountKop: number): Promise<{ drawerKop: number | null }> {
    return this.cashMove('cashIn', operationId, cashier, amountKop);
  }

  async cashOut(operationId: string, cashier: Cashier, amountKop: number): Promise<{ drawerKop: number | null }> {
    return this.cashMove('cashOut', operationId, cashier, amountKop);
  }

  private async cashMove(type: 'cashIn' | 'cashOut', operationId: string, cashier: Cashier, amountKop: number): Promise<{ drawerKop: number | null }> {
    const [r] = await this.runOnce(operationId, [{ type, operator: operatorOf(cashier), cashSum: amountKop / 100 }]);
    const sum = ((r?.result ?? {}) as { counters?: { cashSum?: number } }).counters?.cashSum;
    return { drawerKop: typeof sum === 'number' ? rubNumberToKop(sum) : null };
  }

  async cancelReceipt(): Promise<void> {
    // [P] one client only shows this task; the native library has libfptr_cancel_receipt.
    await this.query([{ type: 'cancelReceipt' }]);
  }

  async continuePrint(): Promise<void> {
    await this.query([{ type: 'continuePrint' }]);
  }

  async reprintLast(): Promise<void> {
    await this.query([{ type: 'printLastReceiptCopy' }]);
  }

  async reprintDocument(documentNumber: number): Promise<void> {
    await this.query([{ type: 'printFnDocument', fiscalDocumentNumber: documentNumber }]);
  }

  async cut(): Promise<void> {
    // No cut task exists; a non-fiscal document with its footer feeds and cuts the tape.
    await this.query([{ type: 'nonFiscal', items: [{ type: 'text', text: '' }], printFooter: true }]);
  }

  async printText(lines: string[]): Promise<void> {
    await this.query([{ type: 'nonFiscal', items: lines.map((text) => ({ type: 'text', text })), printFooter: true }]);
  }

  async status(): Promise<RegisterStatus> {
    let results: TaskResult[];
    try {
      results = await this.query([{ type: 'getDeviceStatus' }, { type: 'getShiftStatus' }, { type: 'ofdExchangeStatus' }, { type: 'getFnInfo' }, { type: 'getDeviceInfo' }, { type: 'getFnStatus' }, { type: 'getShiftTotals' }]);
    } catch (e) {
      if (e instanceof FiscalError && (e.code === 'unavailable' || e.code === 'outcome_unknown')) return disconnected(this.driver);
      throw e;
    }
    const [dev, shift, ofd, fn, info, fnStatus, totals] = results.map((r) => (r.result ?? {}) as Record<string, Record<string, unknown>>);
    const ds = dev?.['deviceStatus'] ?? {};
    const ss = shift?.['shiftStatus'] ?? {};
    const os = (ofd?.['status'] ?? {}) as { notSentCount?: number; notSentFirstDocDateTime?: string };
    const fi = fn?.['fnInfo'] ?? {};
    const di = info?.['deviceInfo'] ?? {};
    const state = ss['state'] === 'opened' ? 'open' : ss['state'] === 'expired' ? 'expired' : 'closed';
    const expiresAt = typeof ss['expiredTime'] === 'string' ? toIso(ss['expiredTime']) : null;
    const warnings = Object.entries((fi['warnings'] ?? {}) as Record<string, boolean>).filter(([, v]) => v).map(([k]) => k);
    const drawer = ((totals?.['shiftTotals'] ?? {}) as { cashDrawer?: { sum?: number } }).cashDrawer?.sum;
    const lastFd = (fnStatus?.['fnStatus'] as { fiscalDocumentNumber?: number } | undefined)?.fiscalDocumentNumber;
    return {
      driver: 'atol',
      connected: true,
      model: str(di['modelName']) || str(di['model']) || 'АТОЛ',
      serialNumber: str(di['serial']),
      shift: {
        state,
        number: typeof ss['number'] === 'number' ? ss['number'] : null,
        openedAt: expiresAt ? new Date(new Date(expiresAt).getTime() - 24 * 3_600_000).toISOString() : null,
        expiresAt,
      },
      paperPresent: ds['paperPresent'] !== false,
      coverOpen: ds['coverOpened'] === true,
      receiptOpen: ds['receiptOpened'] === true,
      drawerKop: typeof drawer === 'number' ? rubNumberToKop(drawer) : null,
      fn: { number: str(fi['serial']), validUntil: typeof fi['validityDate'] === 'string' ? fi['validityDate'].slice(0, 10) : null, warnings },
      ofd: { unsentCount: os.notSentCount ?? 0, oldestUnsentAt: os.notSentCount ? toIso(os.notSentFirstDocDateTime) : null },
      lastDocumentNumber: typeof lastFd === 'number' && lastFd > 0 ? lastFd : null,
    };
  }

  async shiftTotals(): Promise<RegisterShiftTotals> {
    const [r] = await this.query([{ type: 'getShiftTotals' }]);
    return shiftTotalsOf(r?.result);
  }

  async lastDocument(): Promise<LastDocument | null> {
    const [r] = await this.query([{ type: 'getFnStatus' }]);
    const s = ((r?.result ?? {}) as { fnStatus?: { fiscalDocumentNumber?: number } }).fnStatus;
    if (!s?.fiscalDocumentNumber) return null;
    // The drive reports the number only; type and sum are not in getFnStatus.
    return { documentNumber: s.fiscalDocumentNumber, kind: 'other', totalKop: null, at: new Date().toISOString(), operationId: null };
  }

  async lookupOperation(operationId: string, expected?: { kind: ReceiptKind; totalKop: number }): Promise<FiscalResult | null> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const key = attemptKey(operationId, attempt);
      let results: TaskResult[] | null;
      try {
        results = await this.fetch(key);
      } catch (e) {
        throw new FiscalError('unavailable', (e as Error).message, 'transport');
      }
      if (results === null) return null;
      try {
        results = await this.settle(key, results);
      } catch (e) {
        if (e instanceof FiscalError && e.outcome === 'not_done') continue;
        throw e;
      }
      const result = results[0]?.result;
      if (!((result ?? {}) as { fiscalParams?: AtolFiscalParams }).fiscalParams?.fiscalDocumentNumber) return null;
      // The results do not repeat the request: kind and sum come from what the caller expected.
      const shape: Receipt = { operationId, kind: expected?.kind ?? 'sale', taxSystem: 'osn', cashier: { name: '' }, items: [], payments: { cashKop: 0, cardKop: 0 }, totalKop: expected?.totalKop ?? 0 };
      return fiscalResultOf(shape, result);
    }
    return null;
  }

  async close(): Promise<void> {}

  get url(): string {
    return this.options.url;
  }
}

/** A device's field as text; anything that is not a string or a number is absent. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

function toIso(text: unknown): string {
  if (typeof text !== 'string') return new Date().toISOString();
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? new Date().toISOString() : d.toISOString();
}

export function disconnected(driver: RegisterStatus['driver']): RegisterStatus {
  return {
    driver,
    connected: false,
    model: '',
    serialNumber: '',
    shift: { state: 'closed', number: null, openedAt: null, expiresAt: null },
    paperPresent: false,
    coverOpen: false,
    receiptOpen: false,
    drawerKop: null,
    fn: { number: '', validUntil: null, warnings: [] },
    ofd: { unsentCount: 0, oldestUnsentAt: null },
    lastDocumentNumber: null,
  };
}
