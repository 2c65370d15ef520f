/**
 * Exactly one receipt per payment. Every operation that touches the register goes through here:
 *
 * 1. The device's marks (last document number; shift and drawer for shift and cash operations) are
 *    read, and the intent is journaled with them (state `fiscal_pending`), in its own transaction.
 * 2. The register is called with the operation id, one call at a time.
 * 3. The fiscal result, the final state and the sync op are written in one transaction.
 *
 * Only the device's own "not executed" answers mark an operation `failed` (the same op id may then be
 * tried again). Anything unclear — a timeout, a lost link, "done" without a document number, a crash —
 * leaves it `fiscal_pending`, and before the register may do anything else the desk settles it by the
 * one rule in settle.ts (by id, then by the counters against the marks), never by doing it again. What
 * the counters cannot decide waits for a senior cashier. The same operation id posted twice gives the
 * same answer and one receipt; posted while it runs, the second caller waits for the first.
 */
import { AppError, type ErrorCode, type OpType } from '@paydesk/protocol';
import type { FiscalError } from '@paydesk/fiscal';
import { isFiscalError, type FiscalRegister, type FiscalResult } from '@paydesk/fiscal';
import type { Receipt } from '@paydesk/domain';
import type { JournalDb } from '../../db/journal-db.ts';
import type { Journal } from '../journal/journal.ts';
import { FISCAL, FiscalState } from '../journal/lifecycle.ts';
import type { Clock } from '../../clock.ts';
import { readMarks, receiptMatches, settleReceipt, type DeviceMarks, type Verdict } from './settle.ts';

export type OperationKind =
  | 'billing'
  | 'thirdparty'
  | 'service'
  | 'reversal'
  | 'correction'
  | 'correction_return'
  | 'shift_open'
  | 'shift_close'
  | 'cash_in'
  | 'cash_out'
  | 'reading'
  | 'cash_count';
export type OperationState = FiscalState;

export interface OperationRow {
  op_id: string;
  kind: OperationKind;
  number: string | null;
  state: OperationState;
  request: string;
  receipt: string | null;
  result: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  cashier_id: string;
  cashier_name: string;
  shift_number: number | null;
  total_kop: number | null;
  commission_kop: number | null;
  method: string | null;
  tendered_kop: number | null;
  account_number: string | null;
  provider_code: string | null;
  provider_account: string | null;
  original_op_id: string | null;
  reversed_by: string | null;
  seq: number | null;
  created_at: string;
  updated_at: string;
  cashier_inn: string | null;
  /** The device's marks read just before the last attempt (settle.ts), as JSON. */
  marks: string | null;
  /** 0 while a fiscalised receipt waits to be printed; 1 once printed; null for non-receipts. */
  printed: number | null;
  /** Why the outcome is still unknown, for the cashier and the senior who settles it. */
  unknown_reason: string | null;
  /** The senior cashier who settled an unknown outcome by hand. */
  settled_by: string | null;
}

/** What an operation kind does at the register, and what it journals once the register has done it. */
export interface KindHandler {
  /** The register call, with the operation id. */
  call(register: FiscalRegister, row: OperationRow): Promise<unknown>;
  /** Receipt kinds are settled by their id and the document counter. */
  receipt?: 'sale' | 'sale_return';
  /** The marks include the shift's counters (a Z report: they are its totals if its answer is lost). */
  marksTotals?: boolean;
  /**
   * Right before the register is called, on every attempt, with the row pending: a last word from
   * outside (a refund asks the server). Throwing fails the attempt — nothing is printed.
   */
  beforeCall?(row: OperationRow): Promise<void>;
  /** Other kinds: settles an unclear outcome from the device's counters against the marks. */
  settle?(register: FiscalRegister, row: OperationRow, before: DeviceMarks | null): Promise<Verdict>;
  /** Inside the final transaction: the sync op and any local effects. */
  finalize(row: OperationRow, result: unknown, at: Date): { type: OpType; body: object };
}

export interface NewOperation {
  opId: string;
  kind: OperationKind;
  numbered: boolean;
  request: object;
  receipt?: Receipt;
  cashier: { id: string; name: string; inn?: string | null | undefined };
  shiftNumber?: number | null;
  totalKop?: number;
  commissionKop?: number;
  method?: string;
  tenderedKop?: number | null;
  accountNumber?: string | null;
  providerCode?: string | null;
  providerAccount?: string | null;
  originalOpId?: string | null;
}

const FISCAL_TO_APP: Record<FiscalError['code'], ErrorCode> = {
  shift_closed: 'shift.closed',
  shift_expired: 'shift.expired',
  shift_already_open: 'shift.already_open',
  paper_out: 'fiscal.paper_out',
  cover_open: 'fiscal.cover_open',
  not_enough_cash: 'fiscal.not_enough_cash',
  receipt_open: 'fiscal.receipt_open',
  unavailable: 'fiscal.unavailable',
  busy: 'fiscal.unavailable',
  not_agent: 'fiscal.not_agent',
  outcome_unknown: 'fiscal.outcome_unknown',
  rejected: 'fiscal.rejected',
  fn_problem: 'fiscal.fn_problem',
  return_exceeds: 'fiscal.return_exceeds',
};

export function fiscalAppError(e: FiscalError): AppError {
  return new AppError(FISCAL_TO_APP[e.code], e.message, { registerCode: e.code, vendorCode: e.vendorCode ?? null });
}

/**
 * An operation id the journal already holds, for the same operation: a done one is answered with what
 * it was (`answer`); a failed or unsettled one is run again under the same id (`retry`).
 */
export interface Recalled {
  row: OperationRow;
  replay: 'answer' | 'retry';
}

const OTHER_OPERATION = 'Этот номер операции уже использован для другой операции';

/** Points where tests may kill the process, to prove that a crash there loses and doubles nothing. */
export type CrashPoint = 'before_register' | 'after_register';

export interface FiscalRunnerHooks {
  crashAt?: (point: CrashPoint, row: OperationRow) => void;
  /** Called after every final state change, so the sync worker and the UI hear of it at once. */
  changed?: (row: OperationRow) => void;
}

/** One register at a time: a device does one thing at a time. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private holders = 0;

  get locked(): boolean {
    return this.holders > 0;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    this.holders++;
    await prev;
    try {
      return await fn();
    } finally {
      this.holders--;
      release();
    }
  }
}

export class FiscalRunner {
  private readonly mutex = new Mutex();
  private readonly keyed = new Map<string, Mutex>();
  private readonly running = new Map<string, { attempt: Promise<OperationRow>; kind: OperationKind; request: string }>();
  private readonly handlers = new Map<OperationKind, KindHandler>();
  private readonly select;

  constructor(
    private readonly db: JournalDb,
    private readonly journal: Journal,
    private readonly register: () => FiscalRegister,
    private readonly clock: Clock,
    private readonly hooks: FiscalRunnerHooks = {},
    /** Names the device in use (driver and address), recorded with each operation's marks. */
    private readonly deviceName: () => string = () => this.register().driver,
  ) {
    this.select = db.prepare('SELECT * FROM operations WHERE op_id = ?');
  }

  /** True while an operation (or a queue of them) holds the register. */
  get busy(): boolean {
    return this.mutex.locked;
  }

  /**
   * Runs `fn` alone among callers with the same key (one original payment's reversals): what it
   * decides before the register is called still holds when the register is called.
   */
  async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let m = this.keyed.get(key);
    if (!m) {
      m = new Mutex();
      this.keyed.set(key, m);
    }
    try {
      return await m.run(fn);
    } finally {
      if (!m.locked) this.keyed.delete(key);
    }
  }

  /** Settles one pending operation now, if it is pending; returns its row. */
  async settleOne(opId: string): Promise<OperationRow | null> {
    return this.mutex.run(async () => {
      const row = this.get(opId);
      if (row?.state !== FiscalState.pending || this.running.has(opId)) return row;
      return this.settle(row);
    });
  }

  handle(kind: OperationKind, handler: KindHandler): void {
    this.handlers.set(kind, handler);
  }

  get(opId: string): OperationRow | null {
    return (this.select.get(opId) as OperationRow | undefined) ?? null;
  }

  /**
   * The one idempotency rule of an operation id, for the runner and the use cases in front of it: an
   * id the journal does not hold is new (null); one it holds for another operation (`same` says no) is
   * refused with `refusal`; otherwise the row is answered as it was when done, and tried again when not.
   */
  recall(opId: string, same: (row: OperationRow) => boolean, refusal = OTHER_OPERATION): Recalled | null {
    const row = this.get(opId);
    if (!row) return null;
    if (!same(row)) throw new AppError('op.id_reused', refusal);
    return { row, replay: row.state === FiscalState.done ? 'answer' : 'retry' };
  }

  /** Operations whose register outcome is not known yet (none are running right now). */
  unresolved(): OperationRow[] {
    return (
      this.db.prepare(`SELECT * FROM operations WHERE state = '${FiscalState.pending}' ORDER BY created_at`).all() as OperationRow[]
    ).filter((r) => !this.running.has(r.op_id));
  }

  /** Receipts the register fiscalised but has not printed yet, oldest first. */
  unprinted(): OperationRow[] {
    return this.db
      .prepare(`SELECT * FROM operations WHERE printed = 0 AND state = '${FiscalState.done}' ORDER BY created_at`)
      .all() as OperationRow[];
  }

  /**
   * Runs an operation exactly once and returns its row. The same op id with a different request
   * is refused; a finished one is answered as it was; a failed one is tried again.
   */
  async run(op: NewOperation): Promise<OperationRow> {
    const requestJson = JSON.stringify(op.request);
    const inFlight = this.running.get(op.opId);
    if (inFlight) {
      // The same operation sent twice waits for the first; another operation under its id is refused.
      if (inFlight.kind !== op.kind || inFlight.request !== requestJson) throw new AppError('op.id_reused', OTHER_OPERATION);
      return inFlight.attempt;
    }
    const seen = this.recall(op.opId, (row) => row.kind === op.kind && row.request === requestJson);
    if (seen?.replay === 'answer') return seen.row;
    const attempt = this.attempt(op, requestJson).finally(() => this.running.delete(op.opId));
    this.running.set(op.opId, { attempt, kind: op.kind, request: requestJson });
    return attempt;
  }

  private async attempt(op: NewOperation, requestJson: string): Promise<OperationRow> {
    return this.mutex.run(async () => {
      // Before the register may do anything new, settle what it may already have done — this
      // operation's own earlier attempt included.
      let row = this.get(op.opId);
      if (row?.state === FiscalState.pending) {
        row = await this.settle(row);
        if (row?.state === FiscalState.pending) throw this.stillUnknown(row);
      }
      if (row?.state === FiscalState.done) return row;
      await this.reconcileAll();
      this.refuseWhileUnprinted();
      const handler = this.handlerOf(op.kind);
      const marks = await this.marks(handler);
      const now = this.clock().toISOString();
      if (!row) {
        const state = FISCAL.check(null, FiscalState.pending);
        this.db.transaction(() => {
          const number = op.numbered ? this.journal.nextNumber() : null;
          this.db
            .prepare(
              `INSERT INTO operations (op_id, kind, number, state, request, receipt, attempts, cashier_id, cashier_name, cashier_inn, shift_number, total_kop, commission_kop, method, tendered_kop,
                 account_number, provider_code, provider_account, original_op_id, marks, created_at, updated_at)
               VALUES (?, ?, ?, '${state}', ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              op.opId,
              op.kind,
              number,
              requestJson,
              op.receipt ? JSON.stringify(op.receipt) : null,
              op.cashier.id,
              op.cashier.name,
              op.cashier.inn ?? null,
              op.shiftNumber ?? null,
              op.totalKop ?? null,
              op.commissionKop ?? null,
              op.method ?? null,
              op.tenderedKop ?? null,
              op.accountNumber ?? null,
              op.providerCode ?? null,
              op.providerAccount ?? null,
              op.originalOpId ?? null,
              JSON.stringify(marks),
              now,
              now,
            );
        })();
      } else if (row.state === FiscalState.failed) {
        // A retry under the same id.
        const { from, to } = FISCAL.move(FiscalState.failed, FiscalState.pending);
        const r = this.db
          .prepare(
            `UPDATE operations SET state = '${to}', attempts = attempts + 1, error_code = NULL, error_message = NULL, unknown_reason = NULL, marks = ?, updated_at = ? WHERE op_id = ? AND state = '${from}'`,
          )
          .run(JSON.stringify(marks), now, op.opId);
        if (r.changes !== 1) throw new AppError('payment.in_progress');
      }
      const pending = this.get(op.opId);
      if (!pending) throw new Error(`operation ${op.opId} vanished from the journal`);
      if (handler.beforeCall) {
        try {
          await handler.beforeCall(pending);
        } catch (e) {
          this.fail(op.opId, e instanceof AppError ? e.code : 'refused', (e as Error).message);
          throw e;
        }
      }
      return this.execute(pending);
    });
  }

  private handlerOf(kind: OperationKind): KindHandler {
    const handler = this.handlers.get(kind);
    if (!handler) throw new Error(`no handler for ${kind}`);
    return handler;
  }

  /** The device's marks before a call; a device that cannot even say them is not called at all. */
  private async marks(handler: KindHandler): Promise<DeviceMarks> {
    try {
      return { device: this.deviceName(), ...(await readMarks(this.register(), !handler.receipt, handler.marksTotals)) };
    } catch (e) {
      throw new AppError('fiscal.unavailable', `ККТ не отвечает, операция не начата: ${(e as Error).message}`);
    }
  }

  /** A receipt fiscalised but not printed belongs to a payer at the counter: it comes first. */
  private refuseWhileUnprinted(): void {
    const waiting = this.unprinted();
    if (waiting.length === 0) return;
    const numbers = waiting.map((r) => r.number ?? r.op_id.slice(0, 8)).join(', ');
    throw new AppError(
      'fiscal.paper_out',
      `Не напечатаны чеки: ${numbers}. Заправьте ленту и нажмите «Допечатать» в меню «ККМ»: новые операции — после этого.`,
      { unprinted: waiting.map((r) => r.op_id) },
    );
  }

  private stillUnknown(row: OperationRow): AppError {
    return new AppError(
      'fiscal.outcome_unknown',
      `Неизвестно, выполнена ли операция ${row.number ?? ''} на ККТ: ${row.unknown_reason ?? 'ККТ не отвечает'}. Не принимайте деньги повторно: операция будет сверена, когда ККТ ответит.`,
      { opId: row.op_id, reason: row.unknown_reason },
    );
  }

  /** Calls the register for a pending row and records the outcome. Runs under the mutex. */
  private async execute(row: OperationRow): Promise<OperationRow> {
    const handler = this.handlerOf(row.kind);
    this.hooks.crashAt?.('before_register', row);
    let result: unknown;
    try {
      result = await handler.call(this.register(), row);
    } catch (e) {
      if (isFiscalError(e) && e.outcome === 'not_done') {
        this.fail(row.op_id, e.code, e.message);
        throw fiscalAppError(e);
      }
      return this.afterUnclear(row, isFiscalError(e) ? e.message : (e as Error).message);
    }
    this.hooks.crashAt?.('after_register', row);
    // A receipt "done" without a document number, or done as another receipt (a device holding another
    // document under this id), is not a receipt the desk can stand behind: the one settle rule decides.
    if (handler.receipt) {
      const r = result as Partial<FiscalResult> | null;
      if (!r?.documentNumber || r.documentNumber <= 0) return this.afterUnclear(row, 'ККТ ответила без номера документа');
      const expected = {
        kind: handler.receipt,
        totalKop: (JSON.parse(row.receipt ?? 'null') as Receipt | null)?.totalKop ?? row.total_kop ?? 0,
      };
      if (!receiptMatches(r as FiscalResult, expected))
        return this.afterUnclear(row, `ККТ ответила документом на ${(r.totalKop ?? 0) / 100} ₽, а чек на ${expected.totalKop / 100} ₽`);
    }
    return this.complete(row, result);
  }

  private async afterUnclear(row: OperationRow, what: string): Promise<OperationRow> {
    const settled = await this.settle(row);
    if (settled?.state === FiscalState.done) return settled;
    if (settled?.state === FiscalState.failed)
      throw new AppError('fiscal.rejected', `Операция на ККТ не выполнена (${what}): ${settled.error_message ?? ''}. Её можно повторить.`, {
        opId: row.op_id,
      });
    throw this.stillUnknown(settled ?? row);
  }

  private fail(opId: string, code: string, message: string): void {
    const { from, to } = FISCAL.move(FiscalState.pending, FiscalState.failed);
    this.db
      .prepare(
        `UPDATE operations SET state = '${to}', error_code = ?, error_message = ?, unknown_reason = NULL, updated_at = ? WHERE op_id = ? AND state = '${from}'`,
      )
      .run(code, message, this.clock().toISOString(), opId);
    const row = this.get(opId);
    if (row) this.hooks.changed?.(row);
  }

  /** The final transaction: the result, the state, the sync op and the local effects together. */
  private complete(row: OperationRow, result: unknown, settledBy: string | null = null): OperationRow {
    const handler = this.handlerOf(row.kind);
    const at = this.clock();
    const printed = handler.receipt ? ((result as Partial<FiscalResult> | null)?.printed === false ? 0 : 1) : null;
    const { from, to } = FISCAL.move(FiscalState.pending, FiscalState.done);
    this.db.transaction(() => {
      const current = this.get(row.op_id);
      if (current?.state !== from) return;
      const { type, body } = handler.finalize({ ...current, settled_by: settledBy }, result, at);
      const seq = this.journal.append(type, row.op_id, body, at);
      this.db
        .prepare(
          `UPDATE operations SET state = '${to}', result = ?, seq = ?, shift_number = COALESCE(?, shift_number), printed = ?, unknown_reason = NULL, settled_by = ?, updated_at = ? WHERE op_id = ? AND state = '${from}'`,
        )
        .run(JSON.stringify(result ?? null), seq, shiftOf(result), printed, settledBy, at.toISOString(), row.op_id);
    })();
    const done = this.get(row.op_id) as OperationRow;
    this.hooks.changed?.(done);
    return done;
  }

  /** Records an operation that needs no register (a reading, a cash count), exactly once. */
  recordWithoutRegister(op: NewOperation, type: OpType, body: object): OperationRow {
    const requestJson = JSON.stringify(op.request);
    const seen = this.recall(op.opId, (row) => row.kind === op.kind && row.request === requestJson);
    if (seen) return seen.row;
    const at = this.clock();
    const state = FISCAL.check(null, FiscalState.done);
    this.db.transaction(() => {
      const seq = this.journal.append(type, op.opId, body, at);
      this.db
        .prepare(
          `INSERT INTO operations (op_id, kind, state, request, attempts, cashier_id, cashier_name, shift_number, total_kop, account_number, seq, created_at, updated_at)
           VALUES (?, ?, '${state}', ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          op.opId,
          op.kind,
          requestJson,
          op.cashier.id,
          op.cashier.name,
          op.shiftNumber ?? null,
          op.totalKop ?? null,
          op.accountNumber ?? null,
          seq,
          at.toISOString(),
          at.toISOString(),
        );
    })();
    const row = this.get(op.opId) as OperationRow;
    this.hooks.changed?.(row);
    return row;
  }

  /** Settles every operation left unresolved by an earlier attempt; call under the mutex. */
  private async reconcileAll(): Promise<void> {
    for (const row of this.unresolved()) {
      const settled = await this.settle(row);
      if (settled?.state === FiscalState.pending) {
        throw new AppError(
          'fiscal.outcome_unknown',
          `Сначала нужно выяснить, выполнена ли операция ${row.number ?? row.kind}: ${settled.unknown_reason ?? 'ККТ не отвечает'}. Проверьте ККТ и повторите; если ККТ не может сказать, старший кассир сверит операцию вручную.`,
          { opId: row.op_id, reason: settled.unknown_reason },
        );
      }
    }
  }

  /** Public entry for start-up and for the UI's "check the register" action. */
  async reconcilePending(): Promise<{ settled: number; unresolved: number }> {
    return this.mutex.run(async () => {
      let settled = 0;
      let unresolved = 0;
      for (const row of this.unresolved()) {
        const r = await this.settle(row);
        if (r?.state === FiscalState.pending) unresolved++;
        else settled++;
      }
      return { settled, unresolved };
    });
  }

  /** Asks the register what it did for one pending operation (settle.ts); never repeats it. */
  private async settle(row: OperationRow): Promise<OperationRow | null> {
    return (await this.settleWithVerdict(row))?.row ?? null;
  }

  private async settleWithVerdict(row: OperationRow): Promise<{ row: OperationRow | null; verdict: Verdict } | null> {
    const handler = this.handlers.get(row.kind);
    if (!handler) return null;
    const before = row.marks ? (JSON.parse(row.marks) as DeviceMarks) : null;
    let verdict: Verdict;
    try {
      if (before?.device && before.device !== this.deviceName()) {
        verdict = {
          kind: 'unknown',
          reason: `операция была отправлена на другую ККТ (${before.device}): эта не может сказать, что с ней стало`,
        };
      } else if (handler.receipt) {
        const receipt = row.receipt ? (JSON.parse(row.receipt) as Receipt) : null;
        verdict = await settleReceipt(
          this.register(),
          row.op_id,
          { kind: handler.receipt, totalKop: receipt?.totalKop ?? row.total_kop ?? 0 },
          before,
          row.shift_number,
        );
      } else if (handler.settle) {
        verdict = await handler.settle(this.register(), row, before);
      } else {
        verdict = { kind: 'unknown', reason: 'эту операцию нельзя сверить с ККТ автоматически' };
      }
    } catch (e) {
      const busy = isFiscalError(e) && e.code === 'busy';
      verdict = {
        kind: 'unknown',
        reason: busy ? `ККТ ещё выполняет эту операцию: ${e.message}` : `ККТ не ответила на сверку: ${(e as Error).message}`,
        busy,
      };
    }
    if (verdict.kind === 'done') return { row: this.complete(row, verdict.result), verdict };
    if (verdict.kind === 'not_done') {
      this.fail(row.op_id, 'not_done', `ККТ не выполнила операцию: ${verdict.reason}`);
      return { row: this.get(row.op_id), verdict };
    }
    this.db
      .prepare(`UPDATE operations SET unknown_reason = ?, updated_at = ? WHERE op_id = ? AND state = '${FiscalState.pending}'`)
      .run(verdict.reason, this.clock().toISOString(), row.op_id);
    return { row: this.get(row.op_id), verdict };
  }

  /**
   * A senior cashier's way out of an outcome the device cannot tell: "done" with the document
   * number read from the device, or "not done". Journaled with who decided it; the server puts it in
   * the review queue.
   */
  async settleByHand(
    opId: string,
    outcome: { done: true; documentNumber: number } | { done: false },
    seniorId: string,
  ): Promise<OperationRow> {
    return this.mutex.run(async () => {
      const row = this.get(opId);
      if (!row) throw new AppError('not_found', 'Операция не найдена в журнале');
      if (row.state !== FiscalState.pending) throw new AppError('conflict', 'Исход этой операции уже известен: сверять нечего');
      // The device may answer now: its word beats a person's. A device still doing it is waited for.
      const settled = await this.settleWithVerdict(row);
      if (settled?.row && settled.row.state !== FiscalState.pending) return settled.row;
      if (settled?.verdict.kind === 'unknown' && settled.verdict.busy) {
        throw new AppError(
          'conflict',
          `ККТ ещё выполняет эту операцию: дождитесь, пока она закончит, и сверьте снова. ${settled.verdict.reason}`,
          { reason: 'register_busy' },
        );
      }
      const handler = this.handlerOf(row.kind);
      if (!outcome.done) {
        this.fail(opId, 'settled_not_done', 'Старший кассир подтвердил: операция на ККТ не выполнена');
        this.db.prepare('UPDATE operations SET settled_by = ? WHERE op_id = ?').run(seniorId, opId);
        return this.get(opId) as OperationRow;
      }
      const receipt = row.receipt ? (JSON.parse(row.receipt) as Receipt) : null;
      const at = this.clock().toISOString();
      const result = handler.receipt
        ? ({
            operationId: opId,
            kind: handler.receipt,
            documentNumber: outcome.documentNumber,
            fiscalSign: '',
            shiftNumber: row.shift_number ?? 0,
            receiptNumber: 0,
            at,
            totalKop: receipt?.totalKop ?? row.total_kop ?? 0,
            fnNumber: '',
            registrationNumber: '',
            qr: '',
            printed: true,
          } satisfies FiscalResult)
        : row.kind === 'shift_open' || row.kind === 'shift_close'
          ? {
              operationId: opId,
              shiftNumber: (await this.shiftNumberNow()) ?? row.shift_number ?? 0,
              documentNumber: outcome.documentNumber,
              at,
              totals: (row.marks ? (JSON.parse(row.marks) as DeviceMarks) : null)?.shiftTotals ?? null,
            }
          : { drawerKop: null };
      return this.complete(row, result, seniorId);
    });
  }

  /** The shift number the device shows now, for a shift operation settled by hand; null when it cannot say. */
  private async shiftNumberNow(): Promise<number | null> {
    try {
      const s = await this.register().status();
      return s.connected ? s.shift.number : null;
    } catch {
      return null;
    }
  }

  /**
   * Prints every receipt that was fiscalised but not printed: the device finishes the last one, and
   * the earlier ones are printed again from the fiscal drive, so no payer leaves without theirs.
   */
  async printUnprinted(): Promise<{ printed: number }> {
    return this.mutex.run(async () => {
      const waiting = this.unprinted();
      const register = this.register();
      try {
        await register.continuePrint();
        const last = waiting.at(-1);
        if (last) this.markPrinted(last);
        for (const row of waiting.slice(0, -1)) {
          const doc = (JSON.parse(row.result ?? '{}') as Partial<FiscalResult>).documentNumber;
          if (doc) await register.reprintDocument(doc);
          this.markPrinted(row);
        }
      } catch (e) {
        // A print whose answer was lost is no receipt of unknown fate: nothing is fiscalised here.
        if (isFiscalError(e) && e.outcome === 'unknown')
          throw new AppError(
            'fiscal.unavailable',
            'ККТ не ответила на «Допечатать»: посмотрите, вышли ли чеки, и нажмите «Допечатать» ещё раз — повтор только допечатает, новых чеков не будет',
            { registerCode: e.code, vendorCode: e.vendorCode ?? null },
          );
        if (isFiscalError(e)) throw fiscalAppError(e);
        throw e;
      }
      return { printed: waiting.length };
    });
  }

  private markPrinted(row: OperationRow): void {
    const result = { ...(JSON.parse(row.result ?? '{}') as object), printed: true };
    this.db
      .prepare('UPDATE operations SET printed = 1, result = ?, updated_at = ? WHERE op_id = ?')
      .run(JSON.stringify(result), this.clock().toISOString(), row.op_id);
    this.hooks.changed?.(this.get(row.op_id) as OperationRow);
  }

  /** A register action that journals nothing (X report, cut, reprint…), after pending ones are settled. */
  async direct<T>(fn: (register: FiscalRegister) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      await this.reconcileAll();
      try {
        return await fn(this.register());
      } catch (e) {
        if (isFiscalError(e)) throw fiscalAppError(e);
        throw e;
      }
    });
  }

  /** Reads that must not wait for the device's queue to settle (status). */
  async read<T>(fn: (register: FiscalRegister) => Promise<T>): Promise<T> {
    return this.mutex.run(() => fn(this.register()));
  }
}

function shiftOf(result: unknown): number | null {
  const n = (result as Partial<FiscalResult> | null)?.shiftNumber;
  return typeof n === 'number' && n > 0 ? n : null;
}
