/**
 * ATOL Driver v10 through its web server: POST /api/v2/requests with `uuid` = the operation id, then
 * GET /api/v2/requests/{uuid} until no task is waiting or running (the API and its sources:
 * atol-transport.ts, testing/atol-simulator.ts). What the real server does, and what the driver does
 * about it:
 *
 * - A uuid the server already holds is answered 409 and nothing runs. The driver then reads what is
 *   stored under it and takes it only if it is this operation: a receipt of this kind and total (kind from
 *   the fiscal drive's copy of the document, `getFnDocument`, since results do not repeat the request), a
 *   shift document, a cash move. Anything else — another client's receipt, a cash-in — is refused: this
 *   operation was not printed under that id.
 * - A fiscal task whose link to the device drops is `blocked`, and the server stops its whole queue until
 *   the device answers again; then it settles the task by the document counter itself (ready or error).
 *   The driver waits a while for that; past it the outcome is unknown and the desk settles it later by
 *   lookup and counters. While the queue is stopped the driver posts nothing: operations are refused as
 *   busy, and status and the last document number come from the direct operations (/operations/query*),
 *   which skip the queue. A request that waits in the queue too long is withdrawn (DELETE), never left to
 *   run minutes later.
 * - Sums come as doubles (4889.5599999999995) or with three decimals (725.745): read to the nearest kopeck
 *   with a warning, never refused.
 * - A receipt fiscalised but not printed (paper out) answers `warnings.notPrinted`; continuePrint finishes it.
 */
import { randomUUID } from 'node:crypto';
import { formatRub, type Receipt, type ReceiptKind } from '@paydesk/domain';
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
import { sleep, TransportError } from '../http-json.ts';
import {
  atolError,
  documentOf,
  fiscalResultOf,
  operatorOf,
  readKop,
  receiptTask,
  shiftTotalsOf,
  type AtolFiscalParams,
  type AtolTask,
  type Warn,
} from './atol-mapping.ts';
import { AtolTransport, FINAL, type QueueState, type TaskResult } from './atol-transport.ts';

export { normalizeResults } from './atol-transport.ts';

export interface AtolOptions {
  /** The web server, e.g. http://127.0.0.1:16732 */
  url: string;
  user?: string;
  password?: string;
  /** `/api/v2` on current builds; '' on old ones that expose /requests at the root. */
  apiPrefix?: string;
  deviceId?: string;
  /** How long a task that has started may take before its outcome is called unknown (60 s). */
  taskTimeoutMs?: number;
  /** How long a request may wait in the queue before the driver withdraws it (15 s): it then never runs. */
  startTimeoutMs?: number;
  /** How long an operation waits for the web server to settle its own blocked task (20 s). */
  blockedWaitMs?: number;
  /** How long a read (status, last document, a document from the drive) may take in all (10 s). */
  readTimeoutMs?: number;
  /** HTTP timeout of one request to the web server (10 s). */
  requestTimeoutMs?: number;
  pollIntervalMs?: number;
  /** Where the driver says what it rounded or could not read (default: console.warn). */
  warn?: (message: string) => void;
}

const MAX_ATTEMPTS = 50;
const STATUS_TASKS: AtolTask[] = [
  { type: 'getDeviceStatus' },
  { type: 'getShiftStatus' },
  { type: 'ofdExchangeStatus' },
  { type: 'getFnInfo' },
  { type: 'getDeviceInfo' },
  { type: 'getFnStatus' },
  { type: 'getShiftTotals' },
];
/** The same reads as direct operations, outside the queue ([WS] OperationServlet). */
const STATUS_OPERATIONS = [
  'queryDeviceStatus',
  'queryShiftStatus',
  'queryOfdExchangeStatus',
  'queryFnInfo',
  'queryDeviceInfo',
  'queryFnStatus',
  'queryShiftTotals',
];

/** The request key of an operation's n-th attempt: the operation id itself, then id-r2, id-r3… */
export function attemptKey(operationId: string, attempt: number): string {
  return attempt === 1 ? operationId : `${operationId}-r${attempt}`;
}

function isAttemptOf(uuid: string | null, operationId: string): boolean {
  return uuid !== null && (uuid === operationId || uuid.startsWith(`${operationId}-r`));
}

type Origin = 'posted' | 'held' | 'found';

const fiscalParamsOf = (result: unknown): AtolFiscalParams | undefined =>
  ((result ?? {}) as { fiscalParams?: AtolFiscalParams }).fiscalParams;

/** What a stored request is, in words, for the cashier and the senior who looks at it. */
function describeStored(results: TaskResult[]): string {
  const r = results.length === 1 ? (results[0]?.result as Record<string, unknown> | null) : null;
  if (r && 'counters' in r) return 'внесение или выплата наличных';
  const p = fiscalParamsOf(r);
  if (p?.fiscalDocumentNumber) return `документ ФД ${p.fiscalDocumentNumber}${typeof p.total === 'number' ? ` на ${p.total} ₽` : ''}`;
  return `запрос из ${results.length} заданий`;
}

/** What a stored request must look like to be this operation's, task by task; a message when it is not. */
function storedMismatch(tasks: AtolTask[], results: TaskResult[]): string | null {
  if (results.length !== tasks.length) return describeStored(results);
  for (const [i, task] of tasks.entries()) {
    const r = (results[i]?.result ?? null) as Record<string, unknown> | null;
    const p = fiscalParamsOf(r);
    const ok =
      task.type === 'openShift' || task.type === 'closeShift'
        ? typeof p?.fiscalDocumentNumber === 'number' && p.total === undefined
        : task.type === 'cashIn' || task.type === 'cashOut'
          ? r !== null && 'counters' in r && p === undefined
          : task.type === 'getShiftTotals'
            ? r !== null && 'shiftTotals' in r
            : p === undefined && !(r !== null && 'counters' in r);
    if (!ok) return describeStored(results);
  }
  return null;
}

export class AtolRegister implements FiscalRegister {
  readonly driver = 'atol' as const;
  private readonly web: AtolTransport;
  private readonly taskTimeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly blockedWaitMs: number;
  private readonly readTimeoutMs: number;
  private readonly pollMs: number;
  private readonly warn: Warn;
  /** One status read at a time: callers that come while it runs share its answer. */
  private statusRead: Promise<RegisterStatus> | null = null;
  /** Whether the server reports the queue's state (getRequestsQueueStatus); learned on first use. */
  private queueStateKnown: boolean | null = null;
  /** A request of ours last seen blocked, for servers that do not report the queue's state. */
  private blockedSeen: string | null = null;

  constructor(private readonly options: AtolOptions) {
    this.web = new AtolTransport({
      url: options.url,
      user: options.user,
      password: options.password,
      apiPrefix: options.apiPrefix,
      deviceId: options.deviceId,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    });
    this.taskTimeoutMs = options.taskTimeoutMs ?? 60_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 15_000;
    this.blockedWaitMs = options.blockedWaitMs ?? 20_000;
    this.readTimeoutMs = options.readTimeoutMs ?? 10_000;
    this.pollMs = options.pollIntervalMs ?? 150;
    const said = new Set<string>();
    const warn = options.warn ?? ((m: string): void => console.warn(m));
    this.warn = (m): void => {
      if (said.has(m)) return;
      if (said.size > 100) said.clear();
      said.add(m);
      warn(m);
    };
  }

  // ---- the queue ---------------------------------------------------------------------------------

  /** Whether a blocked task stops the queue now. Throws when the server does not answer. */
  private async queueState(): Promise<QueueState> {
    if (this.queueStateKnown !== false) {
      const q = await this.web.queueState();
      if (q) {
        this.queueStateKnown = true;
        return q;
      }
      this.queueStateKnown = false;
    }
    if (this.blockedSeen) {
      const r = await this.web.get(this.blockedSeen).catch(() => undefined);
      if (r?.some((x) => x.status === 'blocked')) return { blocked: true, blockedUuid: this.blockedSeen };
      if (r !== undefined) this.blockedSeen = null;
    }
    return { blocked: false, blockedUuid: null };
  }

  /** Nothing is posted into a stopped queue: it would run whenever the device comes back, or never. */
  private async refuseWhileBlocked(operationId: string | null): Promise<void> {
    let q: QueueState;
    try {
      q = await this.queueState();
    } catch (e) {
      if (e instanceof FiscalError) throw e;
      // Nothing was posted: whatever the server's trouble, this operation was not started.
      throw new FiscalError('unavailable', (e as Error).message, 'transport', 'not_done');
    }
    if (q.blocked && (operationId === null || !isAttemptOf(q.blockedUuid, operationId))) throw this.queueStopped(q.blockedUuid);
  }

  private queueStopped(blockedUuid: string | null): FiscalError {
    return new FiscalError(
      'busy',
      `очередь заданий веб-сервера ДТО остановлена${blockedUuid ? ` заданием ${blockedUuid}` : ''}: ККТ потеряла связь во время документа, веб-сервер продолжит сам, когда ККТ ответит; операция не отправлена`,
      'blocked',
      'not_done',
    );
  }

  /**
   * Posts a request under its uuid. `posted`: the server took it now (201); `held`: it already held the
   * uuid (409), and what it holds may be anything; `found`: the answer was lost but the server has it.
   */
  private async submit(uuid: string, tasks: AtolTask[]): Promise<{ origin: Origin; results: TaskResult[] }> {
    let posted: { status: number; body: unknown };
    try {
      posted = await this.web.post(uuid, tasks);
    } catch (e) {
      if (e instanceof TransportError && e.notDelivered) throw new FiscalError('unavailable', e.message, 'transport', 'not_done');
      // The request may have reached the server: ask for the uuid before anything else.
      const seen = await this.web.get(uuid).catch(() => undefined);
      if (seen === undefined) throw new FiscalError('outcome_unknown', (e as Error).message, 'transport');
      if (seen === null) throw new FiscalError('unavailable', 'запрос не дошёл до веб-сервера ДТО', 'transport', 'not_done');
      return { origin: 'found', results: seen };
    }
    if (posted.status === 409) return { origin: 'held', results: await this.mustFetch(uuid) };
    if (posted.status === 400) {
      const err = (posted.body as { error?: { code?: number; description?: string } } | null)?.error;
      throw new FiscalError('rejected', err?.description ?? 'веб-сервер ДТО отверг запрос', err?.code ?? 400);
    }
    if (posted.status === 401 || posted.status === 403)
      throw new FiscalError('unavailable', 'веб-сервер ДТО отказал в доступе', posted.status, 'not_done');
    if (posted.status !== 201 && posted.status !== 200)
      throw new FiscalError('unavailable', `веб-сервер ДТО ответил ${posted.status}`, posted.status, 'not_done');
    const results = await this.mustFetch(uuid);
    // [WS] the 201 says whether the queue is stopped: a request behind another's blocked task is withdrawn at once.
    const b = posted.body as { isBlocked?: unknown; blockedUUID?: unknown } | null;
    if (
      b?.isBlocked === true &&
      b.blockedUUID !== uuid &&
      results.every((r) => r.status === 'wait') &&
      (await this.withdraw(uuid)) === 'canceled'
    ) {
      throw this.queueStopped(typeof b.blockedUUID === 'string' && b.blockedUUID !== '' ? b.blockedUUID : null);
    }
    return { origin: 'posted', results };
  }

  private async mustFetch(uuid: string): Promise<TaskResult[]> {
    try {
      const r = await this.web.get(uuid);
      if (r === null) throw new FiscalError('outcome_unknown', 'веб-сервер ДТО не знает принятый запрос');
      return r;
    } catch (e) {
      if (e instanceof FiscalError) throw e;
      throw new FiscalError('outcome_unknown', (e as Error).message, 'transport');
    }
  }

  /** DELETE of a request none of whose tasks has started; a lost answer counts as "it may have started". */
  private async withdraw(uuid: string): Promise<'canceled' | 'started' | 'gone'> {
    return this.web.cancel(uuid).catch(() => 'started' as const);
  }

  /**
   * Polls a request until every task is done. A request still waiting past the start timeout is withdrawn
   * (certainly not done); a blocked task is waited for while the server settles it, then unknown; a task
   * running past its timeout is unknown.
   */
  private async settle(uuid: string, first: TaskResult[], kind: 'operation' | 'read'): Promise<TaskResult[]> {
    const startMs = kind === 'read' ? Math.min(this.startTimeoutMs, this.readTimeoutMs) : this.startTimeoutMs;
    const runMs = kind === 'read' ? this.readTimeoutMs : this.taskTimeoutMs;
    const since = Date.now();
    let startedAt: number | null = null;
    let blockedAt: number | null = null;
    let results = first;
    while (!results.every((r) => FINAL.has(r.status))) {
      const now = Date.now();
      const blocked = results.find((r) => r.status === 'blocked');
      if (blocked) {
        this.blockedSeen = uuid;
        blockedAt ??= now;
        if (now - blockedAt > this.blockedWaitMs) {
          throw new FiscalError(
            'outcome_unknown',
            `ККТ потеряла связь во время документа (${blocked.errorDescription || `ошибка ${blocked.errorCode}`}), веб-сервер ДТО остановил очередь и выяснит исход сам, когда ККТ ответит; до сверки операцию не повторять`,
            blocked.errorCode,
          );
        }
      } else if (results.every((r) => r.status === 'wait')) {
        if (startedAt === null && now - since > startMs) {
          if ((await this.withdraw(uuid)) === 'canceled') {
            throw new FiscalError(
              'busy',
              `ККТ не начала операцию за ${Math.round(startMs / 1000)} с: очередь заданий веб-сервера ДТО занята или остановлена; задание снято`,
              'wait',
              'not_done',
            );
          }
          startedAt = now;
        }
      } else {
        startedAt ??= now;
        if (now - startedAt > runMs) throw new FiscalError('outcome_unknown', 'ККТ не завершила операцию вовремя');
      }
      await sleep(blockedAt === null ? this.pollMs : Math.min(1_000, this.pollMs * 5));
      results = await this.mustFetch(uuid);
    }
    if (blockedAt !== null && this.blockedSeen === uuid) this.blockedSeen = null;
    for (const r of results) {
      if (r.status === 'error') throw atolError(r.errorCode, r.errorDescription);
      if (r.status === 'interrupted') throw new FiscalError('rejected', `задание прервано: ${r.errorDescription}`, r.errorCode);
      if (r.status === 'canceled') throw new FiscalError('busy', 'задание снято с очереди', 'canceled', 'not_done');
    }
    return results;
  }

  /**
   * Runs an operation exactly once. ATOL keeps every uuid, so a retry after an attempt that certainly
   * failed (paper out, shift closed) goes under the next attempt key; an earlier attempt that succeeded is
   * found first, so a resend never prints twice. What the server held under a key before is taken only
   * when `verify` finds it is this operation.
   */
  private async runOnce(
    operationId: string,
    tasks: AtolTask[],
    verify: (key: string, results: TaskResult[]) => Promise<void>,
  ): Promise<TaskResult[]> {
    await this.refuseWhileBlocked(operationId);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const key = attemptKey(operationId, attempt);
      const { origin, results } = await this.submit(key, tasks);
      let done: TaskResult[];
      try {
        done = await this.settle(key, results, 'operation');
      } catch (e) {
        if (origin === 'held' && e instanceof FiscalError && e.outcome === 'not_done') continue;
        throw e;
      }
      if (origin !== 'posted') await verify(key, done);
      return done;
    }
    throw new FiscalError('rejected', 'слишком много неудачных попыток этой операции');
  }

  /**
   * The server ran another client's request under this operation's id before ours came. A POST of a uuid
   * it holds runs nothing (409), and the driver never moves past such a key, so this operation was
   * certainly not done under it: `not_done`. Its id is spent, though, and the device holds someone else's
   * document under it: the operation is refused, for a person to look at, not retried under another key.
   */
  private foreign(key: string, what: string): FiscalError {
    return new FiscalError(
      'rejected',
      `под номером операции ${key} в ККТ уже есть другой документ (${what}): эта операция под ним не выполнена; её нужно проверить и провести заново`,
      409,
      'not_done',
    );
  }

  /** A request that is not an operation: refused while the queue is stopped, withdrawn if it never starts. */
  private async service(tasks: AtolTask[], kind: 'operation' | 'read' = 'operation'): Promise<TaskResult[]> {
    await this.refuseWhileBlocked(null);
    return this.read(tasks, kind);
  }

  private async read(tasks: AtolTask[], kind: 'operation' | 'read' = 'read'): Promise<TaskResult[]> {
    const uuid = randomUUID();
    return this.settle(uuid, (await this.submit(uuid, tasks)).results, kind);
  }

  /** A document from the fiscal drive by number, with its kind and sum; null when the drive does not say. */
  private async readDocument(n: number): Promise<ReturnType<typeof documentOf>> {
    try {
      const [r] = await this.read([{ type: 'getFnDocument', fiscalDocumentNumber: n }]);
      const doc = documentOf(r?.result, this.warn);
      return doc?.documentNumber === n ? doc : null;
    } catch (e) {
      this.warn(`АТОЛ: документ ${n} из ФН не прочитан (${(e as Error).message}): его вид и сумма неизвестны`);
      return null;
    }
  }

  /**
   * What a request stored under a key is, as a receipt: the device's kind (from the drive's copy of the
   * document) and total. Null when it holds no sale or return receipt (a cash-in, a report, a purchase);
   * undefined when the drive cannot say which document it is.
   */
  private async receiptUnder(
    operationId: string,
    results: TaskResult[],
    expected?: { kind: ReceiptKind; totalKop: number },
  ): Promise<FiscalResult | null | undefined> {
    if (results.length !== 1) return null;
    const result = results[0]?.result;
    const p = fiscalParamsOf(result);
    if (typeof p?.fiscalDocumentNumber !== 'number' || p.fiscalDocumentNumber <= 0) return null;
    const doc = await this.readDocument(p.fiscalDocumentNumber);
    if (!doc) return undefined;
    if (doc.kind !== 'sale' && doc.kind !== 'sale_return') return null;
    const reported = readKop(p.total, 'fiscalParams.total', this.warn) ?? doc.totalKop;
    if (reported === null) return undefined;
    const withTotal = { ...(result as object), fiscalParams: { ...p, total: p.total ?? reported / 100 } };
    return fiscalResultOf({ operationId, kind: doc.kind, totalKop: expected?.totalKop ?? reported }, withTotal, this.warn);
  }

  // ---- operations --------------------------------------------------------------------------------

  async registerReceipt(receipt: Receipt): Promise<FiscalResult> {
    const [r] = await this.runOnce(receipt.operationId, [receiptTask(receipt)], async (key, results) => {
      const found = await this.receiptUnder(receipt.operationId, results, receipt);
      if (found === undefined)
        throw new FiscalError(
          'outcome_unknown',
          `под номером операции ${key} в ККТ уже есть документ, но ККТ не сообщает, какой: нужна сверка`,
          409,
        );
      if (found === null) throw this.foreign(key, describeStored(results));
      if (found.kind !== receipt.kind || found.totalKop !== receipt.totalKop) {
        throw this.foreign(
          key,
          `${found.kind === 'sale' ? 'чек прихода' : 'чек возврата прихода'} ФД ${found.documentNumber} на ${formatRub(found.totalKop)}`,
        );
      }
    });
    return fiscalResultOf(receipt, r?.result, this.warn);
  }

  private shapeCheck(tasks: AtolTask[]): (key: string, results: TaskResult[]) => Promise<void> {
    return async (key, results) => {
      const problem = storedMismatch(tasks, results);
      if (problem) throw this.foreign(key, problem);
      await Promise.resolve();
    };
  }

  async openShift(operationId: string, cashier: Cashier): Promise<ShiftDocument> {
    const tasks: AtolTask[] = [{ type: 'openShift', operator: operatorOf(cashier) }];
    const [r] = await this.runOnce(operationId, tasks, this.shapeCheck(tasks));
    const p = fiscalParamsOf(r?.result) ?? {};
    return {
      operationId,
      shiftNumber: p.shiftNumber ?? 0,
      documentNumber: p.fiscalDocumentNumber ?? 0,
      at: toIso(p.fiscalDocumentDateTime),
    };
  }

  async closeShift(operationId: string, cashier: Cashier): Promise<CloseShiftResult> {
    // Totals and the Z report in one request, so a resend of the uuid returns both as they were.
    const tasks: AtolTask[] = [{ type: 'getShiftTotals' }, { type: 'closeShift', operator: operatorOf(cashier) }];
    const [totals, close] = await this.runOnce(operationId, tasks, this.shapeCheck(tasks));
    const p = fiscalParamsOf(close?.result) ?? {};
    return {
      operationId,
      shiftNumber: p.shiftNumber ?? 0,
      documentNumber: p.fiscalDocumentNumber ?? 0,
      at: toIso(p.fiscalDocumentDateTime),
      totals: shiftTotalsOf(totals?.result, this.warn),
    };
  }

  async xReport(operationId: string, cashier: Cashier): Promise<RegisterShiftTotals> {
    const tasks: AtolTask[] = [{ type: 'getShiftTotals' }, { type: 'reportX', operator: operatorOf(cashier) }];
    const [totals] = await this.runOnce(operationId, tasks, this.shapeCheck(tasks));
    return shiftTotalsOf(totals?.result, this.warn);
  }

  async cashIn(operationId: string, cashier: Cashier, amountKop: number): Promise<{ drawerKop: number | null }> {
    return this.cashMove('cashIn', operationId, cashier, amountKop);
  }

  async cashOut(operationId: string, cashier: Cashier, amountKop: number): Promise<{ drawerKop: number | null }> {
    return this.cashMove('cashOut', operationId, cashier, amountKop);
  }

  private async cashMove(
    type: 'cashIn' | 'cashOut',
    operationId: string,
    cashier: Cashier,
    amountKop: number,
  ): Promise<{ drawerKop: number | null }> {
    // A stored cash move's amount cannot be checked: its result gives the drawer after it, not the sum.
    const tasks: AtolTask[] = [{ type, operator: operatorOf(cashier), cashSum: amountKop / 100 }];
    const [r] = await this.runOnce(operationId, tasks, this.shapeCheck(tasks));
    const sum = ((r?.result ?? {}) as { counters?: { cashSum?: unknown } }).counters?.cashSum;
    return { drawerKop: readKop(sum, 'counters.cashSum', this.warn) };
  }

  async cancelReceipt(): Promise<void> {
    // [P] one client only shows this task; the native library has libfptr_cancel_receipt.
    await this.service([{ type: 'cancelReceipt' }]);
  }

  async continuePrint(): Promise<void> {
    await this.service([{ type: 'continuePrint' }]);
  }

  async reprintLast(): Promise<void> {
    await this.service([{ type: 'printLastReceiptCopy' }]);
  }

  async reprintDocument(documentNumber: number): Promise<void> {
    await this.service([{ type: 'printFnDocument', fiscalDocumentNumber: documentNumber }]);
  }

  async cut(): Promise<void> {
    // No cut task exists; a non-fiscal document with its footer feeds and cuts the tape.
    await this.service([{ type: 'nonFiscal', items: [{ type: 'text', text: '' }], printFooter: true }]);
  }

  async printText(lines: string[]): Promise<void> {
    await this.service([{ type: 'nonFiscal', items: lines.map((text) => ({ type: 'text', text })), printFooter: true }]);
  }

  // ---- reads -------------------------------------------------------------------------------------

  /** One read at a time: callers that ask while one runs get its answer, so looks never pile up. */
  async status(): Promise<RegisterStatus> {
    this.statusRead ??= this.readStatus().finally(() => {
      this.statusRead = null;
    });
    return this.statusRead;
  }

  private async readStatus(): Promise<RegisterStatus> {
    let q: QueueState;
    try {
      q = await this.queueState();
    } catch {
      return disconnected(this.driver);
    }
    if (!q.blocked) {
      try {
        return this.statusOf((await this.read(STATUS_TASKS)).map((r) => r.result));
      } catch (e) {
        if (!(e instanceof FiscalError)) throw e;
        if (e.code !== 'busy') {
          if (e.code === 'unavailable' || e.code === 'outcome_unknown') return disconnected(this.driver);
          throw e;
        }
        // Withdrawn from a queue that did not move: ask the device directly.
      }
    }
    return this.directStatus();
  }

  /** Status from the direct operations, outside the queue: the device answers them while the queue stands. */
  private async directStatus(): Promise<RegisterStatus> {
    const parts: unknown[] = [];
    for (const name of STATUS_OPERATIONS) {
      try {
        const r = await this.web.operation(name);
        if (r === null) return disconnected(this.driver);
        parts.push(r);
      } catch {
        if (parts.length === 0) return disconnected(this.driver);
        parts.push({});
      }
    }
    return this.statusOf(parts);
  }

  private statusOf(results: unknown[]): RegisterStatus {
    const [dev, shift, ofd, fn, info, fnStatus, totals] = results.map((r) => (r ?? {}) as Record<string, Record<string, unknown>>);
    const ds = dev?.['deviceStatus'] ?? {};
    const ss = shift?.['shiftStatus'] ?? {};
    const os = (ofd?.['status'] ?? {}) as { notSentCount?: number; notSentFirstDocDateTime?: string };
    const fi = fn?.['fnInfo'] ?? {};
    const di = info?.['deviceInfo'] ?? {};
    const state = ss['state'] === 'opened' ? 'open' : ss['state'] === 'expired' ? 'expired' : 'closed';
    const expiresAt = typeof ss['expiredTime'] === 'string' ? toIso(ss['expiredTime']) : null;
    const warnings = Object.entries((fi['warnings'] ?? {}) as Record<string, boolean>)
      .filter(([, v]) => v)
      .map(([k]) => k);
    const drawer = ((totals?.['shiftTotals'] ?? {}) as { cashDrawer?: { sum?: unknown } }).cashDrawer?.sum;
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
      drawerKop: readKop(drawer, 'shiftTotals.cashDrawer.sum', this.warn),
      fn: {
        number: str(fi['serial']),
        validUntil: typeof fi['validityDate'] === 'string' ? fi['validityDate'].slice(0, 10) : null,
        warnings,
      },
      ofd: { unsentCount: os.notSentCount ?? 0, oldestUnsentAt: os.notSentCount ? toIso(os.notSentFirstDocDateTime) : null },
      lastDocumentNumber: typeof lastFd === 'number' && lastFd > 0 ? lastFd : null,
    };
  }

  async shiftTotals(): Promise<RegisterShiftTotals> {
    const q = await this.queueState().catch(() => ({ blocked: false, blockedUuid: null }));
    if (q.blocked) {
      const direct = await this.web.operation('queryShiftTotals');
      if (direct === null) throw this.queueStopped(q.blockedUuid);
      return shiftTotalsOf(direct, this.warn);
    }
    const [r] = await this.read([{ type: 'getShiftTotals' }]);
    return shiftTotalsOf(r?.result, this.warn);
  }

  /**
   * The drive's last document: its number from getFnStatus (directly while the queue stands), its kind and
   * sum from the drive's copy of it (getFnDocument), so the desk's counter check can conclude.
   */
  async lastDocument(): Promise<LastDocument | null> {
    let q: QueueState;
    try {
      q = await this.queueState();
    } catch (e) {
      throw e instanceof FiscalError ? e : new FiscalError('unavailable', (e as Error).message, 'transport');
    }
    let status: unknown = null;
    let queued = !q.blocked;
    if (queued) {
      try {
        status = (await this.read([{ type: 'getFnStatus' }]))[0]?.result;
      } catch (e) {
        if (!(e instanceof FiscalError && e.code === 'busy')) throw e;
        queued = false;
      }
    }
    if (!queued) {
      status = await this.web.operation('queryFnStatus');
      if (status === null) throw this.queueStopped(q.blockedUuid);
    }
    const n = ((status ?? {}) as { fnStatus?: { fiscalDocumentNumber?: number } }).fnStatus?.fiscalDocumentNumber;
    if (typeof n !== 'number' || n <= 0) return null;
    const doc = queued ? await this.readDocument(n) : null;
    if (doc) {
      const { receiptType: _type, ...last } = doc;
      return last;
    }
    return { documentNumber: n, kind: 'other', totalKop: null, at: new Date().toISOString(), operationId: null };
  }

  /**
   * What the device did under a receipt's operation id, attempt key by attempt key: the receipt as the
   * device reports it (its kind from the drive, its total), null when no receipt was ever printed under
   * the operation's keys, undefined while the server has not settled an attempt (waiting, running,
   * blocked) or an attempt ended in an error that may have come after the document (a lost link).
   */
  async lookupOperation(operationId: string, expected?: { kind: ReceiptKind; totalKop: number }): Promise<FiscalResult | null | undefined> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const key = attemptKey(operationId, attempt);
      let results: TaskResult[] | null;
      const until = Date.now() + this.readTimeoutMs;
      try {
        results = await this.web.get(key, this.readTimeoutMs);
        // A task about to finish is waited for; a blocked one may stand for long: "cannot tell" now.
        while (
          results?.some((r) => r.status === 'wait' || r.status === 'inProgress') &&
          !results.some((r) => r.status === 'blocked') &&
          Date.now() < until
        ) {
          await sleep(this.pollMs);
          results = await this.web.get(key, this.readTimeoutMs);
        }
      } catch (e) {
        throw new FiscalError('unavailable', (e as Error).message, 'transport');
      }
      if (results === null) return null;
      if (!results.every((r) => FINAL.has(r.status))) return undefined;
      const failed = results.find((r) => r.status !== 'ready');
      if (failed) {
        if (failed.status === 'error' && atolError(failed.errorCode, '').outcome !== 'not_done') return undefined;
        continue; // certainly not done under this key; a retry went under the next one
      }
      return this.receiptUnder(operationId, results, expected);
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
