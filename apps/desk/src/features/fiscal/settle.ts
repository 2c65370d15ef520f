/**
 * How the desk learns what the register did when its answer was unclear — one rule for the first
 * attempt and for every later reconciliation (DESIGN law 4):
 *
 * 1. Before the call the runner records the device's marks: its last fiscal document number, and for
 *    shift and cash operations the shift state and the drawer counter; before a Z report also the
 *    shift's counters, which are the Z report's own (nothing else reaches the register in between).
 * 2. Afterwards a receipt is looked up by its operation id. A receipt found there counts only if its
 *    kind and sum are this receipt's; a device that holds another document under the id proves nothing.
 * 3. When the device cannot tell (it forgets ids) or says it has no such id, the counters decide: a
 *    document number that did not move proves "not done"; a number moved by exactly one, to a document
 *    of this kind and sum, proves "done". Shift and cash operations are decided by the shift state and
 *    the drawer moving by exactly the amount. Anything else stays unknown until a senior cashier
 *    settles it with what the device shows — the desk never repeats an operation to find out.
 */
import type { FiscalRegister, FiscalResult, LastDocument, RegisterShiftTotals, RegisterStatus } from '@paydesk/fiscal';
import type { ReceiptKind } from '@paydesk/domain';

/** What the device showed just before the call. */
export interface DeviceMarks {
  /** Which device the call went to: another one cannot tell what this one did. */
  device?: string;
  documentNumber: number | null;
  shift?: { state: RegisterStatus['shift']['state']; number: number | null };
  drawerKop?: number | null;
  /** Before a Z report: the shift's counters, so a Z whose answer was lost still has its totals. */
  shiftTotals?: RegisterShiftTotals | null;
}

export type Verdict =
  | { kind: 'done'; result: unknown }
  | { kind: 'not_done'; reason: string }
  /** `busy`: the device says it is still doing it — nobody may settle it yet, not even by hand. */
  | { kind: 'unknown'; reason: string; busy?: boolean };

export const done = (result: unknown): Verdict => ({ kind: 'done', result });
export const notDone = (reason: string): Verdict => ({ kind: 'not_done', reason });
export const unknown = (reason: string): Verdict => ({ kind: 'unknown', reason });

export async function readMarks(register: FiscalRegister, withStatus: boolean, withTotals = false): Promise<DeviceMarks> {
  // A device that cannot say its last document number leaves it null: "did not move" cannot be proven.
  if (!withStatus) {
    const last = await register.lastDocument();
    return { documentNumber: last?.documentNumber ?? null };
  }
  const s = await register.status();
  if (!s.connected) throw new Error('ККТ не отвечает');
  const marks: DeviceMarks = {
    documentNumber: s.lastDocumentNumber ?? null,
    shift: { state: s.shift.state, number: s.shift.number },
    drawerKop: s.drawerKop,
  };
  // Counters that cannot be read only cost the report its register column, never the Z itself.
  if (withTotals) marks.shiftTotals = await register.shiftTotals().catch(() => null);
  return marks;
}

export function receiptMatches(
  r: { kind: ReceiptKind; totalKop: number; documentNumber: number },
  expected: { kind: ReceiptKind; totalKop: number },
): boolean {
  return r.documentNumber > 0 && r.kind === expected.kind && r.totalKop === expected.totalKop;
}

function resultOfDocument(
  opId: string,
  last: LastDocument,
  expected: { kind: ReceiptKind; totalKop: number },
  shiftNumber: number | null,
): FiscalResult {
  return {
    operationId: opId,
    kind: expected.kind,
    documentNumber: last.documentNumber,
    fiscalSign: last.fiscalSign ?? '',
    shiftNumber: last.shiftNumber ?? shiftNumber ?? 0,
    receiptNumber: 0,
    at: last.at,
    totalKop: expected.totalKop,
    fnNumber: '',
    registrationNumber: '',
    qr: last.qr ?? '',
    printed: true,
  };
}

/** Settles a receipt: by its id first, then by the document counter. */
export async function settleReceipt(
  register: FiscalRegister,
  opId: string,
  expected: { kind: ReceiptKind; totalKop: number },
  before: DeviceMarks | null,
  shiftNumber: number | null,
): Promise<Verdict> {
  const found = await register.lookupOperation(opId, expected);
  if (found) {
    if (receiptMatches(found, expected)) return done(found);
    return unknown(
      `ККТ хранит под номером этой операции другой документ (ФД ${found.documentNumber}, ${found.totalKop / 100} ₽): это не наш чек`,
    );
  }
  if (!before || before.documentNumber === null) {
    // A row journaled before the desk recorded marks: only the device's own "never ran" decides.
    return found === null ? notDone('ККТ не пробила этот чек') : unknown('ККТ не помнит операцию, а номер документа до неё не записан');
  }
  const last = await register.lastDocument();
  if (!last) return unknown('ККТ не сообщает номер последнего документа');
  const now = last.documentNumber;
  if (now === before.documentNumber) return notDone('номер последнего документа в ККТ не изменился: чек не пробит');
  if (found === null) return unknown(`ККТ не знает операцию, но номер документа изменился с ${before.documentNumber} на ${now}`);
  if (now === before.documentNumber + 1) {
    if (last.kind === expected.kind && last.totalKop === expected.totalKop) {
      // The counter says it was fiscalised, not that it was printed. Paper in the device now does not say
      // either: it may have been loaded since, the receipt still held unprinted. Printed only when the
      // device says nothing waits to be printed; anything unknown counts as not (the cashier presses
      // «Допечатать», at worst for a spare cut).
      const printed = await register.status().then(
        (s) => s.connected && s.paperPresent && s.pendingPrint === false,
        () => false,
      );
      return done({ ...resultOfDocument(opId, last, expected, shiftNumber), printed });
    }
    if (last.totalKop === null) return unknown(`ККТ пробила документ ${now}, но не сообщает, что в нём`);
    return unknown(`последний документ ККТ (${now}) — не этот чек`);
  }
  return unknown(`номер документа в ККТ изменился с ${before.documentNumber} на ${now}: больше чем на один`);
}

export async function statusOf(register: FiscalRegister): Promise<RegisterStatus> {
  const s = await register.status();
  if (!s.connected) throw new Error('ККТ не отвечает');
  return s;
}
