/**
 * A card terminal without a bank, for the demo and the tests. It keeps every operation in its own
 * SQLite file, so — like a real terminal and its bank — it still knows after a desk's crash what it
 * did under a command id. The next cards presented are scripted: approve, decline with a bank code,
 * charge and lose the answer, or no link at all.
 */
import { Database } from '@paydesk/sqlite';
import {
  AcquiringError,
  bankReason,
  type AcquiringTerminal,
  type CardApproval,
  type CardOperation,
  type CardOriginal,
  type SettlementResult,
} from './port.ts';

export type VirtualCard =
  /** `delayMs`: the payer takes this long at the pinpad. */
  | { answer: 'approve'; pan?: string; cardType?: string; delayMs?: number }
  | { answer: 'decline'; code: string }
  /** The card is charged, and the answer is lost: the desk sees a timeout. */
  | { answer: 'timeout_after_charge' }
  /** The terminal does not answer at all: nothing is charged. */
  | { answer: 'no_link' };

export interface VirtualTerminalOptions {
  /** SQLite file, or ':memory:'. */
  file: string;
  now?: () => Date;
  /** Print the slip on the terminal itself instead of handing it to the register. */
  printOnTerminal?: boolean;
}

interface Row {
  command_id: string;
  operation: CardOperation;
  amount_kop: number;
  state: 'approved' | 'declined' | 'reversed';
  auth_code: string;
  rrn: string;
  pan: string;
  card_type: string;
  original_rrn: string | null;
  at: string;
  settled: number;
}

export class VirtualTerminal implements AcquiringTerminal {
  readonly driver = 'virtual' as const;
  private readonly db: Database;
  private readonly now: () => Date;
  private readonly printOnTerminal: boolean;
  private readonly script: VirtualCard[] = [];

  constructor(options: VirtualTerminalOptions) {
    this.db = new Database(options.file);
    this.now = options.now ?? (() => new Date());
    this.printOnTerminal = options.printOnTerminal ?? false;
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS operations (
        command_id TEXT PRIMARY KEY,
        operation TEXT NOT NULL,
        amount_kop INTEGER NOT NULL,
        state TEXT NOT NULL,
        auth_code TEXT NOT NULL,
        rrn TEXT NOT NULL,
        pan TEXT NOT NULL,
        card_type TEXT NOT NULL,
        original_rrn TEXT,
        at TEXT NOT NULL,
        settled INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT OR IGNORE INTO counters VALUES ('rrn', 0), ('last_rowid', 0);
    `);
  }

  /** The next cards presented, in order; with none scripted, every card is approved. */
  present(...cards: VirtualCard[]): void {
    this.script.push(...cards);
  }

  /** What the terminal did, for tests: every operation with its state. */
  operations(): Row[] {
    return this.db.prepare('SELECT * FROM operations ORDER BY rowid').all() as Row[];
  }

  async pay(commandId: string, amountKop: number): Promise<CardApproval> {
    return this.run(commandId, 'pay', amountKop, null);
  }

  async cancel(commandId: string, original: CardOriginal): Promise<CardApproval> {
    if (!this.known(commandId)) this.checkBack(this.findOriginal(original, true), original.amountKop);
    return this.run(commandId, 'cancel', original.amountKop, original.rrn);
  }

  async refund(commandId: string, amountKop: number, original: CardOriginal): Promise<CardApproval> {
    if (!this.known(commandId)) this.checkBack(this.findOriginal(original, false), amountKop);
    return this.run(commandId, 'refund', amountKop, original.rrn);
  }

  private known(commandId: string): boolean {
    return this.db.prepare('SELECT 1 FROM operations WHERE command_id = ?').get(commandId) !== undefined;
  }

  /** The bank returns no more than was paid: a second cancel, or a refund beyond the payment, is declined. */
  private checkBack(o: Row, amountKop: number): void {
    const back = (
      this.db
        .prepare(
          `SELECT COALESCE(SUM(amount_kop), 0) AS s FROM operations WHERE original_rrn = ? AND state = 'approved' AND operation <> 'pay'`,
        )
        .get(o.rrn) as { s: number }
    ).s;
    if (back + amountKop > o.amount_kop)
      throw new AcquiringError('declined', `Возврат ${amountKop / 100} ₽ больше оставшейся оплаты по этой карте.`, '13');
  }

  async emergencyReversal(commandId: string): Promise<void> {
    const last = this.db.prepare('SELECT * FROM operations ORDER BY rowid DESC LIMIT 1').get() as Row | undefined;
    if (!last || last.command_id !== commandId) throw new AcquiringError('nothing_to_reverse');
    if (last.state === 'approved') this.db.prepare(`UPDATE operations SET state = 'reversed' WHERE command_id = ?`).run(commandId);
  }

  async lookup(commandId: string): Promise<CardApproval | null | undefined> {
    const row = this.db.prepare('SELECT * FROM operations WHERE command_id = ?').get(commandId) as Row | undefined;
    if (!row || row.state !== 'approved') return null;
    return this.approvalOf(row);
  }

  async settlement(commandId: string): Promise<SettlementResult> {
    const rows = this.db.prepare(`SELECT * FROM operations WHERE settled = 0 AND state = 'approved'`).all() as Row[];
    const pays = rows.filter((r) => r.operation === 'pay');
    const backs = rows.filter((r) => r.operation !== 'pay');
    // A cancel takes its payment out of the day: the bank nets them, the slip shows the net.
    const totals = {
      payCount: pays.length,
      payKop: pays.reduce((s, r) => s + r.amount_kop, 0),
      refundCount: backs.length,
      refundKop: backs.reduce((s, r) => s + r.amount_kop, 0),
    };
    this.db.prepare('UPDATE operations SET settled = 1 WHERE settled = 0').run();
    const rub = (k: number): string => (k / 100).toFixed(2);
    return {
      commandId,
      totals,
      at: this.now().toISOString(),
      slip: [
        'СВЕРКА ИТОГОВ',
        'ВИРТУАЛЬНЫЙ ТЕРМИНАЛ',
        `ОПЛАТА: ${totals.payCount} на ${rub(totals.payKop)}`,
        `ВОЗВРАТ/ОТМЕНА: ${totals.refundCount} на ${rub(totals.refundKop)}`,
        `ИТОГО: ${rub(totals.payKop - totals.refundKop)}`,
        'ИТОГИ СОВПАЛИ',
      ],
    };
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private findOriginal(original: CardOriginal, sameDay: boolean): Row {
    const o = this.db.prepare(`SELECT * FROM operations WHERE rrn = ? AND operation = 'pay'`).get(original.rrn) as Row | undefined;
    if (!o || o.state !== 'approved') throw new AcquiringError('declined', `Оплата с RRN ${original.rrn} на терминале не найдена.`, '12');
    if (sameDay && o.settled === 1)
      throw new AcquiringError('declined', 'Отмена возможна только до сверки итогов: сделайте возврат.', '12');
    return o;
  }

  private async run(commandId: string, operation: CardOperation, amountKop: number, originalRrn: string | null): Promise<CardApproval> {
    const known = this.db.prepare('SELECT * FROM operations WHERE command_id = ?').get(commandId) as Row | undefined;
    if (known) {
      if (known.state !== 'approved') throw new AcquiringError('declined', 'Эта операция уже была отклонена.', '05');
      return this.approvalOf(known);
    }
    const card = operation === 'pay' ? (this.script.shift() ?? { answer: 'approve' }) : { answer: 'approve' as const };
    if (card.answer === 'no_link') throw new AcquiringError('unavailable', 'Нет связи с терминалом.', undefined, 'not_done');
    if (card.answer === 'approve' && card.delayMs) await new Promise((r) => setTimeout(r, Math.min(card.delayMs ?? 0, 30_000)));
    const at = this.now().toISOString();
    if (card.answer === 'decline') {
      this.db
        .prepare(`INSERT INTO operations VALUES (?, ?, ?, 'declined', '', '', '', '', ?, ?, 0)`)
        .run(commandId, operation, amountKop, originalRrn, at);
      throw new AcquiringError('declined', `Причина: ${bankReason(card.code)} (код ${card.code}).`, card.code);
    }
    const n = this.db.transaction(() => {
      this.db.prepare(`UPDATE counters SET value = value + 1 WHERE name = 'rrn'`).run();
      return (this.db.prepare(`SELECT value FROM counters WHERE name = 'rrn'`).get() as { value: number }).value;
    })();
    const pan = card.answer === 'approve' && card.pan ? card.pan : '2200000000001234';
    const cardType = card.answer === 'approve' && card.cardType ? card.cardType : 'МИР';
    this.db
      .prepare(`INSERT INTO operations VALUES (?, ?, ?, 'approved', ?, ?, ?, ?, ?, ?, 0)`)
      .run(commandId, operation, amountKop, String(100000 + (n % 900000)), String(n).padStart(12, '0'), pan, cardType, originalRrn, at);
    if (card.answer === 'timeout_after_charge') throw new AcquiringError('outcome_unknown', 'Терминал не ответил вовремя.');
    return this.approvalOf(this.db.prepare('SELECT * FROM operations WHERE command_id = ?').get(commandId) as Row);
  }

  private approvalOf(row: Row): CardApproval {
    const masked = `****${row.pan.slice(-4)}`;
    const title = row.operation === 'pay' ? 'ОПЛАТА' : row.operation === 'cancel' ? 'ОТМЕНА' : 'ВОЗВРАТ';
    return {
      commandId: row.command_id,
      operation: row.operation,
      amountKop: row.amount_kop,
      authCode: row.auth_code,
      rrn: row.rrn,
      maskedPan: masked,
      cardType: row.card_type,
      printedOnTerminal: this.printOnTerminal,
      at: row.at,
      slip: this.printOnTerminal
        ? []
        : [
            'ВИРТУАЛЬНЫЙ БАНК',
            title,
            `КАРТА: ${row.card_type} ${masked}`,
            `СУММА: ${(row.amount_kop / 100).toFixed(2)} RUB`,
            `КОД АВТОРИЗАЦИИ: ${row.auth_code}`,
            `RRN: ${row.rrn}`,
            'ОДОБРЕНО',
          ],
    };
  }
}
