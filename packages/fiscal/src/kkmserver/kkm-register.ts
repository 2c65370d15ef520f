/**
 * KKMServer (kkmserver.ru) through POST /Execute, as KKMServer really behaves (issue 25):
 *
 * - IdCommand is the operation id and nothing else. KKMServer answers a repeat of a command running or
 *   done with `Status: 5`, and runs an id again by itself after an error, so a resend is safe while it
 *   remembers. It forgets after 100 newer commands or a restart; an operation whose outcome this driver
 *   reported unknown is then never sent again: only KKMServer's word (GetRezult) or the runner's
 *   reconciliation by the document counter settles it.
 * - GetRezult's `Status: 3` means forgotten, not "never ran": lookupOperation answers undefined.
 * - GetRezult and List cost nothing in KKMServer's command memory; every other command takes a slot. So
 *   the driver keeps the final answers of its operations and the register's state (GetDataKKT, brought up
 *   to date by its own commands' answers), and asks about unclear operations before sending new ones.
 * - A command still running after `answerWithinMs` answers the cashier "outcome unknown" within seconds
 *   and is settled later; GetRezult is polled with backoff, and new commands wait until it is settled.
 * - NumDevice is sent with every command; left at 0, the driver keeps to the device that answered first.
 */
import { randomUUID } from 'node:crypto';
import type { Receipt, ReceiptKind } from '@paydesk/domain';
import {
  FiscalError,
  type Cashier,
  type CloseShiftResult,
  type FiscalErrorCode,
  type FiscalRegister,
  type FiscalResult,
  type LastDocument,
  type RegisterShiftTotals,
  type RegisterStatus,
  type ShiftDocument,
} from '../port.ts';
import {
  fiscalResultOfKkm,
  lastDocumentOfCheck,
  NOT_PRINTED,
  registerCheckCommand,
  type KkmAnswer,
  type KkmCommand,
} from './kkm-mapping.ts';
import { fiscalErrorOf, readKkmError } from './kkm-errors.ts';
import { FORGOTTEN, KKM_STATUS, KkmTransport } from './kkm-transport.ts';
import { KkmCommands } from './kkm-commands.ts';
import { disconnectedStatus, snapshotOf, statusOf, type KktSnapshot } from './kkm-status.ts';

export interface KkmServerOptions {
  /** e.g. http://127.0.0.1:5893 */
  url: string;
  user?: string;
  password?: string;
  /** KKMServer's device number, sent on every command. 0 or unset: the first free device, then kept to. */
  numDevice?: number;
  /** KKMServer's `Timeout`: it holds an HTTP answer up to this − 1 seconds. */
  commandTimeoutS?: number;
  /** A command still running after this long answers "outcome unknown" and is settled later. */
  answerWithinMs?: number;
  /** The first pause between GetRezult polls; it doubles up to 2 s. */
  pollIntervalMs?: number;
  /** HTTP timeout of a command. */
  requestTimeoutMs?: number;
  /** HTTP timeout of GetRezult, List and status reads. */
  statusTimeoutMs?: number;
  /** How long status() reuses the register's state before spending a command slot on GetDataKKT. */
  statusMaxAgeMs?: number;
  /** Where the driver says what it rounded (float noise in KKMServer's sums). */
  warn?: (message: string) => void;
}

/** The document a command would leave, to recognise it on the device. */
function documentOf(cmd: KkmCommand): { kind: LastDocument['kind']; totalKop: number | null } | null {
  if (cmd.Command === 'OpenShift') return { kind: 'open_shift', totalKop: null };
  if (cmd.Command === 'CloseShift') return { kind: 'close_shift', totalKop: null };
  if (cmd.Command !== 'RegisterCheck' || cmd['IsFiscalCheck'] !== true) return null;
  const paid = ['Cash', 'ElectronicPayment', 'AdvancePayment', 'Credit', 'CashProvision'].reduce(
    (s, k) => s + Math.round(Number(cmd[k] ?? 0) * 100),
    0,
  );
  const type = Number(cmd['TypeCheck']);
  return { kind: type === 1 || type === 3 ? 'sale_return' : 'sale', totalKop: paid };
}

export class KkmServerRegister implements FiscalRegister {
  readonly driver = 'kkmserver' as const;
  private readonly transport: KkmTransport;
  private readonly commands: KkmCommands;
  private readonly statusMaxAgeMs: number;
  private readonly statusTimeoutMs: number;
  private readonly answerWithinMs: number;
  private readonly warn: (m: string) => void;
  private snapshot: KktSnapshot | null = null;
  /** The device's last document number as known for certain; null after anything unclear. */
  private knownLastDocument: number | null = null;
  private lastReceiptNumber: number | null = null;
  private documentReadUnsupported = false;

  constructor(options: KkmServerOptions) {
    this.transport = new KkmTransport(options);
    const commandTimeoutS = options.commandTimeoutS ?? 5;
    this.answerWithinMs = options.answerWithinMs ?? 12_000;
    this.statusTimeoutMs = options.statusTimeoutMs ?? 3_000;
    this.statusMaxAgeMs = options.statusMaxAgeMs ?? 30_000;
    const timing = {
      commandTimeoutS,
      answerWithinMs: this.answerWithinMs,
      pollIntervalMs: options.pollIntervalMs ?? 250,
      requestTimeoutMs: options.requestTimeoutMs ?? (commandTimeoutS + 3) * 1000,
      statusTimeoutMs: this.statusTimeoutMs,
    };
    this.commands = new KkmCommands(this.transport, timing, options.numDevice ?? 0, () => {
      this.snapshot = null;
      this.knownLastDocument = null;
    });
    const said = new Set<string>();
    const warn = options.warn ?? ((m: string): void => console.warn(m));
    this.warn = (m): void => {
      if (said.has(m)) return;
      if (said.size > 100) said.clear();
      said.add(m);
      warn(m);
    };
  }

  // ---- operations ------------------------------------------------------------------------------

  /**
   * Runs an operation under its id exactly once: an answer already known is returned; an operation whose
   * outcome was unclear is sent again only when KKMServer says its earlier run was refused. `fresh`: the
   * answer is of a command run just now, so it tells the register's present state.
   */
  private async operate(
    cmd: KkmCommand,
    opId: string,
    o: { fiscal: boolean; money: boolean; withinMs?: number },
  ): Promise<{ answer: KkmAnswer; fresh: boolean }> {
    const known = this.commands.known(opId);
    if (known) return { answer: known, fresh: false };
    await this.commands.settleOthers(opId);
    if (this.commands.isUnclear(opId)) {
      // Done a while ago, maybe before other documents: it says nothing of the register now.
      const found = await this.commands.askAgain(opId);
      if (found) return { answer: found, fresh: false };
    }
    const a = await this.commands.run(cmd, opId, { kind: 'operation', money: o.money, ...(o.withinMs ? { withinMs: o.withinMs } : {}) });
    if (a.Status === KKM_STATUS.Ok) return { answer: this.commands.settle(opId, a), fresh: true };
    return { answer: this.commands.settle(opId, await this.onError(a, cmd, opId, o.fiscal)), fresh: true };
  }

  /**
   * An operation KKMServer answered with an error. A refusal is "not done"; an error that can strike after
   * fiscalisation (paper, cover, printer) is decided by the document counter; anything else is unknown.
   * Returns the operation's answer when the counter shows its document was made after all.
   */
  private async onError(a: KkmAnswer, cmd: KkmCommand, opId: string, fiscal: boolean): Promise<KkmAnswer> {
    this.snapshot = null;
    const reading = readKkmError(a.Error ?? '');
    if (reading.shiftAmbiguous) throw fiscalErrorOf(reading, 'not_done', await this.shiftProblem());
    if (reading.certainty === 'refused') throw fiscalErrorOf(reading, 'not_done');
    if (fiscal && reading.certainty === 'verify') {
      const checked = await this.checkCounter(cmd, a).catch(() => 'unknown' as const);
      if (checked === 'not_done') throw fiscalErrorOf(reading, 'not_done');
      if (checked !== 'unknown') {
        this.warn(
          `KKMServer: «${reading.text}», but the register made the document ${String(checked.CheckNumber)}: taken as done, not printed`,
        );
        return checked;
      }
    }
    this.commands.markUnclear(opId);
    throw fiscalErrorOf(reading, 'unknown');
  }

  /** The document counter against the number known before the command: unmoved, or moved by this very document. */
  private async checkCounter(cmd: KkmCommand, a: KkmAnswer): Promise<KkmAnswer | 'not_done' | 'unknown'> {
    const before = this.knownLastDocument;
    const expected = documentOf(cmd);
    if (before === null || !expected) return 'unknown';
    const last = await this.readLastDocument();
    const now = last?.documentNumber ?? 0;
    if (now === before) return 'not_done';
    if (!last || now !== before + 1 || last.kind !== expected.kind) return 'unknown';
    if (expected.totalKop !== null && last.totalKop !== expected.totalKop) return 'unknown';
    return { ...a, Status: KKM_STATUS.Ok, Error: '', CheckNumber: now, ...(last.qr ? { QRCode: last.qr } : {}), [NOT_PRINTED]: true };
  }

  /** [E] code 61 is one code for "closed" and "expired": the device's shift state tells them apart. */
  private async shiftProblem(): Promise<FiscalErrorCode> {
    const s = await this.readKkt().catch(() => null);
    return s?.sessionState === 3 ? 'shift_expired' : 'shift_closed';
  }

  /** GetDataKKT, one command slot: the register's state, kept for status(). */
  private async readKkt(): Promise<KktSnapshot> {
    const a = await this.commands.run({ Command: 'GetDataKKT' }, randomUUID(), {
      kind: 'read',
      timeoutS: 2,
      withinMs: this.statusTimeoutMs,
    });
    if (a.Status !== KKM_STATUS.Ok) throw fiscalErrorOf(readKkmError(a.Error ?? ''), 'not_done');
    const s = snapshotOf(a, this.warn);
    if (!s) throw new FiscalError('unavailable', 'KKMServer не сообщил состояние ККТ', 'kkmserver', 'not_done');
    this.snapshot = s;
    this.knownLastDocument = s.lastDocumentNumber;
    return s;
  }

  /** The last fiscal document: GetDataCheck with FiscalNumber 0 says what it is; GetDataKKT only its number. */
  private async readLastDocument(): Promise<LastDocument | null> {
    if (!this.documentReadUnsupported) {
      const a = await this.commands.run({ Command: 'GetDataCheck', FiscalNumber: 0, NumberCopies: 0 }, randomUUID(), { kind: 'read' });
      const doc = a.Status === KKM_STATUS.Ok ? lastDocumentOfCheck(a, this.warn) : null;
      if (doc) {
        doc.operationId = this.commands.operationOf(doc.documentNumber);
        this.knownLastDocument = doc.documentNumber;
        return doc;
      }
      const reading = readKkmError(a.Error ?? '');
      if (a.Status === KKM_STATUS.Error && reading.code === 'unavailable') throw fiscalErrorOf(reading, 'not_done');
    }
    const s = await this.readKkt();
    if (s.lastDocumentNumber <= 0) return null;
    // The device has documents and still could not read the last one back: its driver cannot.
    this.documentReadUnsupported = true;
    return {
      documentNumber: s.lastDocumentNumber,
      kind: 'other',
      totalKop: null,
      at: new Date().toISOString(),
      operationId: this.commands.operationOf(s.lastDocumentNumber),
    };
  }

  private resultOf(opId: string, a: KkmAnswer, expected: { kind: ReceiptKind; totalKop: number }): FiscalResult | null {
    return fiscalResultOfKkm(opId, a, expected, this.warn, this.snapshot?.registrationNumber ?? '');
  }

  /** A print with no operation behind it; its errors as the port's. */
  private async print(cmd: KkmCommand): Promise<KkmAnswer> {
    const a = await this.commands.run(cmd, randomUUID(), { kind: 'print' });
    if (a.Status === KKM_STATUS.Ok) return a;
    const reading = readKkmError(a.Error ?? '');
    throw fiscalErrorOf(reading, reading.certainty === 'refused' ? 'not_done' : 'unknown');
  }

  // ---- keeping the register's state without spending KKMServer's memory -----------------------

  private afterReceipt(a: KkmAnswer, drawerDeltaKop: number): void {
    if (typeof a.CheckNumber === 'number') this.knownLastDocument = a.CheckNumber;
    const s = this.snapshot;
    if (!s) return;
    if (a[NOT_PRINTED] === true) {
      this.snapshot = null;
      return;
    }
    if (typeof a.CheckNumber === 'number') s.lastDocumentNumber = a.CheckNumber;
    if (typeof a.SessionNumber === 'number' && a.SessionNumber > 0) s.sessionNumber = a.SessionNumber;
    if (s.drawerKop !== null) s.drawerKop += drawerDeltaKop;
  }

  private afterShift(a: KkmAnswer): void {
    if (typeof a.CheckNumber === 'number') this.knownLastDocument = a.CheckNumber;
    this.snapshot = snapshotOf(a, this.warn);
  }

  private afterCash(deltaKop: number): void {
    if (this.snapshot && this.snapshot.drawerKop !== null) this.snapshot.drawerKop += deltaKop;
  }

  private cashierFields(cashier: Cashier): Record<string, string> {
    return cashier.inn ? { CashierName: cashier.name, CashierVATIN: cashier.inn } : { CashierName: cashier.name };
  }

  // ---- the port ---------------------------------------------------------------------------------

  async registerReceipt(receipt: Receipt): Promise<FiscalResult> {
    const { answer, fresh } = await this.operate(registerCheckCommand(receipt), receipt.operationId, { fiscal: true, money: true });
    const result = this.resultOf(receipt.operationId, answer, receipt);
    if (!result) {
      this.commands.markUnclear(receipt.operationId);
      throw new FiscalError('outcome_unknown', 'ответ KKMServer без номера документа', 'kkmserver', 'unknown');
    }
    if (fresh) this.afterReceipt(answer, result.kind === 'sale' ? receipt.payments.cashKop : -receipt.payments.cashKop);
    this.lastReceiptNumber = result.documentNumber;
    return result;
  }

  async openShift(operationId: string, cashier: Cashier): Promise<ShiftDocument> {
    const { answer, fresh } = await this.operate({ Command: 'OpenShift', ...this.cashierFields(cashier) }, operationId, {
      fiscal: true,
      money: false,
      withinMs: this.answerWithinMs * 3,
    });
    if (fresh) this.afterShift(answer);
    return { operationId, shiftNumber: answer.SessionNumber ?? 0, documentNumber: answer.CheckNumber ?? 0, at: new Date().toISOString() };
  }

  async closeShift(operationId: string, cashier: Cashier): Promise<CloseShiftResult> {
    const { answer, fresh } = await this.operate({ Command: 'CloseShift', ...this.cashierFields(cashier) }, operationId, {
      fiscal: true,
      money: false,
      withinMs: this.answerWithinMs * 3,
    });
    if (fresh) this.afterShift(answer);
    return {
      operationId,
      shiftNumber: answer.SessionNumber ?? 0,
      documentNumber: answer.CheckNumber ?? 0,
      at: new Date().toISOString(),
      totals: null,
    };
  }

  async xReport(operationId: string, cashier: Cashier): Promise<RegisterShiftTotals | null> {
    await this.operate({ Command: 'XReport', ...this.cashierFields(cashier) }, operationId, {
      fiscal: false,
      money: false,
      withinMs: this.answerWithinMs * 3,
    });
    return null;
  }

  async cashIn(operationId: string, cashier: Cashier, amountKop: number): Promise<{ drawerKop: number | null }> {
    const { fresh } = await this.operate(
      { Command: 'DepositingCash', Amount: amountKop / 100, ...this.cashierFields(cashier) },
      operationId,
      { fiscal: false, money: true },
    );
    if (fresh) this.afterCash(amountKop);
    return { drawerKop: null };
  }

  async cashOut(operationId: string, cashier: Cashier, amountKop: number): Promise<{ drawerKop: number | null }> {
    const { fresh } = await this.operate({ Command: 'PaymentCash', Amount: amountKop / 100, ...this.cashierFields(cashier) }, operationId, {
      fiscal: false,
      money: true,
    });
    if (fresh) this.afterCash(-amountKop);
    return { drawerKop: null };
  }

  async cancelReceipt(): Promise<void> {
    // KKMServer cancels a receipt that failed to close itself; nothing is left open to cancel.
  }

  async continuePrint(): Promise<void> {
    // KKMServer has no such command: its driver finishes an unprinted document before the next one. So
    // the next one is given now — an empty non-fiscal document, a feed and a cut — and the payer's
    // receipt comes out before it, not with the next payer's.
    await this.cut();
    // Some printers take a cut with no paper in them: the receipt is printed only if the paper is there
    // now, and the desk marks it printed on our word.
    if ((await this.readKkt()).paperOver) throw new FiscalError('paper_out', 'чек не допечатан', 'kkmserver', 'not_done');
  }

  async reprintLast(): Promise<void> {
    const n = this.lastReceiptNumber ?? (await this.findLastReceipt());
    await this.reprintDocument(n);
  }

  /** After a restart the driver knows no receipt: GetDataCheck reads documents back from the last one. */
  private async findLastReceipt(): Promise<number> {
    let doc = await this.readLastDocument();
    for (let step = 0; doc && step < 5; step++) {
      if (doc.kind === 'sale' || doc.kind === 'sale_return') return doc.documentNumber;
      if (this.documentReadUnsupported || doc.documentNumber <= 1) break;
      const a = await this.commands.run({ Command: 'GetDataCheck', FiscalNumber: doc.documentNumber - 1, NumberCopies: 0 }, randomUUID(), {
        kind: 'read',
      });
      doc = a.Status === KKM_STATUS.Ok ? lastDocumentOfCheck(a, this.warn) : null;
    }
    throw new FiscalError('rejected', 'ККТ не сообщает последний чек: напечатайте копию по номеру ФД', 'kkmserver');
  }

  async reprintDocument(documentNumber: number): Promise<void> {
    await this.print({ Command: 'GetDataCheck', FiscalNumber: documentNumber, NumberCopies: 1 });
  }

  async cut(): Promise<void> {
    await this.printText(['']);
  }

  async printText(lines: string[]): Promise<void> {
    await this.print({
      Command: 'RegisterCheck',
      IsFiscalCheck: false,
      NotPrint: false,
      CheckStrings: lines.map((Text) => ({ PrintText: { Text } })),
    });
  }

  /**
   * List (free, answered by KKMServer itself) says whether the device is there; the register's state comes
   * from the kept GetDataKKT, read again when older than statusMaxAgeMs — never while a command of ours is
   * on the device, so status does not queue behind it.
   */
  async status(): Promise<RegisterStatus> {
    let row: Record<string, unknown> | null;
    try {
      row = await this.transport.listRow(this.commands.numDevice, this.statusTimeoutMs);
    } catch {
      return disconnectedStatus();
    }
    if (!row || row['OnOff'] === false || row['Active'] === false)
      return disconnectedStatus(typeof row?.['NameDevice'] === 'string' ? row['NameDevice'] : '');
    await this.commands.pollUnclear();
    const fresh = this.snapshot !== null && Date.now() - this.snapshot.readAt <= this.statusMaxAgeMs;
    if (!fresh && !this.commands.busy) await this.readKkt().catch(() => undefined);
    // Without a state the driver can vouch for, the register is not reported as there.
    return this.snapshot
      ? statusOf(this.snapshot, row)
      : disconnectedStatus(typeof row['NameDevice'] === 'string' ? row['NameDevice'] : '');
  }

  async shiftTotals(): Promise<RegisterShiftTotals | null> {
    return null;
  }

  /** The register's last fiscal document, read from the device (one command slot). */
  async lastDocument(): Promise<LastDocument | null> {
    // A command of ours still running may be about to move the counter.
    await this.commands.settleOthers('');
    return this.readLastDocument();
  }

  /**
   * What KKMServer knows of a receipt's id. `Status: 3` is forgotten (KKMServer keeps 100 commands and
   * loses them on restart), so undefined: only the document counter can decide then. Null only when the
   * device refused the command outright.
   */
  async lookupOperation(operationId: string, expected?: { kind: ReceiptKind; totalKop: number }): Promise<FiscalResult | null | undefined> {
    const guess = expected ?? { kind: 'sale' as const, totalKop: 0 };
    const known = this.commands.known(operationId);
    if (known) return known.Command === 'RegisterCheck' ? (this.resultOf(operationId, known, guess) ?? undefined) : null;
    let r: KkmAnswer | typeof FORGOTTEN;
    try {
      r = await this.commands.rezult(operationId);
    } catch (e) {
      throw new FiscalError('unavailable', (e as Error).message, 'transport', 'unknown');
    }
    if (r === FORGOTTEN) return undefined;
    if (r.Status === KKM_STATUS.Ok) {
      this.commands.settle(operationId, r);
      return r.Command === 'RegisterCheck' ? (this.resultOf(operationId, r, guess) ?? undefined) : undefined;
    }
    if (r.Status === KKM_STATUS.Error) {
      if (readKkmError(r.Error ?? '').certainty !== 'refused') return undefined;
      this.commands.refused(operationId);
      return null;
    }
    if (r.Status === KKM_STATUS.Run || r.Status === KKM_STATUS.NotRun) {
      this.commands.markRunning(operationId);
      throw new FiscalError('busy', 'ККТ ещё выполняет эту операцию: сверка позже', 'kkmserver', 'unknown');
    }
    return undefined;
  }

  async close(): Promise<void> {}
}
