/** The register menu's actions that journal nothing: X report, cancel, reprint, cut, continue printing. */
import { v7 as uuidv7 } from 'uuid';
import type { RegisterShiftTotals } from '@paydesk/fiscal';
import type { DeskDeps } from '../../deps.ts';
import type { Cashier } from '../payments/prepare.ts';

export async function xReport(deps: DeskDeps, cashier: Cashier): Promise<RegisterShiftTotals | null> {
  const totals = await deps.runner.direct((r) =>
    r.xReport(uuidv7(), cashier.inn ? { name: cashier.name, inn: cashier.inn } : { name: cashier.name }),
  );
  deps.registerStatus.invalidate();
  return totals;
}

export async function registerAction(deps: DeskDeps, action: 'cancel-receipt' | 'reprint-last' | 'cut'): Promise<void> {
  await deps.runner.direct(async (r) => {
    if (action === 'cancel-receipt') await r.cancelReceipt();
    else if (action === 'reprint-last') await r.reprintLast();
    else await r.cut();
  });
  deps.registerStatus.invalidate();
}

/** «Допечатать»: every receipt fiscalised while the paper was out, not only the last one. */
export async function printUnprinted(deps: DeskDeps): Promise<{ printed: number }> {
  const r = await deps.runner.printUnprinted();
  deps.registerStatus.invalidate();
  return r;
}
