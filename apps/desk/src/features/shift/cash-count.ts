/**
 * The cash-up: the cashier counts the drawer (by denomination or as a total); the difference against
 * the expected cash is recorded as an operation and sent to the server.
 */
import { v7 as uuidv7 } from 'uuid';
import { AppError, type OpBody } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { localIso } from '../../clock.ts';
import type { Cashier } from '../payments/prepare.ts';
import { journalTotals } from './shift.ts';

export async function countCash(
  deps: DeskDeps,
  cashier: Cashier,
  input: { opId?: string | undefined; denominations?: Record<string, number> | undefined; countedKop?: number | undefined },
): Promise<{ countId: string; countedKop: number; expectedKop: number; differenceKop: number }> {
  const opId = input.opId ?? uuidv7();
  const existing = deps.runner.get(opId);
  if (existing) {
    if (existing.kind !== 'cash_count') throw new AppError('op.id_reused');
    const r = JSON.parse(existing.request) as { countedKop: number; expectedKop: number; differenceKop: number };
    return { countId: opId, ...r };
  }
  const status = (await deps.registerStatus.refresh()) ?? deps.registerStatus.get();
  const shift = status?.shift.number ?? null;
  if (!shift || status?.shift.state === 'closed') throw new AppError('shift.closed', 'Пересчёт наличных делается в открытой смене');
  const counted = input.denominations
    ? Object.entries(input.denominations).reduce((s, [face, n]) => s + Number(face) * n, 0)
    : (input.countedKop as number);
  // The register's drawer counter when it reports one, else the journal's reckoning.
  const expected = status?.drawerKop ?? journalTotals(deps, shift).drawerKop;
  const body: OpBody<'cash.counted'> = {
    cashierId: cashier.id,
    shiftNumber: shift,
    at: localIso(deps.clock(), deps.settings.timeZone()),
    countedKop: counted,
    expectedKop: expected,
    differenceKop: counted - expected,
    ...(input.denominations ? { denominations: input.denominations } : {}),
  };
  deps.runner.recordWithoutRegister(
    {
      opId,
      kind: 'cash_count',
      numbered: false,
      request: { countedKop: counted, expectedKop: expected, differenceKop: counted - expected },
      cashier: { id: cashier.id, name: cashier.name, inn: cashier.inn },
      shiftNumber: shift,
      totalKop: counted,
    },
    'cash.counted',
    body,
  );
  deps.sync.trigger();
  return { countId: opId, countedKop: counted, expectedKop: expected, differenceKop: counted - expected };
}
