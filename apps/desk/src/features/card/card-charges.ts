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

  private latest(opId: string, operation: CardOperation | 'back'): { row: ChargeRow | undefined; count: number } {
    const rows = this.db.prepare('SELECT * FROM card_charges WHERE op_id = ? ORDER BY created_at, rowid').all(opId) as ChargeRow[];
    const mine = rows.filter((r) => (operation === 'back' ? r.operation !== 'pay' : r.operation === operation));
    return { row: mine.at(-1), count: rows.length };
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

  /** Cards charged for a payment whose receipt has not followed. */
  orphans(): ChargeRow[] {
    return this.db
      .prepare(
        `SELECT c.* FROM card_charges c JOIN operations o ON o.op_id = c.op_id
          WHERE c.state = 'approved' AND c.operation = 'pay' AND o.state <> 'done' ORDER BY c.created_at`,
      )
      .all() as ChargeRow[];
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
    if (found) {
      this.mark(row.command_id, 'approved', { approval: found });
      return 'approved';
    }
    if (found === null) {
      this.mark(row.command_id, 'declined', { reason: 'терминал: операция не выполнена' });
      return 'declined';
    }
    if (getMeta(this.db, LAST_SENT) === row.command_id) {
      try {
        await terminal.emergencyReversal(row.command_id, row.amount_kop);
        this.mark(row.command_id, 'reversed', { reason: 'исход неизвестен: аварийная отмена на терминале' });
        return 'reversed';
      } catch (e) {
        if (isAcquiringError(e) && e.code === 'nothing_to_reverse') {
          // The terminal's last operation is not this one: it never reached the terminal.
          this.mark(row.command_id, 'declined', { reason: 'операция не дошла до терминала' });
          return 'declined';
        }
        this.mark(row.command_id, 'unknown', { reason: `аварийная отмена не выполнена: ${(e as Error).message}` });
        return 'unknown';
      }
    }
    this.mark(row.command_id, 'unknown', { reason: 'терминал не может сказать, прошла ли операция' });
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
        `По платежу ${number ?? ''} с карты списано ${formatRub(orphan.amount_kop)}, а чек не пробит: сначала допробейте его чек (повторите платёж) или верните деньги на карту.`,
        { opId: orphan.op_id, reason: 'card_charged_without_receipt' },
      );
    }
  }

  /** Fails a command the terminal certainly did not do, with the cashier's message. */
  private declined(e: unknown): AppError {
    if (isAcquiringError(e) && e.code === 'declined')
      return new AppError('card.declined', `${e.message} Предложите другую карту или оплату наличными.`, { bankCode: e.bankCode ?? null });
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
        throw this.declined(e);
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
    const { row: last, count } = this.latest(op.op_id, 'pay');
    if (last?.state === 'approved') return approvalOf(last) as CardApproval;
    if (last && (last.state === 'pending' || last.state === 'unknown')) {
      const state = await this.resolve(last);
      if (state === 'approved') return approvalOf(this.latest(op.op_id, 'pay').row as ChargeRow) as CardApproval;
      if (state === 'unknown')
        throw new AppError(
          'card.outcome_unknown',
          `Исход прошлой попытки оплаты картой неизвестен: ${last.reason ?? ''}. Старший кассир сверит её по чеку терминала.`,
          {
            commandId: last.command_id,
          },
        );
    }
    const commandId = count === 0 ? op.op_id : `${op.op_id}.${count + 1}`;
    this.insert(commandId, op.op_id, 'pay', amountKop, 'pending', null);
    const row = this.latest(op.op_id, 'pay').row as ChargeRow;
    const terminal = this.terminal();
    return this.send(row, () => terminal.pay(commandId, amountKop));
  }

  /**
   * Money back to the card of a card payment, before its return receipt: a cancel while the terminal's
   * day is open (no settlement since the payment), a refund by RRN after. Null when the payment was not
   * charged through this desk's terminal (typed from a slip): the refund is then done on the terminal.
   */
  async refund(reversal: OperationRow): Promise<CardApproval | null> {
    const originalId = reversal.original_op_id;
    if (!originalId) return null;
    const original = this.approved(originalId);
    if (!original || original.row.terminal === 'standalone') return null;
    await this.clearOthers(reversal.op_id);
    const { row: last, count } = this.latest(reversal.op_id, 'back');
    if (last?.state === 'approved') return approvalOf(last);
    if (last && (last.state === 'pending' || last.state === 'unknown')) {
      const state = await this.resolve(last);
      if (state === 'approved') return approvalOf(this.latest(reversal.op_id, 'back').row as ChargeRow);
      if (state === 'unknown')
        throw new AppError('card.outcome_unknown', `Исход прошлого возврата на карту неизвестен: ${last.reason ?? ''}.`, {
          commandId: last.command_id,
        });
    }
    const amountKop = reversal.total_kop ?? original.approval.amountKop;
    const settledSince = this.db.prepare('SELECT 1 FROM card_settlements WHERE at > ? LIMIT 1').get(original.row.updated_at);
    const operation: CardOperation = settledSince || amountKop !== original.approval.amountKop ? 'refund' : 'cancel';
    const commandId = count === 0 ? reversal.op_id : `${reversal.op_id}.${count + 1}`;
    this.insert(commandId, reversal.op_id, operation, amountKop, 'pending', null);
    const row = this.latest(reversal.op_id, 'back').row as ChargeRow;
    const terminal = this.terminal();
    const ref: CardOriginal = { rrn: original.approval.rrn, authCode: original.approval.authCode, amountKop: original.approval.amountKop };
    return this.send(row, () => (operation === 'cancel' ? terminal.cancel(commandId, ref) : terminal.refund(commandId, amountKop, ref)));
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
