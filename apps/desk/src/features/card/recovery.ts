/**
 * After a crash or a refusal of the register: a card command left unclear is asked of the terminal,
 * and a card charged without its receipt gets the receipt, under the same operation id — the payer's
 * money never stays on the desk's side without a fiscal document. The slip follows the receipt.
 */
import type { DeskDeps } from '../../deps.ts';
import { FiscalState } from '../journal/lifecycle.ts';

/** Prints the bank's slip on the register after the receipt; a slip that will not print is said, not fatal. */
export async function printSlip(deps: DeskDeps, opId: string): Promise<boolean | null> {
  const slip = deps.cards.slipToPrint(opId);
  if (!slip) return null;
  try {
    await deps.runner.direct(async (register) => {
      await register.printText(['', ...slip.lines, '']);
      await register.cut();
    });
    deps.cards.markSlipPrinted(slip.commandId);
    return true;
  } catch (e) {
    deps.log.warn({ opId, err: (e as Error).message }, 'card slip not printed');
    return false;
  }
}

export async function finishCharged(deps: DeskDeps): Promise<{ finished: number; unknown: number }> {
  const { unknown } = await deps.runner.read(() => deps.cards.recover());
  let finished = 0;
  for (const charge of deps.cards.orphans()) {
    const op = deps.runner.get(charge.op_id);
    if (op?.state !== FiscalState.failed) continue;
    try {
      await deps.runner.run({
        opId: op.op_id,
        kind: op.kind,
        numbered: true,
        request: JSON.parse(op.request) as object,
        cashier: { id: op.cashier_id, name: op.cashier_name, inn: op.cashier_inn },
      });
      await printSlip(deps, op.op_id);
      finished++;
    } catch (e) {
      deps.log.warn({ opId: op.op_id, err: (e as Error).message }, 'card charged without a receipt: the receipt could not be printed yet');
    }
  }
  if (finished || unknown) deps.log.warn({ finished, unknown }, 'card charges left by the last run were finished');
  return { finished, unknown };
}
