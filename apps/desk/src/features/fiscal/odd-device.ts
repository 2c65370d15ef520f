/**
 * A register that behaves as real devices do and the virtual one does not, for the fiscal runner's
 * tests: it forgets operation ids (KKMServer after 100 commands or a restart), answers "timeout" after
 * it has printed, reports a receipt fiscalised but not printed without refusing the next one, holds
 * another document under an id, or answers "done" without a document number. Underneath, a virtual
 * register keeps the truth: what was printed and what the drawer holds.
 */
import { FiscalError, type Cashier, type FiscalRegister, type FiscalResult, type VirtualRegister } from '@paydesk/fiscal';
import type { Receipt } from '@paydesk/domain';

export type OddFault =
  /** Does the operation, then answers as if the link had dropped (outcome unknown to the caller). */
  | 'timeout_after'
  /** Answers as if the link had dropped, without doing anything. */
  | 'timeout_before'
  /** Fiscalises, answers printed: false, and takes the next receipt anyway (as ATOL and KKMServer may). */
  | 'not_printed'
  /** Answers "done" with no document number. */
  | 'no_document_number'
  /** Someone printed another receipt on the device in the same moment (the counter moves by two). */
  | 'extra_document'
  /** Answers with the document it holds under this id — another receipt, for 1,00 ₽ — printing nothing. */
  | 'foreign_answer';

export class OddDevice implements FiscalRegister {
  readonly driver = 'kkmserver' as const;
  private n = 0;
  private readonly faults: OddFault[] = [];
  /** Ids the device answers for with another document (a reused request id). */
  readonly foreign = new Map<string, Partial<FiscalResult>>();
  /** What each call got as the cashier, by call. */
  readonly cashiers: { call: string; cashier: Cashier }[] = [];
  /** Lookups answer undefined (forgotten) unless the test says the device remembers. */
  remembers = false;

  constructor(readonly device: VirtualRegister) {}

  fault(f: OddFault): void {
    this.faults.push(f);
  }

  private take(f: OddFault): boolean {
    const i = this.faults.indexOf(f);
    if (i < 0) return false;
    this.faults.splice(i, 1);
    return true;
  }

  /** Each call runs under a fresh id, as a device that forgot the last one would. */
  private fresh(id: string): string {
    this.n++;
    return this.remembers ? id : `${id.slice(0, 24)}${String(this.n).padStart(12, '0')}`;
  }

  private async around<T>(fn: () => Promise<T>): Promise<T> {
    if (this.take('timeout_before')) throw new FiscalError('unavailable', 'таймаут');
    const r = await fn();
    if (this.take('timeout_after')) throw new FiscalError('unavailable', 'таймаут');
    return r;
  }

  async registerReceipt(receipt: Receipt): Promise<FiscalResult> {
    if (this.take('foreign_answer')) {
      this.foreign.set(receipt.operationId, { totalKop: 1_00 });
      return (await this.lookupOperation(receipt.operationId)) as FiscalResult;
    }
    return this.around(async () => {
      const r = await this.device.registerReceipt({ ...receipt, operationId: this.fresh(receipt.operationId) });
      if (this.take('extra_document'))
        await this.device.registerReceipt({ ...receipt, operationId: this.fresh(`${receipt.operationId}-extra`) });
      const out = { ...r, operationId: receipt.operationId };
      if (this.take('not_printed')) out.printed = false;
      if (this.take('no_document_number')) out.documentNumber = 0;
      return out;
    });
  }

  async openShift(operationId: string, cashier: Cashier): ReturnType<FiscalRegister['openShift']> {
    this.cashiers.push({ call: 'openShift', cashier });
    return this.around(() => this.device.openShift(this.fresh(operationId), cashier));
  }

  async closeShift(operationId: string, cashier: Cashier): ReturnType<FiscalRegister['closeShift']> {
    this.cashiers.push({ call: 'closeShift', cashier });
    return this.around(() => this.device.closeShift(this.fresh(operationId), cashier));
  }

  async xReport(operationId: string, cashier: Cashier): ReturnType<FiscalRegister['xReport']> {
    this.cashiers.push({ call: 'xReport', cashier });
    return this.device.xReport(this.fresh(operationId), cashier);
  }

  async cashIn(operationId: string, cashier: Cashier, amountKop: number): ReturnType<FiscalRegister['cashIn']> {
    this.cashiers.push({ call: 'cashIn', cashier });
    return this.around(() => this.device.cashIn(this.fresh(operationId), cashier, amountKop));
  }

  async cashOut(operationId: string, cashier: Cashier, amountKop: number): ReturnType<FiscalRegister['cashOut']> {
    this.cashiers.push({ call: 'cashOut', cashier });
    return this.around(() => this.device.cashOut(this.fresh(operationId), cashier, amountKop));
  }

  cancelReceipt(): Promise<void> {
    return this.device.cancelReceipt();
  }

  continuePrint(): Promise<void> {
    return this.device.continuePrint();
  }

  reprintLast(): Promise<void> {
    return this.device.reprintLast();
  }

  reprintDocument(documentNumber: number): Promise<void> {
    return this.device.reprintDocument(documentNumber);
  }

  cut(): Promise<void> {
    return this.device.cut();
  }

  printText(lines: string[]): Promise<void> {
    return this.device.printText(lines);
  }

  status(): ReturnType<FiscalRegister['status']> {
    return this.device.status();
  }

  shiftTotals(): ReturnType<FiscalRegister['shiftTotals']> {
    return this.device.shiftTotals();
  }

  lastDocument(): ReturnType<FiscalRegister['lastDocument']> {
    return this.device.lastDocument();
  }

  async lookupOperation(operationId: string): Promise<FiscalResult | null | undefined> {
    const foreign = this.foreign.get(operationId);
    if (foreign)
      return {
        operationId,
        kind: 'sale',
        documentNumber: 1,
        fiscalSign: '1',
        shiftNumber: 1,
        receiptNumber: 1,
        at: new Date().toISOString(),
        totalKop: 100,
        fnNumber: '',
        registrationNumber: '',
        qr: '',
        printed: true,
        ...foreign,
      };
    if (!this.remembers) return undefined;
    return this.device.lookupOperation(operationId);
  }

  close(): Promise<void> {
    return this.device.close();
  }
}
