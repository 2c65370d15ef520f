/** The register menu's actions that journal nothing: X report, cancel, reprint, cut, continue printing. */
import { v7 as uuidv7 } from 'uuid';
import type { RegisterShiftTotals } from '@paydesk/fiscal';
import type { DeskDeps } from '../../deps.ts';
import type { Cashier } from '../payments/prepare.ts';

export async function xReport(deps: DeskDeps, cashier: Cashier): Promise<RegisterShiftTotals | null> {
  const totals = await deps.runner.direct((r) => r.xReport(uuidv7(), { name: cashier.name }));
  deps.registerStatus.invalidate();
  return totals;
}

export async function registerAction(deps: DeskDeps, action: 'cancel-receipt' | 'reprint-last' | 'cut' | 'continue-print'): Promise<void> {
  await deps.runner.direct(async (r) => {
    if (action === 'cancel-receipt') await r.cancelReceipt();
    else if (action === 'reprint-last') await r.reprintLast();
    else if (action === 'cut') await r.cut();
    else await r.continuePrint();
  });
  deps.registerStatus.invalidate();
}
