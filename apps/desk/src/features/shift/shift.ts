/**
 * The shift and the drawer: open (with an opening float as a cash-in), X report, close (Z) — which
 * warns and counts unsent operations but never discards them — cash in and cash out, and the
 * journal's own totals of a shift to set beside the register's.
 */
import { v7 as uuidv7 } from 'uuid';
import { runSettlement, shiftSettlement } from '../card/settlement.ts';
import { AppError, type ShiftTotals } from '@paydesk/protocol';
import type { RegisterShiftTotals } from '@paydesk/fiscal';
import type { DeskDeps } from '../../deps.ts';
import { FiscalState } from '../journal/lifecycle.ts';
import type { Cashier } from '../payments/prepare.ts';

/** The shift's totals as this desk's journal has them: the same shape as the register's. */
export function journalTotals(deps: DeskDeps, shiftNumber: number): ShiftTotals {
  const rows = deps.db
    .prepare(
      `SELECT kind, method, COUNT(*) AS n, COALESCE(SUM(total_kop), 0) AS total FROM operations WHERE shift_number = ? AND state = '${FiscalState.done}' GROUP BY kind, method`,
    )
    .all(shiftNumber) as { kind: string; method: string | null; n: number; total: number }[];
  const t: ShiftTotals = {
    sales: { count: 0, cashKop: 0, cardKop: 0 },
    returns: { count: 0, cashKop: 0, cardKop: 0 },
    cashInKop: 0,
    cashOutKop: 0,
    drawerKop: 0,
  };
  for (const r of rows) {
    // A correction of income counts with the sales, of a return with the returns, as the register counts them.
    if (r.kind === 'billing' || r.kind === 'thirdparty' || r.kind === 'service' || r.kind === 'correction') {
      t.sales.count += r.n;
      if (r.method === 'card') t.sales.cardKop += r.total;
      else t.sales.cashKop += r.total;
    } else if (r.kind === 'reversal' || r.kind === 'correction_return') {
      t.returns.count += r.n;
      if (r.method === 'card') t.returns.cardKop += r.total;
      else t.returns.cashKop += r.total;
    } else if (r.kind === 'cash_in') t.cashInKop += r.total;
    else if (r.kind === 'cash_out') t.cashOutKop += r.total;
  }
  t.drawerKop = carriedOver(deps, shiftNumber) + t.sales.cashKop - t.returns.cashKop + t.cashInKop - t.cashOutKop;
  return t;
}

/**
 * Cash the register's drawer counter already held when the shift was opened: registers keep it across
 * a Z report unless the cash was paid out, so the shift's expected cash starts from it.
 */
export function carriedOver(deps: DeskDeps, shiftNumber: number): number {
  const open = deps.db
    .prepare(
      `SELECT request FROM operations WHERE kind = 'shift_open' AND state = '${FiscalState.done}' AND (shift_number = ? OR json_extract(result, '$.shiftNumber') = ?) ORDER BY created_at DESC LIMIT 1`,
    )
    .get(shiftNumber, shiftNumber) as { request: string } | undefined;
  return open ? ((JSON.parse(open.request) as { carriedKop?: number | null }).carriedKop ?? 0) : 0;
}

async function currentShift(deps: DeskDeps): Promise<{ open: boolean; number: number | null }> {
  const s = (await deps.registerStatus.refresh()) ?? deps.registerStatus.get();
  return { open: s?.shift.state === 'open' || s?.shift.state === 'expired', number: s?.shift.number ?? null };
}

export async function openShift(
  deps: DeskDeps,
  cashier: Cashier,
  input: { opId?: string | undefined; openingFloatKop: number },
): Promise<{ shiftNumber: number; openedAt: string; openingFloatKop: number }> {
  const opId = input.opId ?? uuidv7();
  const existing = deps.runner.get(opId);
  const floatOpId = existing ? (JSON.parse(existing.request) as { floatOpId: string }).floatOpId : uuidv7();
  let carriedKop: number | null = null;
  if (!existing) {
    const s = (await deps.registerStatus.refresh()) ?? deps.registerStatus.get();
    // Refused before the intent, like a close of a closed shift: a refusal leaves the journal as it was.
    if (s?.shift.state === 'open' || s?.shift.state === 'expired')
      throw new AppError('shift.already_open', `Смена № ${s.shift.number ?? '—'} уже открыта`);
    // What the drawer counter holds before the shift opens, recorded with the intent so a retry keeps it.
    carriedKop = s?.drawerKop ?? null;
  }
  const request = existing ? (JSON.parse(existing.request) as object) : { openingFloatKop: input.openingFloatKop, floatOpId, carriedKop };
  const row = await deps.runner.run({
    opId,
    kind: 'shift_open',
    numbered: false,
    request,
    cashier: { id: cashier.id, name: cashier.name, inn: cashier.inn },
  });
  const doc = JSON.parse(row.result ?? '{}') as { shiftNumber: number; at: string };
  const floatKop = (request as { openingFloatKop: number }).openingFloatKop;
  if (floatKop > 0) await cashMove(deps, cashier, 'cash_in', { opId: floatOpId, amountKop: floatKop, comment: 'Размен на начало смены' });
  await deps.registerStatus.refresh();
  deps.sync.trigger();
  return { shiftNumber: doc.shiftNumber, openedAt: doc.at, openingFloatKop: floatKop };
}

export async function closeShift(
  deps: DeskDeps,
  cashier: Cashier,
  input: { opId?: string | undefined; confirmUnsent: boolean },
): Promise<{
  shiftNumber: number;
  closedAt: string;
  registerTotals: RegisterShiftTotals | null;
  journalTotals: ShiftTotals;
  unsentCount: number;
  settlementWarning: string | null;
}> {
  const opId = input.opId ?? uuidv7();
  const existing = deps.runner.get(opId);
  let request: object;
  let settlementWarning: string | null = null;
  if (existing) request = JSON.parse(existing.request) as object;
  else {
    const shift = await currentShift(deps);
    if (!shift.open || shift.number === null) throw new AppError('shift.closed', 'Смена уже закрыта');
    const unsent = deps.journal.counts().unsent;
    if (unsent > 0 && !input.confirmUnsent) {
      throw new AppError(
        'shift.unsent',
        `На сервер ещё не отправлено операций: ${unsent}. Они сохранены на кассе и уйдут автоматически, когда появится связь. Закрыть смену всё равно?`,
        { unsentCount: unsent },
      );
    }
    request = { journalTotals: journalTotals(deps, shift.number), unsentCount: unsent, shiftNumber: shift.number };
    // The card terminal closes its day first, so its totals stand beside the shift's in the report. A
    // terminal that cannot does not keep the register's shift open: the report says it was not done.
    if (deps.terminal.current && !shiftSettlement(deps, shift.number)) {
      try {
        await runSettlement(deps);
      } catch (e) {
        settlementWarning = `Сверка итогов на терминале не выполнена: ${(e as Error).message} Выполните её из меню «ККМ».`;
        deps.log.warn({ err: (e as Error).message }, 'card settlement before the Z report failed');
      }
    }
  }
  const row = await deps.runner.run({
    opId,
    kind: 'shift_close',
    numbered: false,
    request,
    cashier: { id: cashier.id, name: cashier.name, inn: cashier.inn },
    shiftNumber: (request as { shiftNumber: number }).shiftNumber,
  });
  const doc = JSON.parse(row.result ?? '{}') as { shiftNumber: number; at: string; totals: RegisterShiftTotals | null };
  await deps.registerStatus.refresh();
  deps.sync.trigger();
  const r = request as { journalTotals: ShiftTotals; unsentCount: number };
  return {
    shiftNumber: doc.shiftNumber,
    closedAt: doc.at,
    registerTotals: doc.totals,
    journalTotals: r.journalTotals,
    unsentCount: r.unsentCount,
    settlementWarning,
  };
}

export async function cashMove(
  deps: DeskDeps,
  cashier: Cashier,
  kind: 'cash_in' | 'cash_out',
  input: { opId?: string | undefined; amountKop: number; comment?: string | undefined },
): Promise<{ operationId: string; amountKop: number; drawerKop: number | null }> {
  const opId = input.opId ?? uuidv7();
  const existing = deps.runner.get(opId);
  const shift = existing ? { number: existing.shift_number } : await currentShift(deps);
  if (!existing && !(shift as { open?: boolean }).open)
    throw new AppError('shift.closed', 'Смена закрыта: откройте смену, чтобы внести или выдать наличные');
  const request = existing
    ? (JSON.parse(existing.request) as object)
    : { amountKop: input.amountKop, ...(input.comment ? { comment: input.comment } : {}) };
  const row = await deps.runner.run({
    opId,
    kind,
    numbered: false,
    request,
    cashier: { id: cashier.id, name: cashier.name, inn: cashier.inn },
    shiftNumber: shift.number,
    totalKop: existing?.total_kop ?? input.amountKop,
    method: 'cash',
  });
  deps.registerStatus.invalidate();
  deps.sync.trigger();
  return {
    operationId: opId,
    amountKop: row.total_kop ?? input.amountKop,
    drawerKop: (JSON.parse(row.result ?? '{}') as { drawerKop?: number | null }).drawerKop ?? null,
  };
}
