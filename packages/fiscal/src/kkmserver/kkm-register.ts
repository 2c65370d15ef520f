/**
 * KKMServer (kkmserver.ru) through POST /Execute. Every command that changes the register carries
 * IdCommand = the operation id; while Status is Run (1) or NotRun (4) the driver polls GetRezult,
 * and a resend answered AlreadyDone (5) fetches the original result the same way.
 */
import { randomUUID } from 'node:crypto';
import { rubNumberToKop, type Receipt, type ReceiptKind } from '@paydesk/domain';
import {
  FiscalError,
  type Cashier,
  type CloseShiftResult,
  type FiscalRegister,
  type FiscalResult,
  type LastDocument,
  type RegisterShiftTotals,
  type RegisterStatus,
  type ShiftDocument,
} from '../port.ts';
import { basicAuth, httpJson, sleep, TransportError, type HttpJsonOptions } from '../http-json.ts';
import { attemptKey, disconnected, str } from '../atol/atol-register.ts';
import { fiscalResultOfKkm, kkmError, registerCheckCommand, type KkmAnswer, type KkmCommand } from './kkm-mapping.ts';

export interface KkmServerOptions {
  /** e.g. http://127.0.0.1:5893 */
  url: string;
  user?: string;
  password?: string;
  numDevice?: number;
  /** Seconds KKMServer may spend on a command (its own `Timeout`). */
  commandTimeoutS?: number;
  requestTimeoutMs?: number;
  pollIntervalMs?: number;
}

const STATUS = { Ok: 0, Run: 1, Error: 2, NotFound: 3, NotRun: 4, AlreadyDone: 5 } as const;
const MAX_ATTEMPTS = 50;

export class KkmServerRegister implements FiscalRegister {
  readonly driver = 'kkmserver' as const;
  private readonly http: HttpJsonOptions;
  private readonly pollMs: number;
  private readonly commandTimeoutS: number;
  /** KKMServer has no "last document" query in the spec; the driver remembers what it printed. */
  private lastResult: FiscalResult | null = null;

  constructor(private readonly options: KkmServerOptions) {
    const auth = basicAuth(options.user, options.password);
    this.commandTimeoutS = options.commandTimeoutS ?? 60;
    this.http = { baseUrl: options.url, timeoutMs: options.requestTimeoutMs ?? (this.commandTimeoutS + 5) * 1000, ...(auth ? { authorization: auth } : {}) };
    this.pollMs = options.pollIntervalMs ?? 150;
  }

  private async post(cmd: KkmCommand): Promise<KkmAnswer> {
    const r = await httpJson(this.http, 'POST', '/Execute', cmd);
    if (r.status === 401 || r.status === 403) throw new FiscalError('unavailable', 'KKMServer отказал в доступе', r.status, 'not_done');
    if (r.status !== 200) throw new TransportError(`KKMServer ответил ${r.status}`, false);
    return (r.body ?? {}) as KkmAnswer;
  }

  /** Executes a command under an IdCommand and returns its final answer. */
  private async execute(cmd: KkmCommand, idCommand: string): Promise<KkmAnswer> {
    const full: KkmCommand = { ...cmd, NumDevice: this.options.numDevice ?? 0, IdCommand: idCommand, Timeout: this.commandTimeoutS };
    let answer: KkmAnswer;
    try {
      answer = await this.post(full);
    } catch (e) {
      if (e instanceof FiscalError) throw e;
      if (e instanceof TransportError && e.notDelivered) throw new FiscalError('unavailable', e.message, 'transport', 'not_done');
      const found = await this.result(idCommand).catch(() => undefined);
      if (found === undefined) throw new FiscalError('outcome_unknown', (e as Error).message, 'transport');
      if (found === null) throw new FiscalError('unavailable', 'команда не дошла до KKMServer', 'transport', 'not_done');
      answer = found;
    }
    return this.settle(idCommand, answer);
  }

  /**
   * Runs a command for an operation exactly once: an earlier attempt that succeeded is returned
   * (AlreadyDone → GetRezult); after one that certainly failed, the next attempt key is used.
   */
  private async executeOnce(cmd: KkmCommand, operationId: string): Promise<KkmAnswer> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const key = attemptKey(operationId, attempt);
      const alreadySeen = (await this.result(key).catch(() => null)) !== null;
      try {
        return await this.execute(cmd, key);
      } catch (e) {
        if (alreadySeen && e instanceof FiscalError && e.outcome === 'not_done') continue;
        throw e;
      }
    }
    throw new FiscalError('rejected', 'слишком много неудачных попыток этой операции');
  }

  /** GetRezult for an IdCommand; null when KKMServer never saw it. */
  private async result(idCommand: string): Promise<KkmAnswer | null> {
    const a = await this.post({ Command: 'GetRezult', IdCommand: idCommand });
    if (a.Status === STATUS.NotFound) return null;
    return a.Rezult ?? a;
  }

  private async settle(idCommand: string, first: KkmAnswer): Promise<KkmAnswer> {
    const deadline = Date.now() + (this.commandTimeoutS + 5) * 1000;
    let a = first;
    for (;;) {
      if (a.Status === STATUS.Ok) return a;
      if (a.Status === STATUS.Error) throw kkmError(a.Error ?? '');
      if (a.Status === STATUS.Run || a.Status === STATUS.NotRun || a.Status === STATUS.AlreadyDone) {
        if (Date.now() > deadline) throw new FiscalError('outcome_unknown', 'KKMServer не завершил команду вовремя');
        if (a.Status !== STATUS.AlreadyDone) await sleep(this.pollMs);
        let next: KkmAnswer | null;
        try {
          next = await this.result(idCommand);
        } catch (e) {
          throw new FiscalError('outcome_unknown', (e as Error).message, 'transport');
        }
        if (next === null) throw new FiscalError('outcome_unknown', 'KKMServer потерял принятую команду');
        a = next;
        continue;
      }
      throw new FiscalError('outcome_unknown', `неизвестный статус KKMServer ${String(a.Status)}`);
    }
  }

  private cashierFields(cashier: Cashier): Record<string, string> {
    return cashier.inn ? { CashierName: cashier.name, CashierVATIN: cashier.inn } : { CashierName: cashier.name };
  }

  async registerReceipt(receipt: Receipt): Promise<FiscalResult> {
    const a = await this.executeOnce(registerCheckCommand(receipt), receipt.operationId);
    const result = fiscalResultOfKkm(receipt.operationId, receipt.kind, receipt.totalKop, a);
    this.lastResult = result;
    return result;
  }

  async openShift(operationId: string, cashier: Cashier): Promise<ShiftDocument> {
    const a = await this.executeOnce({ Command: 'OpenShift', ...this.cashierFields(cashier) }, operationId);
    return { operationId, shiftNumber: a.SessionNumber ?? 0, documentNumber: a.CheckNumber ?? 0, at: new Date().toISOString() };
  }

  async closeShift(operationId: string, cashier: Cashier): Promise<CloseShiftResult> {
    const a = await this.executeOnce({ Command: 'CloseShift', ...this.cashierFields(cashier) }, operationId);
    return { operationId, shiftNumber: a.SessionNumber ?? 0, documentNumber: a.CheckNumber ?? 0, at: new Date().toISOString(), totals: null };
  }

  async xReport(operationId: string, cashier: Cashier): Promise<RegisterShiftTotals | null> {
    await this.executeOnce({ Command: 'XReport', ...this.cashierFields(cashier) }, operationId);
    return null;
  }

  async cashIn(operationId: string, cashier: Cashier, amountKop: number): Promise<{ drawerKop: number | null }> {
    await this.executeOnce({ Command: 'DepositingCash', Amount: amountKop / 100, ...this.cashierFields(cashier) }, operationId);
    return { drawerKop: null };
  }

  async cashOut(operationId: string, cashier: Cashier, amountKop: number): Promise<{ drawerKop: number | null }> {
    await this.executeOnce({ Command: 'PaymentCash', Amount: amountKop / 100, ...this.cashierFields(cashier) }, operationId);
    return { drawerKop: null };
  }

  async cancelReceipt(): Promise<void> {
    // KKMServer cancels a receipt that failed to close itself; nothing is left open to cancel.
  }

  async continuePrint(): Promise<void> {
    // KKMServer finishes printing on its own once paper is loaded.
  }

  async reprintLast(): Promise<void> {
    if (!this.lastResult) throw new FiscalError('rejected', 'неизвестен последний чек этой кассы', 'kkmserver');
    await this.execute({ Command: 'GetDataCheck', FiscalNumber: this.lastResult.documentNumber, NumberCopies: 1 }, randomUUID());
  }

  async reprintDocument(documentNumber: number): Promise<void> {
    await this.execute({ Command: 'GetDataCheck', FiscalNumber: documentNumber, NumberCopies: 1 }, randomUUID());
  }

  async cut(): Promise<void> {
    await this.printText(['']);
  }

  async printText(lines: string[]): Promise<void> {
    await this.execute({ Command: 'RegisterCheck', IsFiscalCheck: false, NotPrint: false, CheckStrings: lines.map((Text) => ({ PrintText: { Text } })) }, randomUUID());
  }

  async status(): Promise<RegisterStatus> {
    let a: KkmAnswer;
    try {
      a = await this.execute({ Command: 'GetDataKKT' }, randomUUID());
    } catch (e) {
      if (e instanceof FiscalError && (e.code === 'unavailable' || e.code === 'outcome_unknown')) return disconnected(this.driver);
      throw e;
    }
    const info = a.Info ?? {};
    const session = Number(info['SessionState'] ?? 1);
    const unsent = Number(info['OFD_NumErrorDoc'] ?? 0);
    const oldest = info['OFD_DateErrorDoc'];
    return {
      driver: 'kkmserver',
      connected: true,
      model: str(info['NameOrganization']) || 'ККТ через KKMServer',
      serialNumber: str(info['KktNumber']),
      shift: { state: session === 2 ? 'open' : session === 3 ? 'expired' : 'closed', number: typeof a.SessionNumber === 'number' ? a.SessionNumber : null, openedAt: null, expiresAt: null },
      paperPresent: info['PaperOver'] !== true,
      coverOpen: false,
      receiptOpen: false,
      drawerKop: typeof info['BalanceCash'] === 'number' ? rubNumberToKop(info['BalanceCash']) : null,
      fn: { number: str(info['FnNumber']), validUntil: typeof info['FN_DateEnd'] === 'string' ? info['FN_DateEnd'].slice(0, 10) : null, warnings: [] },
      ofd: { unsentCount: unsent, oldestUnsentAt: unsent > 0 && typeof oldest === 'string' ? new Date(oldest).toISOString() : null },
      lastDocumentNumber: this.lastResult?.documentNumber ?? null,
    };
  }

  async shiftTotals(): Promise<RegisterShiftTotals | null> {
    return null;
  }

  async lastDocument(): Promise<LastDocument | null> {
    const r = this.lastResult;
    return r ? { documentNumber: r.documentNumber, kind: r.kind, totalKop: r.totalKop, at: r.at, operationId: r.operationId } : null;
  }

  async lookupOperation(operationId: string, expected?: { kind: ReceiptKind; totalKop: number }): Promise<FiscalResult | null> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const key = attemptKey(operationId, attempt);
      let a: KkmAnswer | null;
      try {
        a = await this.result(key);
      } catch (e) {
        throw new FiscalError('unavailable', (e as Error).message, 'transport');
      }
      if (a === null) return null;
      try {
        a = await this.settle(key, a);
      } catch (e) {
        if (e instanceof FiscalError && e.outcome === 'not_done') continue;
        throw e;
      }
      if (typeof a.CheckNumber !== 'number') return null;
      return fiscalResultOfKkm(operationId, expected?.kind ?? 'sale', expected?.totalKop ?? 0, a);
    }
    return null;
  }

  async close(): Promise<void> {}
}
