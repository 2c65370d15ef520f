/**
 * Exactly one receipt per payment. Every operation that touches the register goes through here:
 *
 * 1. The intent is journaled first (state `fiscal_pending`), in its own transaction.
 * 2. The register is called with the operation id (drivers dedupe by it), one call at a time.
 * 3. The fiscal result, the final state and the sync op are written in one transaction.
 *
 * A certain failure (paper out, shift closed) marks the operation `failed`; the same operation id may
 * then be tried again. An unclear outcome (timeout, lost answer, crash) leaves it `fiscal_pending`,
 * and before anything else may use the register the desk asks the register what it actually did —
 * at start-up too. The same operation id posted twice gives the same answer and one receipt; posted
 * while it runs, the second caller waits for the first.
 */
import { AppError, type ErrorCode, type OpType } from '@paydesk/protocol';
import { FiscalError, isFiscalError, type FiscalRegister, type FiscalResult } from '@paydesk/fiscal';
import type { Receipt } from '@paydesk/domain';
import type { JournalDb } from '../../db/journal-db.ts';
import type { Journal } from '../journal/journal.ts';
import type { Clock } from '../../clock.ts';

export type OperationKind = 'billing' | 'thirdparty' | 'service' | 'reversal' | 'shift_open' | 'shift_close' | 'cash_in' | 'cash_out' | 'reading' | 'cash_count';
export type OperationState = 'fiscal_pending' | 'done' | 'failed';

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
}

/** What an operation kind does at the register, and what it journals once the register has done it. */
export interface KindHandler {
  /** The register call; drivers make it idempotent by the operation id. */
  call(register: FiscalRegister, row: OperationRow): Promise<unknown>;
  /** Receipt kinds are reconciled by asking the register for the operation. */
  receipt?: 'sale' | 'sale_return';
  /** Inside the final transaction: the sync op and any local effects. */
  finalize(row: OperationRow, result: unknown, at: Date): { type: OpType; body: object };
}

export interface NewOperation {
  opId: string;
  kind: OperationKind;
  numbered: boolean;
  request: object;
  receipt?: Receipt;
  cashier: { id: string; name: string };
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

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

export class FiscalRunner {
  private readonly mutex = new Mutex();
  private readonly running = new Map<string, Promise<OperationRow>>();
  private readonly handlers = new Map<OperationKind, KindHandler>();
  private readonly select;

  constructor(
    private readonly db: JournalDb,
    private readonly journal: Journal,
    private readonly register: () => FiscalRegister,
    private readonly clock: Clock,
    private readonly hooks: FiscalRunnerHooks = {},
  ) {
    this.select = db.prepare('SELECT * FROM operations WHERE op_id = ?');
  }

  handle(kind: OperationKind, handler: KindHandler): void {
    this.handlers.set(kind, handler);
  }

  get(opId: string): OperationRow | null {
    return (this.select.get(opId) as OperationRow | undefined) ?? null;
  }

  /** Operations whose register outcome is not known yet (none are running right now). */
  unresolved(): OperationRow[] {
    return (this.db.prepare("SELECT * FROM operations WHERE state = 'fiscal_pending' ORDER BY created_at").all() as OperationRow[]).filter((r) => !this.running.has(r.op_id));
  }

  /**
   * Runs an operation exactly once and returns its row. The same op id with a different request
   * is refused; a finished one is answered as it was; a failed one is tried again.
   */
  async run(op: NewOperation): Promise<OperationRow> {
    const inFlight = this.running.get(op.opId);
    if (inFlight) return inFlight;
    const requestJson = JSON.stringify(op.request);
    const existing = this.get(op.opId);
    if (existing) {
      if (existing.kind !== op.kind || existing.request !== requestJson) throw new AppError('op.id_reused', 'Этот номер операции уже использован для другой операции');
      if (existing.state === 'done') return existing;
    }
    const attempt = this.attempt(op, requestJson).finally(() => this.running.delete(op.opId));
    this.running.set(op.opId, attempt);
    return attempt;
  }

  private async attempt(op: NewOperation, requestJson: string): Promise<OperationRow> {
    return this.mutex.run(async () => {
      // Before the register may do anything new, settle what it may already have done — this
      // operation's own earlier attempt included.
      await this.reconcileAll();
      let row = this.get(op.opId);
      if (row?.state === 'fiscal_pending') {
        row = await this.reconcile(row);
        if (row?.state === 'fiscal_pending') {
          throw new AppError('fiscal.outcome_unknown', 'ККТ пока не может сказать, пробит ли этот чек. Не принимайте деньги повторно: операция будет сверена, когда ККТ ответит.', { opId: op.opId });
        }
      }
      if (row?.state === 'done') return row;
      const now = this.clock().toISOString();
      if (!row) {
        this.db.transaction(() => {
          const number = op.numbered ? this.journal.nextNumber() : null;
          this.db
            .prepare(
              `INSERT INTO operations (op_id, kind, number, state, request, receipt, attempts, cashier_id, cashier_name, shift_number, total_kop, commission_kop, method, tendered_kop,
                 account_number, provider_code, provider_account, original_op_id, created_at, updated_at)
               VALUES (?, ?, ?, 'fiscal_pending', ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(op.opId, op.kind, number, requestJson, op.receipt ? JSON.stringify(op.receipt) : null, op.cashier.id, op.cashier.name, op.shiftNumber ?? null, op.totalKop ?? null,
              op.commissionKop ?? null, op.method ?? null, op.tenderedKop ?? null, op.accountNumber ?? null, op.providerCode ?? null, op.providerAccount ?? null, op.originalOpId ?? null, now, now);
        })();
      } else if (row.state === 'failed') {
        const r = this.db.prepare("UPDATE operations SET state = 'fiscal_pending', attempts = attempts + 1, error_code = NULL, error_message = NULL, updated_at = ? WHERE op_id = ? AND state = 'failed'").run(now, op.opId);
        if (r.changes !== 1) throw new AppError('payment.in_progress');
      }
      const pending = this.get(op.opId);
      if (!pending) throw new Error(`operation ${op.opId} vanished from the journal`);
      return this.execute(pending);
    });
  }

  /** Calls the register for a pending row and records the outcome. Runs under the mutex. */
  private async execute(row: OperationRow): Promise<OperationRow> {
    const handler = this.handlers.get(row.kind);
    if (!handler) throw new Error(`no handler for ${row.kind}`);
    this.hooks.crashAt?.('before_register', row);
    let result: unknown;
    try {
      result = await handler.call(this.register(), row);
    } catch (e) {
      if (isFiscalError(e) && e.outcome === 'not_done') {
        this.fail(row.op_id, e.code, e.message);
        throw fiscalAppError(e);
      }
      // Unknown outcome: ask the register before anything else happens.
      const settled = await this.reconcile(row);
      if (settled?.state === 'done') return settled;
      if (settled?.state === 'failed') throw new AppError('fiscal.rejected', settled.error_message ?? 'Операция на ККТ не выполнена');
      if (isFiscalError(e)) throw fiscalAppError(new FiscalError('outcome_unknown', e.message));
      throw new AppError('fiscal.outcome_unknown', `Неизвестно, выполнена ли операция на ККТ: ${(e as Error).message}`);
    }
    this.hooks.crashAt?.('after_register', row);
    return this.complete(row, result);
  }

  private fail(opId: string, code: string, message: string): void {
    this.db.prepare("UPDATE operations SET state = 'failed', error_code = ?, error_message = ?, updated_at = ? WHERE op_id = ? AND state = 'fiscal_pending'").run(code, message, this.clock().toISOString(), opId);
    const row = this.get(opId);
    if (row) this.hooks.changed?.(row);
  }

  /** The final transaction: the result, the state, the sync op and the local effects together. */
  private complete(row: OperationRow, result: unknown): OperationRow {
    const handler = this.handlers.get(row.kind) as KindHandler;
    const at = this.clock();
    this.db.transaction(() => {
      const current = this.get(row.op_id);
      if (current?.state !== 'fiscal_pending') return;
      const { type, body } = handler.finalize(current, result, at);
      const seq = this.journal.append(type, row.op_id, body, at);
      this.db
        .prepare("UPDATE operations SET state = 'done', result = ?, seq = ?, shift_number = COALESCE(?, shift_number), updated_at = ? WHERE op_id = ? AND state = 'fiscal_pending'")
        .run(JSON.stringify(result ?? null), seq, shiftOf(result), at.toISOString(), row.op_id);
    })();
    const done = this.get(row.op_id) as OperationRow;
    this.hooks.changed?.(done);
    return done;
  }

  /** Records an operation that needs no register (a reading, a cash count), exactly once. */
  recordWithoutRegister(op: NewOperation, type: OpType, body: object): OperationRow {
    const requestJson = JSON.stringify(op.request);
    const existing = this.get(op.opId);
    if (existing) {
      if (existing.kind !== op.kind || existing.request !== requestJson) throw new AppError('op.id_reused', 'Этот номер операции уже использован для другой операции');
      return existing;
    }
    const at = this.clock();
    this.db.transaction(() => {
      const seq = this.journal.append(type, op.opId, body, at);
      this.db
        .prepare(
          `INSERT INTO operations (op_id, kind, state, request, attempts, cashier_id, cashier_name, shift_number, total_kop, account_number, seq, created_at, updated_at)
           VALUES (?, ?, 'done', ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(op.opId, op.kind, requestJson, op.cashier.id, op.cashier.name, op.shiftNumber ?? null, op.totalKop ?? null, op.accountNumber ?? null, seq, at.toISOString(), at.toISOString());
    })();
    const row = this.get(op.opId) as OperationRow;
    this.hooks.changed?.(row);
    return row;
  }

  /** Settles every operation left unresolved by an earlier attempt; call under the mutex. */
  private async reconcileAll(): Promise<void> {
    for (const row of this.unresolved()) {
      const settled = await this.reconcile(row);
      if (settled?.state === 'fiscal_pending') {
        throw new AppError('fiscal.outcome_unknown', `Сначала нужно выяснить, выполнена ли операция ${row.number ?? row.kind}: ККТ не отвечает. Проверьте ККТ и повторите.`, { opId: row.op_id });
      }
    }
  }

  /** Public entry for start-up and for the UI's "check the register" action. */
  async reconcilePending(): Promise<{ settled: number; unresolved: number }> {
    return this.mutex.run(async () => {
      let settled = 0;
      let unresolved = 0;
      for (const row of this.unresolved()) {
        const r = await this.reconcile(row);
        if (r?.state === 'fiscal_pending') unresolved++;
        else settled++;
      }
      return { settled, unresolved };
    });
  }

  /**
   * Asks the register what it did for one pending operation. Receipts are looked up by operation
   * id; other operations are simply repeated with the same id, which the drivers make idempotent.
   */
  private async reconcile(row: OperationRow): Promise<OperationRow | null> {
    const handler = this.handlers.get(row.kind);
    if (!handler) return null;
    try {
      if (handler.receipt) {
        const receipt = row.receipt ? (JSON.parse(row.receipt) as Receipt) : null;
        const found = await this.register().lookupOperation(row.op_id, { kind: handler.receipt, totalKop: receipt?.totalKop ?? row.total_kop ?? 0 });
        if (found) return this.complete(row, found);
        if (found === null) {
          this.fail(row.op_id, 'not_printed', 'ККТ не пробила этот чек: деньги по нему не принимались');
          return this.get(row.op_id);
        }
      }
      const result = await handler.call(this.register(), row);
      return this.complete(row, result);
    } catch (e) {
      if (isFiscalError(e) && e.outcome === 'not_done' && !handler.receipt) {
        this.fail(row.op_id, e.code, e.message);
        return this.get(row.op_id);
      }
      return this.get(row.op_id);
    }
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
