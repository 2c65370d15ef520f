/**
 * A virtual fiscal register that behaves like a real one and keeps its state durably in its own
 * SQLite file: the fiscal document counter for the drive's life, shifts with their 24-hour expiry,
 * receipt numbers, drawer cash, shift totals, an unsent-to-ОФД queue with the 30-day block, paper and
 * cover, and a receipt left open by a fault. It refuses what a real register refuses, and every
 * document is kept as a printed tape. Faults can be injected for tests.
 */
import { Database } from '@paydesk/sqlite';
import { createHash, randomInt } from 'node:crypto';
import { fnsQrString, validateReceipt, type AgentType, type Receipt, type TaxSystem } from '@paydesk/domain';
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
import { renderCashMove, renderReceipt, renderShiftOpen, renderShiftReport, renderText, type Letterhead } from './tape.ts';
import { cacheStatements } from '@paydesk/sqlite';

const HOUR = 3_600_000;
const SHIFT_MS = 24 * HOUR;
const OFD_BLOCK_MS = 30 * 24 * HOUR;

export type VirtualFault =
  /** Refused for lack of paper before anything happens; the paper stays out until loaded. */
  | { kind: 'paper_out_before' }
  /** Fiscalised, then the paper ran out: printed = false until continuePrint. */
  | { kind: 'paper_out_after' }
  /** The device does not answer for the next `times` calls (nothing happens). `answered`: the caller
   * cannot tell that nothing happened (a timeout rather than a refused connection). */
  | { kind: 'unavailable'; times?: number; answered?: boolean }
  /** The next call takes this long. */
  | { kind: 'delay'; ms: number }
  /** Fiscalised, but the answer is lost: the caller gets outcome_unknown; then, if asked, the device
   * stays silent for the next `silentFor` calls (a device that hung after printing). */
  | { kind: 'lose_answer'; silentFor?: number }
  /** Fiscalised, then the process dies before answering (hooks.crash). */
  | { kind: 'crash_after_fiscal' }
  /** A printer fault in the middle of the receipt leaves it open: refused until cancelReceipt. */
  | { kind: 'receipt_left_open' };

export interface VirtualRegisterOptions {
  /** SQLite file for the register's state, or ':memory:'. */
  file: string;
  now?: () => Date;
  organization?: { name: string; inn: string; address: string; place: string };
  /** Agent types the register is registered with (tag 1057); others are refused like ATOL error 167. */
  agentTypes?: AgentType[];
  taxSystems?: TaxSystem[];
  timeZone?: string;
  /**
   * What the point's settings say now — the organisation, the place of settlement, the time zone — read
   * at each document, as a real register prints what it was registered with: its header and clock then
   * agree with the receipt's «Адрес расчетов» and the cashier's screen.
   */
  profile?: () => {
    name?: string | undefined;
    inn?: string | undefined;
    address?: string | undefined;
    place?: string | undefined;
    timeZone?: string | undefined;
  };
  /** Where a simulated crash goes; the default kills the process at once. */
  crash?: () => void;
}

interface StateRow {
  serial: string;
  fn_number: string;
  reg_number: string;
  fn_valid_until: string;
  last_fd: number;
  shift_number: number;
  shift_open: number;
  shift_opened_at: string | null;
  receipt_in_shift: number;
  drawer_kop: number;
  paper: number;
  cover_open: number;
  receipt_open: number;
  ofd_reachable: number;
  pending_print: number | null;
}

interface DocRow {
  id: number;
  fd: number | null;
  op_id: string | null;
  type: string;
  shift_number: number | null;
  receipt_number: number | null;
  total_kop: number | null;
  cash_kop: number | null;
  card_kop: number | null;
  at: string;
  fiscal_sign: string | null;
  qr: string | null;
  printed: number;
  ofd_sent_at: string | null;
  tape: string;
  body: string | null;
}

export interface TapeDocument {
  id: number;
  type: string;
  documentNumber: number | null;
  operationId: string | null;
  at: string;
  printed: boolean;
  tape: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kkt_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  serial TEXT NOT NULL, fn_number TEXT NOT NULL, reg_number TEXT NOT NULL, fn_valid_until TEXT NOT NULL,
  last_fd INTEGER NOT NULL, shift_number INTEGER NOT NULL, shift_open INTEGER NOT NULL, shift_opened_at TEXT,
  receipt_in_shift INTEGER NOT NULL, drawer_kop INTEGER NOT NULL, paper INTEGER NOT NULL, cover_open INTEGER NOT NULL,
  receipt_open INTEGER NOT NULL, ofd_reachable INTEGER NOT NULL, pending_print INTEGER
);
CREATE TABLE IF NOT EXISTS kkt_documents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  fd INTEGER UNIQUE,
  op_id TEXT UNIQUE,
  type TEXT NOT NULL,
  shift_number INTEGER, receipt_number INTEGER,
  total_kop INTEGER, cash_kop INTEGER, card_kop INTEGER,
  at TEXT NOT NULL, fiscal_sign TEXT, qr TEXT,
  printed INTEGER NOT NULL, ofd_sent_at TEXT,
  tape TEXT NOT NULL, body TEXT
);
CREATE INDEX IF NOT EXISTS kkt_documents_unsent ON kkt_documents (fd) WHERE fd IS NOT NULL AND ofd_sent_at IS NULL;
CREATE INDEX IF NOT EXISTS kkt_documents_shift ON kkt_documents (shift_number, type);
`;

function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(randomInt(10));
  return s;
}

export class VirtualRegister implements FiscalRegister {
  readonly driver = 'virtual' as const;
  private readonly db: Database;
  private readonly now: () => Date;
  private readonly base: Letterhead;
  private readonly profile: VirtualRegisterOptions['profile'];
  private readonly agentTypes: AgentType[];
  private readonly taxSystems: TaxSystem[];
  private readonly crash: () => void;
  private faults: VirtualFault[] = [];

  constructor(options: VirtualRegisterOptions) {
    this.db = new Database(options.file);
    cacheStatements(this.db);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.now = options.now ?? ((): Date => new Date());
    this.agentTypes = options.agentTypes ?? ['paying_agent', 'paying_subagent'];
    this.taxSystems = options.taxSystems ?? ['osn', 'usn_income', 'usn_income_outcome', 'esn', 'patent'];
    this.crash = options.crash ?? ((): void => void process.kill(process.pid, 'SIGKILL'));
    if (!this.db.prepare('SELECT 1 FROM kkt_state').get()) {
      const validUntil = new Date(this.now().getTime() + 456 * 24 * HOUR).toISOString().slice(0, 10);
      this.db
        .prepare(`INSERT INTO kkt_state VALUES (1, ?, ?, ?, ?, 0, 0, 0, NULL, 0, 0, 1, 0, 0, 1, NULL)`)
        .run(`00106${digits(9)}`, `99990789${digits(8)}`, `000000${digits(10)}`, validUntil);
    }
    const s = this.state();
    const org = options.organization ?? {
      name: 'ООО «Расчётный центр»',
      inn: '7707083893',
      address: 'г. Энск, ул. Ленина, д. 1',
      place: 'Пункт приёма платежей',
    };
    this.profile = options.profile;
    this.base = {
      orgName: org.name,
      orgInn: org.inn,
      address: org.address,
      place: org.place,
      registrationNumber: s.reg_number,
      serialNumber: s.serial,
      fnNumber: s.fn_number,
      timeZone: options.timeZone ?? 'Europe/Moscow',
    };
  }

  private letterhead(): Letterhead {
    const p = this.profile?.() ?? {};
    return {
      ...this.base,
      orgName: p.name || this.base.orgName,
      orgInn: p.inn || this.base.orgInn,
      address: p.address || this.base.address,
      place: p.place || this.base.place,
      timeZone: p.timeZone || this.base.timeZone,
    };
  }

  // ---- test and demo controls -------------------------------------------------------------

  injectFault(fault: VirtualFault): void {
    this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults = [];
  }

  setPaper(present: boolean): void {
    this.db.prepare('UPDATE kkt_state SET paper = ?').run(present ? 1 : 0);
  }

  setCoverOpen(open: boolean): void {
    this.db.prepare('UPDATE kkt_state SET cover_open = ?').run(open ? 1 : 0);
  }

  setOfdReachable(reachable: boolean): void {
    this.db.prepare('UPDATE kkt_state SET ofd_reachable = ?').run(reachable ? 1 : 0);
    this.flushOfd();
  }

  /** The printed tape, newest last. */
  documents(options: { afterId?: number; limit?: number } = {}): TapeDocument[] {
    const rows = this.db
      .prepare('SELECT * FROM kkt_documents WHERE id > ? ORDER BY id DESC LIMIT ?')
      .all(options.afterId ?? 0, options.limit ?? 50) as DocRow[];
    return rows.reverse().map((r) => ({
      id: r.id,
      type: r.type,
      documentNumber: r.fd,
      operationId: r.op_id,
      at: r.at,
      printed: r.printed === 1,
      tape: r.tape,
    }));
  }

  /** The tape of the fiscal document made for an operation. */
  documentFor(operationId: string): TapeDocument | null {
    const r = this.db.prepare('SELECT * FROM kkt_documents WHERE op_id = ?').get(operationId) as DocRow | undefined;
    return r
      ? { id: r.id, type: r.type, documentNumber: r.fd, operationId: r.op_id, at: r.at, printed: r.printed === 1, tape: r.tape }
      : null;
  }

  /** Every fiscal receipt with its operation id, payments and whether it was printed, for invariant checks. */
  receipts(): {
    operationId: string | null;
    kind: 'sale' | 'sale_return';
    documentNumber: number;
    totalKop: number;
    cashKop: number;
    cardKop: number;
    shiftNumber: number;
    printed: boolean;
    /** A correction receipt (чек коррекции). */
    correction: boolean;
  }[] {
    const rows = this.db
      .prepare(
        "SELECT op_id, type, fd, total_kop, cash_kop, card_kop, shift_number, printed, json_extract(body, '$.correction') IS NOT NULL AS correction FROM kkt_documents WHERE type IN ('sale','sale_return') ORDER BY fd",
      )
      .all() as (DocRow & { correction: number })[];
    return rows.map((r) => ({
      operationId: r.op_id,
      kind: r.type as 'sale' | 'sale_return',
      documentNumber: r.fd ?? 0,
      totalKop: r.total_kop ?? 0,
      cashKop: r.cash_kop ?? 0,
      cardKop: r.card_kop ?? 0,
      shiftNumber: r.shift_number ?? 0,
      printed: r.printed === 1,
      correction: r.correction === 1,
    }));
  }

  // ---- the port -----------------------------------------------------------------------------

  async registerReceipt(receipt: Receipt): Promise<FiscalResult> {
    const existing = this.resultFor(receipt.operationId);
    if (existing) return existing;
    // A receipt sent electronically only needs no paper.
    await this.before({ printing: receipt.electronicOnly !== true, fiscal: true });
    const s = this.requireOpenShift();
    const problems = validateReceipt(receipt);
    if (problems.length > 0) throw new FiscalError('rejected', problems.map((p) => p.message).join('; '), 'validation');
    for (const item of receipt.items) {
      if (item.agent && !this.agentTypes.includes(item.agent.type)) throw new FiscalError('not_agent', undefined, 167);
    }
    if (!this.taxSystems.includes(receipt.taxSystem)) throw new FiscalError('rejected', 'СНО не зарегистрирована в ККТ', 143);
    if (receipt.kind === 'sale_return') {
      if (receipt.payments.cashKop > s.drawer_kop) throw new FiscalError('not_enough_cash', undefined, 80);
      const totals = this.totalsOf(s.shift_number);
      // A correction of a return makes good money given back earlier without a receipt: not bounded by this shift's takings.
      if (
        !receipt.correction &&
        receipt.totalKop > totals.sales.cashKop + totals.sales.cardKop - totals.returns.cashKop - totals.returns.cardKop
      ) {
        throw new FiscalError('return_exceeds', undefined, 53);
      }
    }
    const openFault = this.takeFault('receipt_left_open');
    if (openFault) {
      this.db.prepare('UPDATE kkt_state SET receipt_open = 1').run();
      throw new FiscalError('receipt_open', 'ошибка принтера посреди чека', 82);
    }
    const paperAfter = receipt.electronicOnly !== true && this.takeFault('paper_out_after') !== undefined;
    const at = this.now().toISOString();
    const result = this.db.transaction((): FiscalResult => {
      const fd = s.last_fd + 1;
      const receiptNumber = s.receipt_in_shift + 1;
      const sign = this.fiscalSign(fd, receipt.totalKop, at);
      const qr = fnsQrString({
        at: new Date(at),
        totalKop: receipt.totalKop,
        fnNumber: s.fn_number,
        documentNumber: fd,
        fiscalSign: sign,
        kind: receipt.kind,
      });
      const cashDelta = receipt.kind === 'sale' ? receipt.payments.cashKop : -receipt.payments.cashKop;
      const tape = renderReceipt(this.letterhead(), {
        receipt,
        documentNumber: fd,
        fiscalSign: sign,
        shiftNumber: s.shift_number,
        receiptNumber,
        at,
        qr,
        ...(receipt.cashTenderedKop !== undefined ? { cashTenderedKop: receipt.cashTenderedKop } : {}),
      });
      const info = this.db
        .prepare(
          `INSERT INTO kkt_documents (fd, op_id, type, shift_number, receipt_number, total_kop, cash_kop, card_kop, at, fiscal_sign, qr, printed, ofd_sent_at, tape, body)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          fd,
          receipt.operationId,
          receipt.kind,
          s.shift_number,
          receiptNumber,
          receipt.totalKop,
          receipt.payments.cashKop,
          receipt.payments.cardKop,
          at,
          sign,
          qr,
          paperAfter ? 0 : 1,
          s.ofd_reachable ? at : null,
          tape,
          JSON.stringify(receipt),
        );
      this.db
        // Paper runs out after this receipt, or stays as it was (a receipt sent electronically only prints nothing).
        .prepare(
          'UPDATE kkt_state SET last_fd = ?, receipt_in_shift = ?, drawer_kop = drawer_kop + ?, paper = CASE WHEN ? = 1 THEN 0 ELSE paper END, pending_print = ?',
        )
        .run(fd, receiptNumber, cashDelta, paperAfter ? 1 : 0, paperAfter ? info.lastInsertRowid : null);
      return {
        operationId: receipt.operationId,
        kind: receipt.kind,
        documentNumber: fd,
        fiscalSign: sign,
        shiftNumber: s.shift_number,
        receiptNumber,
        at,
        totalKop: receipt.totalKop,
        fnNumber: s.fn_number,
        registrationNumber: s.reg_number,
        qr,
        printed: !paperAfter,
      };
    })();
    this.after();
    return result;
  }

  async openShift(operationId: string, cashier: Cashier): Promise<ShiftDocument> {
    const done = this.shiftDocFor(operationId, 'open_shift');
    if (done) return done;
    await this.before({ printing: true, fiscal: true });
    const s = this.state();
    if (s.shift_open) throw new FiscalError(this.expired(s) ? 'shift_expired' : 'shift_already_open', undefined, 83);
    const at = this.now().toISOString();
    const doc = this.db.transaction((): ShiftDocument => {
      const fd = s.last_fd + 1;
      const shiftNumber = s.shift_number + 1;
      const sign = this.fiscalSign(fd, 0, at);
      const tape = renderShiftOpen(this.letterhead(), { shiftNumber, documentNumber: fd, fiscalSign: sign, at, cashier: cashier.name });
      this.insertDoc({
        fd,
        op_id: operationId,
        type: 'open_shift',
        shift_number: shiftNumber,
        at,
        fiscal_sign: sign,
        ofd: s.ofd_reachable === 1,
        tape,
      });
      this.db
        .prepare('UPDATE kkt_state SET last_fd = ?, shift_number = ?, shift_open = 1, shift_opened_at = ?, receipt_in_shift = 0')
        .run(fd, shiftNumber, at);
      return { operationId, shiftNumber, documentNumber: fd, at };
    })();
    this.after();
    return doc;
  }

  async closeShift(operationId: string, cashier: Cashier): Promise<CloseShiftResult> {
    const done = this.db.prepare("SELECT * FROM kkt_documents WHERE op_id = ? AND type = 'close_shift'").get(operationId) as
      DocRow | undefined;
    if (done) {
      const totals = JSON.parse(done.body ?? '{}') as RegisterShiftTotals;
      return { operationId, shiftNumber: done.shift_number ?? 0, documentNumber: done.fd ?? 0, at: done.at, totals };
    }
    await this.before({ printing: true, fiscal: true });
    const s = this.state();
    if (!s.shift_open) throw new FiscalError('shift_closed', undefined, 73);
    const at = this.now().toISOString();
    const result = this.db.transaction((): CloseShiftResult => {
      const fd = s.last_fd + 1;
      const totals = this.totalsOf(s.shift_number);
      const sign = this.fiscalSign(fd, 0, at);
      const unsent = this.unsent().count + (s.ofd_reachable ? 0 : 1);
      const tape = renderShiftReport(this.letterhead(), {
        kind: 'z',
        totals,
        at,
        cashier: cashier.name,
        documentNumber: fd,
        fiscalSign: sign,
        unsentToOfd: unsent,
      });
      this.insertDoc({
        fd,
        op_id: operationId,
        type: 'close_shift',
        shift_number: s.shift_number,
        at,
        fiscal_sign: sign,
        ofd: s.ofd_reachable === 1,
        tape,
        body: JSON.stringify(totals),
      });
      this.db.prepare('UPDATE kkt_state SET last_fd = ?, shift_open = 0, shift_opened_at = NULL').run(fd);
      return { operationId, shiftNumber: s.shift_number, documentNumber: fd, at, totals };
    })();
    this.after();
    return result;
  }

  async xReport(operationId: string, cashier: Cashier): Promise<RegisterShiftTotals> {
    await this.before({ printing: true, fiscal: false });
    const s = this.state();
    if (!s.shift_open) throw new FiscalError('shift_closed', undefined, 73);
    const totals = this.totalsOf(s.shift_number);
    const at = this.now().toISOString();
    const tape = renderShiftReport(this.letterhead(), { kind: 'x', totals, at, cashier: cashier.name, unsentToOfd: this.unsent().count });
    this.insertDoc({
      fd: null,
      op_id: operationId,
      type: 'x_report',
      shift_number: s.shift_number,
      at,
      tape,
      body: JSON.stringify(totals),
    });
    return totals;
  }

  async cashIn(operationId: string, cashier: Cashier, amountKop: number): Promise<{ drawerKop: number }> {
    return this.cashMove('in', operationId, cashier, amountKop);
  }

  async cashOut(operationId: string, cashier: Cashier, amountKop: number): Promise<{ drawerKop: number }> {
    return this.cashMove('out', operationId, cashier, amountKop);
  }

  private async cashMove(kind: 'in' | 'out', operationId: string, cashier: Cashier, amountKop: number): Promise<{ drawerKop: number }> {
    const type = kind === 'in' ? 'cash_in' : 'cash_out';
    const done = this.db.prepare('SELECT body FROM kkt_documents WHERE op_id = ? AND type = ?').get(operationId, type) as
      { body: string } | undefined;
    if (done) return JSON.parse(done.body) as { drawerKop: number };
    if (!Number.isSafeInteger(amountKop) || amountKop <= 0) throw new FiscalError('rejected', 'сумма должна быть больше нуля', 16);
    await this.before({ printing: true, fiscal: false });
    const s = this.requireOpenShift();
    if (kind === 'out' && amountKop > s.drawer_kop) throw new FiscalError('not_enough_cash', undefined, 80);
    const drawerKop = s.drawer_kop + (kind === 'in' ? amountKop : -amountKop);
    const at = this.now().toISOString();
    this.db.transaction(() => {
      const tape = renderCashMove(this.letterhead(), {
        kind,
        amountKop,
        drawerKop,
        at,
        cashier: cashier.name,
        shiftNumber: s.shift_number,
      });
      this.insertDoc({
        fd: null,
        op_id: operationId,
        type,
        shift_number: s.shift_number,
        at,
        tape,
        total_kop: amountKop,
        body: JSON.stringify({ drawerKop }),
      });
      this.db.prepare('UPDATE kkt_state SET drawer_kop = ?').run(drawerKop);
    })();
    return { drawerKop };
  }

  async cancelReceipt(): Promise<void> {
    await this.before({ printing: false, fiscal: false });
    const s = this.state();
    if (!s.receipt_open) return;
    this.db.transaction(() => {
      this.insertDoc({
        fd: null,
        op_id: null,
        type: 'cancel',
        shift_number: s.shift_number,
        at: this.now().toISOString(),
        tape: renderText(['ЧЕК АННУЛИРОВАН']),
      });
      this.db.prepare('UPDATE kkt_state SET receipt_open = 0').run();
    })();
  }

  async continuePrint(): Promise<void> {
    await this.before({ printing: false, fiscal: false });
    const s = this.state();
    if (s.pending_print === null) return;
    if (!s.paper) throw new FiscalError('paper_out', undefined, 44);
    this.db.transaction(() => {
      this.db.prepare('UPDATE kkt_documents SET printed = 1 WHERE id = ?').run(s.pending_print);
      this.db.prepare('UPDATE kkt_state SET pending_print = NULL').run();
    })();
  }

  async reprintLast(): Promise<void> {
    const last = this.db.prepare("SELECT * FROM kkt_documents WHERE type IN ('sale','sale_return') ORDER BY fd DESC LIMIT 1").get() as
      DocRow | undefined;
    if (!last) throw new FiscalError('rejected', 'в ККТ ещё нет ни одного чека', 'no_document');
    await this.printCopy(last);
  }

  async reprintDocument(documentNumber: number): Promise<void> {
    const doc = this.db.prepare("SELECT * FROM kkt_documents WHERE fd = ? AND type IN ('sale','sale_return')").get(documentNumber) as
      DocRow | undefined;
    if (!doc) throw new FiscalError('rejected', `в ФН нет чека с номером ${documentNumber}`, 'no_document');
    await this.printCopy(doc);
  }

  private async printCopy(last: DocRow): Promise<void> {
    await this.before({ printing: true, fiscal: false });
    const receipt = JSON.parse(last.body ?? '{}') as Receipt;
    const tape = renderReceipt(this.letterhead(), {
      receipt,
      documentNumber: last.fd ?? 0,
      fiscalSign: last.fiscal_sign ?? '',
      shiftNumber: last.shift_number ?? 0,
      receiptNumber: last.receipt_number ?? 0,
      at: last.at,
      qr: last.qr ?? '',
      copy: true,
    });
    this.insertDoc({ fd: null, op_id: null, type: 'copy', shift_number: last.shift_number, at: this.now().toISOString(), tape });
  }

  async cut(): Promise<void> {
    await this.before({ printing: false, fiscal: false });
    this.insertDoc({
      fd: null,
      op_id: null,
      type: 'cut',
      shift_number: null,
      at: this.now().toISOString(),
      tape: '- - - - - - - - - - - ✂ - - - - - - - - - - -',
    });
  }

  async printText(lines: string[]): Promise<void> {
    await this.before({ printing: true, fiscal: false });
    this.insertDoc({ fd: null, op_id: null, type: 'text', shift_number: null, at: this.now().toISOString(), tape: renderText(lines) });
  }

  async status(): Promise<RegisterStatus> {
    if (this.takeUnavailable()) {
      return {
        driver: 'virtual',
        connected: false,
        model: 'Виртуальная ККТ',
        serialNumber: this.base.serialNumber,
        shift: { state: 'closed', number: null, openedAt: null, expiresAt: null },
        paperPresent: false,
        coverOpen: false,
        receiptOpen: false,
        drawerKop: null,
        fn: { number: this.base.fnNumber, validUntil: null, warnings: [] },
        ofd: { unsentCount: 0, oldestUnsentAt: null },
        lastDocumentNumber: null,
      };
    }
    this.flushOfd();
    const s = this.state();
    const unsent = this.unsent();
    const warnings: string[] = [];
    if (unsent.oldest && this.now().getTime() - new Date(unsent.oldest).getTime() > OFD_BLOCK_MS - 3 * 24 * HOUR)
      warnings.push('ofdTimeout');
    if (new Date(s.fn_valid_until).getTime() - this.now().getTime() < 30 * 24 * HOUR) warnings.push('needReplacement');
    return {
      driver: 'virtual',
      connected: true,
      model: 'Виртуальная ККТ',
      serialNumber: s.serial,
      shift: {
        state: s.shift_open ? (this.expired(s) ? 'expired' : 'open') : 'closed',
        number: s.shift_number > 0 ? s.shift_number : null,
        openedAt: s.shift_opened_at,
        expiresAt: s.shift_opened_at ? new Date(new Date(s.shift_opened_at).getTime() + SHIFT_MS).toISOString() : null,
      },
      paperPresent: s.paper === 1,
      pendingPrint: s.pending_print !== null,
      coverOpen: s.cover_open === 1,
      receiptOpen: s.receipt_open === 1,
      drawerKop: s.drawer_kop,
      fn: { number: s.fn_number, validUntil: s.fn_valid_until, warnings },
      ofd: { unsentCount: unsent.count, oldestUnsentAt: unsent.oldest },
      lastDocumentNumber: s.last_fd > 0 ? s.last_fd : null,
    };
  }

  async shiftTotals(): Promise<RegisterShiftTotals> {
    await this.before({ printing: false, fiscal: false });
    return this.totalsOf(this.state().shift_number);
  }

  async lastDocument(): Promise<LastDocument | null> {
    await this.before({ printing: false, fiscal: false });
    const r = this.db.prepare('SELECT * FROM kkt_documents WHERE fd IS NOT NULL ORDER BY fd DESC LIMIT 1').get() as DocRow | undefined;
    if (!r) return null;
    const kind = r.type === 'sale' || r.type === 'sale_return' || r.type === 'open_shift' || r.type === 'close_shift' ? r.type : 'other';
    return { documentNumber: r.fd ?? 0, kind, totalKop: r.total_kop, at: r.at, operationId: r.op_id };
  }

  async lookupOperation(operationId: string): Promise<FiscalResult | null> {
    await this.before({ printing: false, fiscal: false });
    return this.resultFor(operationId);
  }

  async close(): Promise<void> {
    this.db.close();
  }

  // ---- internals ----------------------------------------------------------------------------

  private state(): StateRow {
    return this.db.prepare('SELECT * FROM kkt_state WHERE id = 1').get() as StateRow;
  }

  private expired(s: StateRow): boolean {
    return s.shift_open === 1 && s.shift_opened_at !== null && this.now().getTime() - new Date(s.shift_opened_at).getTime() >= SHIFT_MS;
  }

  private requireOpenShift(): StateRow {
    const s = this.state();
    if (!s.shift_open) throw new FiscalError('shift_closed', undefined, 73);
    if (this.expired(s)) throw new FiscalError('shift_expired', undefined, 68);
    return s;
  }

  private takeFault<K extends VirtualFault['kind']>(kind: K): Extract<VirtualFault, { kind: K }> | undefined {
    const i = this.faults.findIndex((f) => f.kind === kind);
    if (i < 0) return undefined;
    const [f] = this.faults.splice(i, 1);
    return f as Extract<VirtualFault, { kind: K }>;
  }

  /** A status read is a call the silent device does not answer either: it uses up one of its silent calls. */
  private takeUnavailable(): boolean {
    const f = this.faults.find((x) => x.kind === 'unavailable');
    if (!f || f.kind !== 'unavailable') return false;
    const left = (f.times ?? 1) - 1;
    if (left <= 0) this.faults.splice(this.faults.indexOf(f), 1);
    else f.times = left;
    return true;
  }

  /** Faults and device conditions checked before an operation does anything. */
  private async before(op: { printing: boolean; fiscal: boolean }): Promise<void> {
    const delay = this.takeFault('delay');
    if (delay) await new Promise((r) => setTimeout(r, delay.ms));
    const unavailable = this.faults.find((f) => f.kind === 'unavailable');
    if (unavailable && unavailable.kind === 'unavailable' && this.takeUnavailable()) {
      // A refused connection: the command never reached the device. A timeout: the caller cannot tell.
      throw new FiscalError('unavailable', unavailable.answered ? 'таймаут' : undefined, 2, unavailable.answered ? 'unknown' : 'not_done');
    }
    const s = this.state();
    if (op.printing) {
      if (this.takeFault('paper_out_before')) {
        this.setPaper(false);
        throw new FiscalError('paper_out', undefined, 44);
      }
      if (!s.paper) throw new FiscalError('paper_out', undefined, 44);
      if (s.cover_open) throw new FiscalError('cover_open', undefined, 45);
      if (s.receipt_open) throw new FiscalError('receipt_open', undefined, 82);
      if (s.pending_print !== null) throw new FiscalError('paper_out', 'предыдущий чек не допечатан: «Допечатать»', 44);
    }
    if (op.fiscal) {
      this.flushOfd();
      const unsent = this.unsent();
      if (unsent.oldest && this.now().getTime() - new Date(unsent.oldest).getTime() >= OFD_BLOCK_MS) {
        throw new FiscalError('fn_problem', 'документы не переданы в ОФД 30 дней — ФН заблокирован', 140);
      }
    }
  }

  /** Faults that strike after the document was fiscalised and committed. */
  private after(): void {
    if (this.takeFault('crash_after_fiscal')) this.crash();
    const lost = this.takeFault('lose_answer');
    if (lost) {
      if (lost.silentFor) this.faults.push({ kind: 'unavailable', times: lost.silentFor, answered: true });
      throw new FiscalError('outcome_unknown', 'ответ ККТ потерян');
    }
  }

  private insertDoc(d: {
    fd: number | null;
    op_id: string | null;
    type: string;
    shift_number: number | null;
    at: string;
    tape: string;
    fiscal_sign?: string;
    ofd?: boolean;
    body?: string;
    total_kop?: number;
  }): void {
    this.db
      .prepare(
        `INSERT INTO kkt_documents (fd, op_id, type, shift_number, receipt_number, total_kop, cash_kop, card_kop, at, fiscal_sign, qr, printed, ofd_sent_at, tape, body)
         VALUES (?, ?, ?, ?, NULL, ?, NULL, NULL, ?, ?, NULL, 1, ?, ?, ?)`,
      )
      .run(
        d.fd,
        d.op_id,
        d.type,
        d.shift_number,
        d.total_kop ?? null,
        d.at,
        d.fiscal_sign ?? null,
        d.fd !== null && d.ofd ? d.at : null,
        d.tape,
        d.body ?? null,
      );
  }

  private resultFor(operationId: string): FiscalResult | null {
    const r = this.db.prepare("SELECT * FROM kkt_documents WHERE op_id = ? AND type IN ('sale','sale_return')").get(operationId) as
      DocRow | undefined;
    if (!r) return null;
    const s = this.state();
    return {
      operationId,
      kind: r.type as 'sale' | 'sale_return',
      documentNumber: r.fd ?? 0,
      fiscalSign: r.fiscal_sign ?? '',
      shiftNumber: r.shift_number ?? 0,
      receiptNumber: r.receipt_number ?? 0,
      at: r.at,
      totalKop: r.total_kop ?? 0,
      fnNumber: s.fn_number,
      registrationNumber: s.reg_number,
      qr: r.qr ?? '',
      printed: r.printed === 1,
    };
  }

  private shiftDocFor(operationId: string, type: string): ShiftDocument | null {
    const r = this.db.prepare('SELECT * FROM kkt_documents WHERE op_id = ? AND type = ?').get(operationId, type) as DocRow | undefined;
    return r ? { operationId, shiftNumber: r.shift_number ?? 0, documentNumber: r.fd ?? 0, at: r.at } : null;
  }

  private totalsOf(shiftNumber: number): RegisterShiftTotals {
    const rows = this.db
      .prepare(
        `SELECT type, COUNT(*) AS n, COALESCE(SUM(cash_kop), 0) AS cash, COALESCE(SUM(card_kop), 0) AS card, COALESCE(SUM(total_kop), 0) AS total
         FROM kkt_documents WHERE shift_number = ? AND type IN ('sale','sale_return','cash_in','cash_out') GROUP BY type`,
      )
      .all(shiftNumber) as { type: string; n: number; cash: number; card: number; total: number }[];
    const by = (t: string): { n: number; cash: number; card: number; total: number } =>
      rows.find((r) => r.type === t) ?? { n: 0, cash: 0, card: 0, total: 0 };
    return {
      shiftNumber,
      sales: { count: by('sale').n, cashKop: by('sale').cash, cardKop: by('sale').card },
      returns: { count: by('sale_return').n, cashKop: by('sale_return').cash, cardKop: by('sale_return').card },
      cashInKop: by('cash_in').total,
      cashOutKop: by('cash_out').total,
      drawerKop: this.state().drawer_kop,
    };
  }

  private unsent(): { count: number; oldest: string | null } {
    const r = this.db
      .prepare('SELECT COUNT(*) AS n, MIN(at) AS oldest FROM kkt_documents WHERE fd IS NOT NULL AND ofd_sent_at IS NULL')
      .get() as { n: number; oldest: string | null };
    return { count: r.n, oldest: r.oldest };
  }

  private flushOfd(): void {
    const s = this.state();
    if (s.ofd_reachable)
      this.db
        .prepare('UPDATE kkt_documents SET ofd_sent_at = ? WHERE fd IS NOT NULL AND ofd_sent_at IS NULL')
        .run(this.now().toISOString());
  }

  /** A stable 10-digit pseudo fiscal sign: the real ФП is cryptographic and only the drive can make it. */
  private fiscalSign(fd: number, totalKop: number, at: string): string {
    const h = createHash('sha256').update(`${this.base.fnNumber}|${fd}|${totalKop}|${at}`).digest();
    return String(h.readUInt32BE(0)).padStart(10, '0');
  }
}
