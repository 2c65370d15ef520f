/**
 * Сверка итогов: the terminal closes its day with the bank, and its totals are set beside what the
 * desk's own journal of card commands says for the same period (since the last settlement). The Z
 * report runs it first; a difference is listed command by command so a senior can explain it.
 */
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '@paydesk/protocol';
import { isAcquiringError, type SettlementTotals } from '@paydesk/fiscal';
import type { DeskDeps } from '../../deps.ts';
import type { ChargeRow } from './card-charges.ts';

export interface SettlementView {
  commandId: string;
  at: string;
  shiftNumber: number | null;
  /** The terminal's totals; null when it gives the slip only (KKMServer). */
  terminal: SettlementTotals | null;
  journal: SettlementTotals;
  /** Null when the terminal gave no totals to compare. */
  matches: boolean | null;
  differences: string[];
  slip: string[];
}

function lastSettlementAt(deps: DeskDeps): string {
  return (deps.db.prepare('SELECT MAX(at) AS at FROM card_settlements').get() as { at: string | null }).at ?? '';
}

/** The desk's card commands approved since the last settlement, through a connected terminal. */
function journalTotals(deps: DeskDeps, since: string): { totals: SettlementTotals; rows: ChargeRow[] } {
  const rows = deps.db
    .prepare(`SELECT * FROM card_charges WHERE state = 'approved' AND terminal <> 'standalone' AND updated_at > ? ORDER BY created_at`)
    .all(since) as ChargeRow[];
  const pay = rows.filter((r) => r.operation === 'pay');
  const back = rows.filter((r) => r.operation !== 'pay');
  return {
    rows,
    totals: {
      payCount: pay.length,
      payKop: pay.reduce((s, r) => s + r.amount_kop, 0),
      refundCount: back.length,
      refundKop: back.reduce((s, r) => s + r.amount_kop, 0),
    },
  };
}

function explain(t: SettlementTotals, j: SettlementTotals): string[] {
  const out: string[] = [];
  const rub = (k: number): string => `${(k / 100).toFixed(2)} ₽`;
  if (t.payCount !== j.payCount || t.payKop !== j.payKop)
    out.push(
      `Оплаты: терминал ${t.payCount} на ${rub(t.payKop)}, журнал кассы ${j.payCount} на ${rub(j.payKop)} — разница ${rub(t.payKop - j.payKop)}. ` +
        'Больше на терминале: операция прошла мимо кассы или её исход не сверен; меньше: оплата отменена аварийно на терминале.',
    );
  if (t.refundCount !== j.refundCount || t.refundKop !== j.refundKop)
    out.push(
      `Возвраты и отмены: терминал ${t.refundCount} на ${rub(t.refundKop)}, журнал ${j.refundCount} на ${rub(j.refundKop)} — разница ${rub(t.refundKop - j.refundKop)}.`,
    );
  return out;
}

export async function runSettlement(deps: DeskDeps): Promise<SettlementView> {
  const terminal = deps.terminal.current;
  if (!terminal) throw new AppError('card.unavailable', 'Терминал не подключён к кассе: сверку итогов делают на самом терминале.');
  const open = deps.cards.open();
  if (open.length > 0)
    throw new AppError('card.outcome_unknown', `Сначала сверьте операции по карте с неизвестным исходом: ${open.length}.`, {
      commandIds: open.map((r) => r.command_id),
    });
  const since = lastSettlementAt(deps);
  const commandId = uuidv7();
  const result = await deps.runner.read(async () => {
    try {
      return await terminal.settlement(commandId);
    } catch (e) {
      if (isAcquiringError(e)) throw new AppError('card.unavailable', e.message);
      throw e;
    }
  });
  const journal = journalTotals(deps, since);
  const shiftNumber = deps.registerStatus.get()?.shift.number ?? null;
  const differences = result.totals ? explain(result.totals, journal.totals) : [];
  const view: SettlementView = {
    commandId,
    at: deps.clock().toISOString(),
    shiftNumber,
    terminal: result.totals,
    journal: journal.totals,
    matches: result.totals ? differences.length === 0 : null,
    differences,
    slip: result.slip,
  };
  deps.db
    .prepare('INSERT INTO card_settlements (command_id, shift_number, result, journal, at) VALUES (?, ?, ?, ?, ?)')
    .run(commandId, shiftNumber, JSON.stringify(result), JSON.stringify(view), view.at);
  return view;
}

/** The shift's last settlement, for the shift report. */
export function shiftSettlement(deps: DeskDeps, shiftNumber: number): SettlementView | null {
  const row = deps.db.prepare('SELECT journal FROM card_settlements WHERE shift_number = ? ORDER BY at DESC LIMIT 1').get(shiftNumber) as
    { journal: string } | undefined;
  return row ? (JSON.parse(row.journal) as SettlementView) : null;
}
