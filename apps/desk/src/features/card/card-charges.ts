/**
 * Exactly one charge per card payment, and exactly one receipt after it. The terminal is a second
 * device with the register's rules:
 *
 * 1. Every command to the terminal is journaled (`card_charges`, state `pending`) before it is sent,
 *    under a command id derived from the operation's id (`<op>`, then `<op>.2`… after a decline).
 * 2. It runs inside the fiscal runner's lock, right before the register is called (a kind's
 *    beforeCall): the terminal and the register never work for two operations at once.
 * 3. Only the terminal's own "not done" (a decline, no device) marks a command declined. A lost
 *    answer is asked of the terminal (by id); what it cannot tell is reversed on the terminal
 *    (emergency reversal), but only while the command is the last one this desk sent — a reversal
 *    cancels the terminal's last operation, which must not be an earlier payer's. Otherwise it waits
 *    for a senior cashier, and no new card operation starts meanwhile.
 * 4. An approved charge whose receipt did not follow (the register refused, the desk was killed) is
 *    finished — its receipt printed — at start and before any new card payment; money on a card is
 *    never left without a receipt, and a new operation id never charges the same payer twice.
 */
import { AppError } from '@paydesk/protocol';
import {
  isAcquiringError,
  type AcquiringTerminal,
  type CardApproval,
  type CardOperation,
  type CardOriginal,
  type VirtualTerminal,
} from '@paydesk/fiscal';
import { formatRub } from '@paydesk/domain';
import { getMeta, setMeta, type JournalDb } from '../../db/journal-db.ts';
import type { Clock } from '../../clock.ts';
import type { OperationRow } from '../fiscal/fiscal-runner.ts';

export interface TerminalHolder {
  /** Null: a standalone terminal, not connected; the cashier types the approval from its slip. */
  current: AcquiringTerminal | null;
  virtual: VirtualTerminal | null;
  describe: { driver: 'virtual' | 'kkmserver' | 'standalone'; url?: string };
}

export type ChargeState = 'pending' | 'approved' | 'declined' | 'reversed' | 'unknown';

export interface ChargeRow {
  command_id: string;
  op_id: string;
  operation: CardOperation;
  amount_kop: number;
  state: ChargeState;
  approval: string | null;
  reason: string | null;
  terminal: string;
  slip_printed: number;
  settled_by: string | null;
  created_at: string;
  updated_at: string;
}

export type TerminalCrashPoint = 'before_terminal' | 'after_terminal';

/** The approval typed from a standalone terminal's slip. */
export interface SlipApproval {
  code: string;
  rrn?: string | undefined;
}

const LAST_SENT = 'card_last_command';

function approvalOf(row: ChargeRow): CardApproval | null {
  return row.state === 'approved' && row.approval ? (JSON.parse(row.approval) as CardApproval) : null;
}

export class CardCharges {
  constructor(
    private readonly db: JournalDb,
    private readonly holder: TerminalHolder,
    private readonly clock: Clock,
    private readonly crashAt: (point: TerminalCrashPoint) => void = () => undefined,
  ) {}

  get standalone(): boolean {
    return this.holder.current === null;
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /** The operation's newest command of this kind (`back`: a cancel or a refund). */
  private latest(opId: string, operation: CardOperation | 'back'): ChargeRow | undefined {
    const rows = this.db.prepare('SELECT * FROM card_charges WHERE op_id = ? ORDER BY created_at, rowid').all(opId) as ChargeRow[];
    return rows.filter((r) => (operation === 'back' ? r.operation !== 'pay' : r.operation === operation)).at(-1);
  }

  /** The approved charge of a payment (or refund of a reversal), if any. */
  approved(opId: string): { approval: CardApproval; row: ChargeRow } | null {
    const row = this.db
      .prepare(`SELECT * FROM card_charges WHERE op_id = ? AND state = 'approved' ORDER BY created_at DESC, rowid DESC LIMIT 1`)
      .get(opId) as ChargeRow | undefined;
    const approval = row ? approvalOf(row) : null;
    return row && approval ? { approval, row } : null;
  }

  /** Commands whose outcome is not known: nothing new goes to the terminal while one is. */
  open(): ChargeRow[] {
    return this.db.prepare(`SELECT * FROM card_charges WHERE state IN ('pending', 'unknown') ORDER BY created_at`).all() as ChargeRow[];
  }

  /** Money moved on a card (a charge, or a refund to it) whose receipt has not followed. */
  orphans(): ChargeRow[] {
    return this.db
      .prepare(
        `SELECT c.* FROM card_charges c JOIN operations o ON o.op_id = c.op_id
          WHERE c.state = 'approved' AND o.state <> 'done' ORDER BY c.created_at`,
      )
      .all() as ChargeRow[];
  }

  /** Card commands returning a payment's money, under any of its reversals, with the reversal's state. */
  private backOf(originalOpId: string): (ChargeRow & { reversal_state: string })[] {
    return this.db
      .prepare(
        `SELECT c.*, o.state AS reversal_state FROM card_charges c JOIN operations o ON o.op_id = c.op_id
          WHERE o.original_op_id = ? AND c.operation <> 'pay' ORDER BY c.created_at, c.rowid`,
      )
      .all(originalOpId) as (ChargeRow & { reversal_state: string })[];
  }

  /**
   * The reversal of a payment whose money is already back on the card but whose return receipt did not
   * follow: that reversal is the one to finish, whatever op id the cashier's next attempt carries.
   */
  refundedWithoutReceipt(originalOpId: string): string | null {
    return this.backOf(originalOpId).find((c) => c.state === 'approved' && c.reversal_state !== 'done')?.op_id ?? null;
  }

  private insert(
    commandId: string,
    opId: string,
    operation: CardOperation,
    amountKop: number,
    state: ChargeState,
    approval: CardApproval | null,
  ): void {
    const now = this.now();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO card_charges (command_id, op_id, operation, amount_kop, state, approval, terminal, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          commandId,
          opId,
          operation,
          amountKop,
          state,
          approval ? JSON.stringify(approval) : null,
          this.holder.describe.driver,
          now,
          now,
        );
      if (state === 'pending') setMeta(this.db, LAST_SENT, commandId);
    })();
  }

  private mark(commandId: string, state: ChargeState, fields: { approval?: CardApproval; reason?: string; settledBy?: string } = {}): void {
    this.db
      .prepare(
        `UPDATE card_charges SET state = ?, approval = COALESCE(?, approval), reason = ?, settled_by = COALESCE(?, settled_by), updated_at = ? WHERE command_id = ?`,
      )
      .run(
        state,
        fields.approval ? JSON.stringify(fields.approval) : null,
        fields.reason ?? null,
        fields.settledBy ?? null,
        this.now(),
        commandId,
      );
  }

  private terminal(): AcquiringTerminal {
    const t = this.holder.current;
    if (!t) throw new AppError('card.unavailable', 'Терминал не подключён к кассе: операция по карте — на самом терминале.');
    return t;
  }

  /**
   * What became of a command whose answer is unknown: the terminal's word by id, else an emergency
   * reversal while it is the last command sent, else unknown (a senior cashier decides).
   */
  private async resolve(row: ChargeRow): Promise<ChargeState> {
    const terminal = this.terminal();
    let found: CardApproval | null | undefined;
    try {
      found = await terminal.lookup(row.command_id);
    } catch {
      found = undefined;
    }
    // An approval for another sum or another operation is not this command's: the money moved is
    // not what the receipt would say.
    const mismatch = found ? found.amountKop !== row.amount_kop || found.operation !== row.operation : false;
    if (found && !mismatch) {
      this.mark(row.command_id, 'approved', { approval: found });
      return 'approved';
    }
    if (found === null) {
      this.mark(row.command_id, 'declined', { reason: 'терминал: операция не выполнена' });
      return 'declined';
    }
    const why = found
      ? `терминал провёл ${formatRub(found.amountKop)} вместо ${formatRub(row.amount_kop)}`
      : 'терминал не может сказать, прошла ли операция';
    // A receipt already printed for this operation means the money moved (the register is called only
    // after an approval): it is never reversed at the terminal; what is missing is the RRN.
    const receipted =
      (this.db.prepare('SELECT state FROM operations WHERE op_id = ?').get(row.op_id) as { state: string } | undefined)?.state === 'done';
    if (receipted) {
      this.mark(row.command_id, 'unknown', {
        reason: `чек пробит, значит операция по карте прошла, но ${why}: укажите RRN и код авторизации с чека терминала`,
      });
      return 'unknown';
    }
    // A reversal cancels the terminal's LAST operation: only while this command is the last one sent.
    if (getMeta(this.db, LAST_SENT) === row.command_id) {
      try {
        await terminal.emergencyReversal(row.command_id, row.amount_kop);
        this.mark(row.command_id, 'reversed', { reason: `${why}: аварийная отмена на терминале` });
        return 'reversed';
      } catch (e) {
        // «Nothing to reverse» may be a command that never reached the terminal — or a terminal whose
        // last operation is another payer's (a journal restored from a copy): a person decides.
        this.mark(row.command_id, 'unknown', { reason: `${why}; аварийная отмена не выполнена: ${(e as Error).message}` });
        return 'unknown';
      }
    }
    this.mark(row.command_id, 'unknown', { reason: why });
    return 'unknown';
  }

  /** Settles what an earlier attempt left open; refuses while anything stays unknown or charged without a receipt. */
  private async clearOthers(opId: string): Promise<void> {
    for (const row of this.open()) {
      if (row.op_id === opId) continue;
      if ((await this.resolve(row)) === 'unknown') {
        throw new AppError(
          'card.outcome_unknown',
          `Сначала нужно выяснить исход операции по карте на ${formatRub(row.amount_kop)}: терминал не может сказать, прошла ли она. Старший кассир сверит её по чеку терминала (меню «ККМ» → «Терминал»).`,
          { commandId: row.command_id, opId: row.op_id },
        );
      }
    }
    const orphan = this.orphans().find((r) => r.op_id !== opId);
    if (orphan) {
      const number = (
        this.db.prepare('SELECT number FROM operations WHERE op_id = ?').get(orphan.op_id) as { number: string | null } | undefined
      )?.number;
      throw new AppError(
        'conflict',
        orphan.operation === 'pay'
          ? `По платежу ${number ?? ''} с карты списано ${formatRub(orphan.amount_kop)}, а чек не пробит: сначала допробейте его чек (меню «ККМ» → «Допробить чеки»).`
          : `По сторно ${number ?? ''} на карту возвращено ${formatRub(orphan.amount_kop)}, а чек возврата не пробит: сначала допробейте его (меню «ККМ» → «Допробить чеки»).`,
        { opId: orphan.op_id, reason: 'card_charged_without_receipt' },
      );
    }
  }

  /** Fails a command the terminal certainly did not do, with the cashier's message. */
  private declined(e: unknown, operation: CardOperation): AppError {
    if (isAcquiringError(e) && e.code === 'declined') {
      // A card payment's money goes back to the card only: a declined refund is never offered in cash.
      const advice =
        operation === 'pay'
          ? 'Предложите другую карту или оплату наличными.'
          : 'Деньги возвращаются только на карту: повторите возврат позже или обратитесь в банк-эквайер.';
      return new AppError('card.declined', `${e.message} ${advice}`, { bankCode: e.bankCode ?? null, operation });
    }
    return new AppError('card.unavailable', (e as Error).message);
  }

  /**
   * A command sent: its approval, or the reason it was not done. Runs under the runner's lock.
   * `send` is the terminal call itself.
   */
  private async send(row: ChargeRow, send: () => Promise<CardApproval>): Promise<CardApproval> {
    this.crashAt('before_terminal');
    let approval: CardApproval;
    try {
      approval = await send();
    } catch (e) {
      if (isAcquiringError(e) && e.outcome === 'not_done') {
        this.mark(row.command_id, 'declined', { reason: e.message });
        throw this.declined(e, row.operation);
      }
      const state = await this.resolve(row);
      const done = state === 'approved' ? this.approved(row.op_id) : null;
      if (done) return done.approval;
      if (state === 'declined')
        throw new AppError('card.declined', `Операция по карте не прошла: ${(e as Error).message}`, { bankCode: null });
      if (state === 'reversed')
        throw new AppError(
          'card.reversed',
          'Терминал не ответил, прошла ли операция, и она отменена на терминале (аварийная отмена): если деньги списались, банк вернёт их на карту. Повторите операцию.',
        );
      throw new AppError(
        'card.outcome_unknown',
        `Неизвестно, прошла ли операция по карте на ${formatRub(row.amount_kop)}: ${(e as Error).message} Не проводите карту повторно: старший кассир сверит операцию по чеку терминала.`,
        { commandId: row.command_id },
      );
    }
    this.crashAt('after_terminal');
    this.mark(row.command_id, 'approved', { approval });
    return approval;
  }

  /** The charge of a card payment, exactly once; called right before its receipt. */
  async pay(op: OperationRow, slip?: SlipApproval): Promise<CardApproval> {
    const amountKop = op.total_kop ?? 0;
    if (this.standalone) {
      const known = this.approved(op.op_id);
      if (known) return known.approval;
      if (!slip) throw new AppError('card.approval_needed', 'Терминал не подключён к кассе: введите код авторизации со слипа терминала.');
      const approval: CardApproval = {
        commandId: op.op_id,
        operation: 'pay',
        amountKop,
        authCode: slip.code,
        rrn: slip.rrn ?? '',
        maskedPan: '',
        cardType: '',
        slip: [],
        printedOnTerminal: true,
        at: this.now(),
      };
      this.insert(op.op_id, op.op_id, 'pay', amountKop, 'approved', approval);
      return approval;
    }
    await this.clearOthers(op.op_id);
    const last = this.latest(op.op_id, 'pay');
    if (last?.state === 'approved') return approvalOf(last) as CardApproval;
    if (last && (last.state === 'pending' || last.state === 'unknown')) {
      const state = await this.resolve(last);
      if (state === 'approved') return approvalOf(this.latest(op.op_id, 'pay') as ChargeRow) as CardApproval;
      if (state === 'unknown')
        throw new AppError(
          'card.outcome_unknown',
          `Исход прошлой попытки оплаты картой неизвестен: ${last.reason ?? ''}. Старший кассир сверит её по чеку терминала.`,
          {
            commandId: last.command_id,
          },
        );
    }
    const row = this.newCommand(op.op_id, 'pay', amountKop);
    const terminal = this.terminal();
    return this.send(row, () => terminal.pay(row.command_id, amountKop));
  }

  /**
   * Money back to the card of a card payment, before its return receipt: a cancel while the terminal's
   * day is open (no settlement since the payment), a refund by RRN after. Null when the payment was not
   * charged through this desk's terminal (typed from a slip): the refund is then done on the terminal.
   */
  async refund(reversal: OperationRow): Promise<CardApproval | null> {
    const originalId = reversal.original_op_id;
    if (!originalId) return null;
    const charges = this.db.prepare(`SELECT * FROM card_charges WHERE op_id = ? AND operation = 'pay'`).all(originalId) as ChargeRow[];
    // A payment from before the terminal was connected, or typed from a standalone terminal's slip: the
    // refund is made on the terminal itself; the return receipt says card.
    if (charges.length === 0 || charges.every((c) => c.terminal === 'standalone')) return null;
    const original = this.approved(originalId);
    if (!original?.approval.rrn)
      throw new AppError(
        'card.outcome_unknown',
        'Списание по этому платежу не подтверждено терминалом (или неизвестен его RRN): старший кассир сверит его по чеку терминала (меню «ККМ» → «Терминал оплаты картой»), затем сторно вернёт деньги на карту.',
        { opId: originalId },
      );
    await this.clearOthers(reversal.op_id);
    // Money returned under another reversal of the same payment is that reversal's to receipt.
    const elsewhere = this.backOf(originalId).find(
      (c) => c.op_id !== reversal.op_id && (c.state === 'approved' || c.state === 'pending' || c.state === 'unknown'),
    );
    if (elsewhere)
      throw new AppError('conflict', 'Деньги по этому платежу уже возвращаются на карту другим сторно: допробейте его чек возврата.', {
        opId: elsewhere.op_id,
        reason: 'card_refunded_elsewhere',
      });
    const last = this.latest(reversal.op_id, 'back');
    if (last?.state === 'approved') return approvalOf(last);
    if (last && (last.state === 'pending' || last.state === 'unknown')) {
      const state = await this.resolve(last);
      if (state === 'approved') return approvalOf(this.latest(reversal.op_id, 'back') as ChargeRow);
      if (state === 'unknown')
        throw new AppError('card.outcome_unknown', `Исход прошлого возврата на карту неизвестен: ${last.reason ?? ''}.`, {
          commandId: last.command_id,
        });
    }
    const amountKop = reversal.total_kop ?? original.approval.amountKop;
    const ref: CardOriginal = { rrn: original.approval.rrn, authCode: original.approval.authCode, amountKop: original.approval.amountKop };
    const terminal = this.terminal();
    // A cancel while the terminal's day is open as far as the desk knows. The terminal may have closed
    // its day by itself, or the desk's log was restored from a copy: a refused cancel becomes a refund.
    const settledSince = this.db.prepare('SELECT 1 FROM card_settlements WHERE at > ? LIMIT 1').get(original.row.updated_at);
    if (!settledSince && amountKop === original.approval.amountKop) {
      const cancel = this.newCommand(reversal.op_id, 'cancel', amountKop);
      try {
        return await this.send(cancel, () => terminal.cancel(cancel.command_id, ref));
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'card.declined') throw e;
      }
    }
    const refund = this.newCommand(reversal.op_id, 'refund', amountKop);
    return this.send(refund, () => terminal.refund(refund.command_id, amountKop, ref));
  }

  /** A command journaled as pending, under the operation's next command id (`<op>`, `<op>.2`…). */
  private newCommand(opId: string, operation: CardOperation, amountKop: number): ChargeRow {
    const count = (this.db.prepare('SELECT COUNT(*) AS n FROM card_charges WHERE op_id = ?').get(opId) as { n: number }).n;
    const commandId = count === 0 ? opId : `${opId}.${count + 1}`;
    this.insert(commandId, opId, operation, amountKop, 'pending', null);
    return this.db.prepare('SELECT * FROM card_charges WHERE command_id = ?').get(commandId) as ChargeRow;
  }

  /** At start: what a crash left pending is asked of the terminal. */
  async recover(): Promise<{ resolved: number; unknown: number }> {
    let resolved = 0;
    let unknown = 0;
    if (this.standalone) return { resolved, unknown };
    for (const row of this.open()) {
      if ((await this.resolve(row)) === 'unknown') unknown++;
      else resolved++;
    }
    return { resolved, unknown };
  }

  /**
   * A senior cashier's word on a command the terminal cannot tell about, read from the terminal's own
   * report or the bank: charged (with the RRN and code from the slip) or not.
   */
  settleByHand(
    commandId: string,
    outcome: { charged: true; rrn: string; authCode: string } | { charged: false },
    seniorId: string,
  ): ChargeRow {
    const row = this.db.prepare('SELECT * FROM card_charges WHERE command_id = ?').get(commandId) as ChargeRow | undefined;
    if (!row) throw new AppError('not_found', 'Операция по карте не найдена');
    if (row.state !== 'unknown' && row.state !== 'pending') throw new AppError('conflict', 'Исход этой операции по карте уже известен');
    if (outcome.charged) {
      const approval: CardApproval = {
        commandId,
        operation: row.operation,
        amountKop: row.amount_kop,
        authCode: outcome.authCode,
        rrn: outcome.rrn,
        maskedPan: '',
        cardType: '',
        slip: [],
        printedOnTerminal: true,
        at: this.now(),
      };
      this.mark(commandId, 'approved', { approval, settledBy: seniorId, reason: 'сверено старшим кассиром' });
    } else {
      this.mark(commandId, 'declined', { settledBy: seniorId, reason: 'старший кассир подтвердил: не списано' });
    }
    return this.db.prepare('SELECT * FROM card_charges WHERE command_id = ?').get(commandId) as ChargeRow;
  }

  /** Lines of the slip still to print on the register for an operation, once. */
  slipToPrint(opId: string): { commandId: string; lines: string[] } | null {
    const a = this.approved(opId);
    if (!a || a.row.slip_printed === 1 || a.approval.printedOnTerminal || a.approval.slip.length === 0) return null;
    return { commandId: a.row.command_id, lines: a.approval.slip };
  }

  markSlipPrinted(commandId: string): void {
    this.db.prepare('UPDATE card_charges SET slip_printed = 1, updated_at = ? WHERE command_id = ?').run(this.now(), commandId);
  }
}
