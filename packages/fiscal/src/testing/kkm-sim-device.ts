/**
 * One register behind the simulated KKMServer: runs a command on a virtual register and answers in
 * KKMServer's shape (KkmFactory.Unit.RezultCommandKKm / RezultCommandCheck / TypeRegKkmOfd). The device
 * itself knows nothing of IdCommand: running an IdCommand again prints again, as a real one would.
 */
import { randomUUID } from 'node:crypto';
import { rubNumberToKop, type AgentType, type Receipt, type ReceiptItem, type TaxSystem, type VatRate } from '@paydesk/domain';
import { FiscalError, type Cashier, type RegisterStatus } from '../port.ts';
import type { VirtualRegister } from '../virtual/virtual-register.ts';
import { KKM_AGENT_SIGN, KKM_CALCULATION_OBJECT, KKM_TAX, KKM_TAX_VARIANT } from '../kkmserver/kkm-mapping.ts';
import { deviceErrorText, innIsValid, KKM_TEXT, type DeviceModel } from './kkm-sim-errors.ts';

export type KkmCmd = Record<string, unknown>;

/** A command the device (or KKMServer's driver for it) refused: answered `Status: 2` with this text. */
export class DeviceFailure extends Error {}

export interface SimDeviceOptions {
  numDevice: number;
  register: VirtualRegister;
  model?: DeviceModel;
  name?: string;
  /** The device's driver does not report the drawer: `BalanceCash: -1` (KKMServer's default). */
  drawerUnknown?: boolean;
  /** Sums computed as doubles on the way, so 4889.56 comes back as 4889.5599999999995. */
  floatNoise?: boolean;
  /** The device's driver cannot read documents back: GetDataCheck fails. */
  noDocumentRead?: boolean;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function invert<K extends string, V extends string | number>(map: Record<K, V>): Map<V, K> {
  return new Map(Object.entries(map).map(([k, v]) => [v as V, k as K]));
}
const TAX_VARIANT = invert<TaxSystem, string>(KKM_TAX_VARIANT);
const AGENT = invert<AgentType, number>(KKM_AGENT_SIGN);
const OBJECT = invert<ReceiptItem['paymentObject'], number>(KKM_CALCULATION_OBJECT);
const VAT = invert<VatRate, number>(KKM_TAX);

/** The double just below x: what a sum added up in floating point tends to come back as. */
function nextDown(x: number): number {
  if (x === 0) return x;
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] = (bits[0] ?? 0n) + (x > 0 ? -1n : 1n);
  return f[0] ?? x;
}

/** A moment as .NET's DateTime serialises it: local (Moscow) time, no zone. */
export function dotnetLocal(iso: string | null): string {
  if (!iso) return '0001-01-01T00:00:00';
  return new Date(new Date(iso).getTime() + 3 * 3_600_000).toISOString().slice(0, 19);
}

function cashierOf(cmd: KkmCmd): Cashier {
  const name = str(cmd['CashierName']);
  const inn = str(cmd['CashierVATIN']);
  return inn ? { name, inn } : { name };
}

/** RegisterCheck back into the domain's receipt, under the operation id the device files it by. */
export function receiptOfCommand(cmd: KkmCmd, operationId: string): Receipt {
  const items: ReceiptItem[] = [];
  const headerLines: string[] = [];
  for (const s of (cmd['CheckStrings'] ?? []) as Record<string, Record<string, unknown>>[]) {
    if (s['PrintText']) headerLines.push(str(s['PrintText']['Text']));
    const r = s['Register'];
    if (!r) continue;
    const item: ReceiptItem = {
      name: String(r['Name']),
      priceKop: rubNumberToKop(Number(r['Price'])),
      quantity: Number(r['Quantity']),
      amountKop: rubNumberToKop(Number(r['Amount'])),
      paymentObject: OBJECT.get(Number(r['SignCalculationObject'])) ?? 'commodity',
      paymentMethod: 'full_payment',
      vat: VAT.get(Number(r['Tax'])) ?? 'none',
    };
    if (r['AgentSign'] !== undefined) {
      const d = (r['AgentData'] ?? {}) as Record<string, string>;
      item.agent = {
        type: AGENT.get(Number(r['AgentSign'])) ?? 'paying_agent',
        operation: d['PayingAgentOperation'] ?? '',
        agentPhone: d['PayingAgentPhone'] ?? '',
        operatorPhone: d['ReceivePaymentsOperatorPhone'] ?? '',
      };
    }
    const p = r['PurveyorData'] as Record<string, string> | undefined;
    if (p)
      item.supplier = {
        name: p['PurveyorName'] ?? '',
        inn: p['PurveyorVATIN'] ?? '',
        ...(p['PurveyorPhone'] ? { phone: p['PurveyorPhone'] } : {}),
      };
    items.push(item);
  }
  const cash = rubNumberToKop(Number(cmd['Cash'] ?? 0));
  const card = rubNumberToKop(Number(cmd['ElectronicPayment'] ?? 0));
  const receipt: Receipt = {
    operationId,
    kind: [1, 3].includes(Number(cmd['TypeCheck'])) ? 'sale_return' : 'sale',
    taxSystem: TAX_VARIANT.get(str(cmd['TaxVariant'])) ?? 'osn',
    cashier: cashierOf(cmd),
    items,
    payments: { cashKop: cash, cardKop: card },
    totalKop: cash + card,
    headerLines,
  };
  if (typeof cmd['PlaceMarket'] === 'string') receipt.settlementPlace = cmd['PlaceMarket'];
  if (typeof cmd['AddressSettle'] === 'string') receipt.settlementAddress = cmd['AddressSettle'];
  // Tag 1008: KKMServer's ClientAddress, a phone or an e-mail the ОФД sends the receipt to.
  if (typeof cmd['ClientAddress'] === 'string' && cmd['ClientAddress'] !== '') receipt.customerContact = cmd['ClientAddress'];
  if (typeof cmd['AdditionalAttribute'] === 'string') receipt.additionalAttribute = cmd['AdditionalAttribute'];
  if (cmd['NotPrint'] === true) receipt.electronicOnly = true;
  // TypeCheck 2 and 3: corrections. KKMServer takes the date as a date-time; without a type or a date the
  // device refuses the document (the correction's validation below says why).
  if ([2, 3].includes(Number(cmd['TypeCheck']))) {
    const date = typeof cmd['CorrectionBaseDate'] === 'string' ? cmd['CorrectionBaseDate'].slice(0, 10) : '';
    const type = cmd['CorrectionType'];
    receipt.correction = {
      type: type === 1 ? 'instruction' : 'self',
      baseDate: type === 0 || type === 1 ? date : '',
      baseNumber: typeof cmd['CorrectionBaseNumber'] === 'string' ? cmd['CorrectionBaseNumber'] : '',
    };
  }
  return receipt;
}

const CHECK_TYPE: Record<string, string> = {
  sale: 'Приход',
  sale_return: 'Возврат прихода',
  open_shift: 'Открытие смены',
  close_shift: 'Закрытие смены',
};

export class SimDevice {
  readonly numDevice: number;
  readonly register: VirtualRegister;
  readonly model: DeviceModel;
  readonly name: string;
  drawerUnknown: boolean;
  floatNoise: boolean;
  noDocumentRead: boolean;
  /** Switched on in KKMServer's settings; off, commands for it find no device. */
  active = true;
  busy = false;
  lastCommandAt = 0;
  /** Milliseconds every command takes on the device. */
  delayMs = 0;
  /** The fiscal receipt's paper ran out after fiscalisation: KKMServer answers an error though the receipt exists. */
  paperOutAnswersError = true;
  private gate: { promise: Promise<void>; release: () => void } | null = null;
  /** Payments per fiscal document number, as the commands gave them. */
  private readonly payments = new Map<number, { cashKop: number; cardKop: number; cashier: Cashier }>();
  /** What KKMServer last read from the device: `List` answers from this, not from the device. */
  cached: RegisterStatus | null = null;

  constructor(o: SimDeviceOptions) {
    this.numDevice = o.numDevice;
    this.register = o.register;
    this.model = o.model ?? 'atol';
    this.name = o.name ?? (this.model === 'atol' ? 'АТОЛ 30Ф' : 'ШТРИХ-М-01Ф');
    this.drawerUnknown = o.drawerUnknown ?? false;
    this.floatNoise = o.floatNoise ?? false;
    this.noDocumentRead = o.noDocumentRead ?? false;
  }

  /** The next command hangs in "running" until release(). */
  stick(): void {
    if (this.gate) return;
    let release = (): void => {};
    const promise = new Promise<void>((r) => (release = r));
    this.gate = { promise, release };
  }

  unstick(): void {
    this.gate?.release();
    this.gate = null;
  }

  async refreshCache(): Promise<void> {
    this.cached = await this.register.status();
  }

  /**
   * The id the virtual register files a document under. It is the IdCommand while that is free; a command
   * run again after it made a document makes another one, as a real device would.
   */
  private opIdFor(idCommand: string): string {
    if (!idCommand) return randomUUID();
    let id = idCommand;
    for (let n = 2; this.register.documentFor(id); n++) id = `${idCommand}~${n}`;
    return id;
  }

  private money(kop: number | null): number {
    if (kop === null) return -1;
    const rub = kop / 100;
    return this.floatNoise ? nextDown(rub) : rub;
  }

  private fail(e: unknown, command: string): DeviceFailure {
    if (e instanceof DeviceFailure) return e;
    const code = e instanceof FiscalError ? e.code : 'rejected';
    return new DeviceFailure(deviceErrorText(this.model, code, command));
  }

  /** Runs a device command; the fields to add to the answer, or a DeviceFailure. */
  async run(cmd: KkmCmd, idCommand: string): Promise<Record<string, unknown>> {
    const command = str(cmd['Command']);
    if (this.gate) await this.gate.promise;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    try {
      return await this.dispatch(command, cmd, idCommand);
    } catch (e) {
      // KKMServer cancels a receipt that failed to close, so none is left open.
      if (e instanceof FiscalError && e.code === 'receipt_open') await this.register.cancelReceipt().catch(() => undefined);
      throw this.fail(e, command);
    } finally {
      await this.refreshCache().catch(() => undefined);
    }
  }

  private async dispatch(command: string, cmd: KkmCmd, idCommand: string): Promise<Record<string, unknown>> {
    const r = this.register;
    switch (command) {
      case 'RegisterCheck':
        return cmd['IsFiscalCheck'] === true ? this.registerCheck(cmd, idCommand) : this.printNonFiscal(cmd);
      case 'OpenShift': {
        const d = await r.openShift(this.opIdFor(idCommand), cashierOf(cmd));
        return { CheckNumber: d.documentNumber, SessionNumber: d.shiftNumber, Info: this.info(await r.status()) };
      }
      case 'CloseShift':
      case 'ZReport': {
        const d = await r.closeShift(this.opIdFor(idCommand), cashierOf(cmd));
        return { CheckNumber: d.documentNumber, SessionNumber: d.shiftNumber, Info: this.info(await r.status()) };
      }
      case 'XReport':
        await r.xReport(this.opIdFor(idCommand), cashierOf(cmd));
        return {};
      case 'DepositingCash':
      case 'PaymentCash': {
        const amount = rubNumberToKop(Number(cmd['Amount']));
        if (command === 'DepositingCash') await r.cashIn(this.opIdFor(idCommand), cashierOf(cmd), amount);
        else await r.cashOut(this.opIdFor(idCommand), cashierOf(cmd), amount);
        const s = await r.status();
        // Cash moves are no fiscal document here: the number KKMServer reports is the last one, unmoved.
        return { CheckNumber: s.lastDocumentNumber ?? 0, SessionNumber: s.shift.number ?? 0 };
      }
      case 'GetDataKKT': {
        const s = await r.status();
        if (!s.connected) throw new FiscalError('unavailable');
        return { CheckNumber: s.lastDocumentNumber ?? 0, SessionNumber: s.shift.number ?? 0, LineLength: 48, Info: this.info(s) };
      }
      case 'GetDataCheck':
        return this.dataCheck(Number(cmd['FiscalNumber'] ?? 0), Number(cmd['NumberCopies'] ?? 0));
      case 'OpenCashDrawer':
        return {};
      default:
        throw new DeviceFailure(KKM_TEXT.unknownCommand(command));
    }
  }

  private async printNonFiscal(cmd: KkmCmd): Promise<Record<string, unknown>> {
    const lines = ((cmd['CheckStrings'] ?? []) as { PrintText?: { Text?: string } }[]).map((x) => x.PrintText?.Text ?? '');
    // Any printing, a bare cut too, needs paper: KKMServer answers its paper-out error.
    if (!(await this.register.status()).paperPresent) throw new FiscalError('paper_out');
    await this.finishPendingPrint();
    if (lines.every((l) => l === '')) await this.register.cut();
    else await this.register.printText(lines);
    return {};
  }

  /** KKMServer's driver finishes a document left unprinted once the paper is back, before the next one. */
  private async finishPendingPrint(): Promise<void> {
    const s = await this.register.status();
    if (s.paperPresent) await this.register.continuePrint().catch(() => undefined);
  }

  /** KKMServer's own checks before the device sees the receipt (Unit.CheckDataForFfd). */
  private validate(cmd: KkmCmd): void {
    if (!str(cmd['CashierName'])) throw new DeviceFailure(KKM_TEXT.noCashier);
    const inn = str(cmd['CashierVATIN']).trim();
    if (inn && inn.length !== 12) throw new DeviceFailure(KKM_TEXT.cashierInnLength);
    if (inn && !innIsValid(inn)) throw new DeviceFailure(KKM_TEXT.cashierInnBad);
    const lines = ((cmd['CheckStrings'] ?? []) as { Register?: { Amount?: number } }[]).filter((s) => s.Register);
    if (lines.length === 0) throw new DeviceFailure(KKM_TEXT.noFiscalLines);
    const sum = lines.reduce((s, l) => s + Math.round(Number(l.Register?.Amount ?? 0) * 100), 0);
    const paid = ['Cash', 'ElectronicPayment', 'AdvancePayment', 'Credit', 'CashProvision'].reduce(
      (s, k) => s + Math.round(Number(cmd[k] ?? 0) * 100),
      0,
    );
    if (paid < sum) throw new DeviceFailure(KKM_TEXT.paymentsBelowTotal);
  }

  private async registerCheck(cmd: KkmCmd, idCommand: string): Promise<Record<string, unknown>> {
    this.validate(cmd);
    await this.finishPendingPrint();
    const receipt = receiptOfCommand(cmd, this.opIdFor(idCommand));
    const done = await this.register.registerReceipt(receipt);
    this.payments.set(done.documentNumber, {
      cashKop: receipt.payments.cashKop,
      cardKop: receipt.payments.cardKop,
      cashier: receipt.cashier,
    });
    if (!done.printed && this.paperOutAnswersError) throw new FiscalError('paper_out');
    // ProcessRegisterCheck echoes the payments back (decimal? fields, so zeros stay in).
    return {
      CheckNumber: done.documentNumber,
      SessionNumber: done.shiftNumber,
      SessionCheckNumber: done.receiptNumber,
      QRCode: done.qr,
      Cash: Number(cmd['Cash'] ?? 0),
      ElectronicPayment: Number(cmd['ElectronicPayment'] ?? 0),
      AdvancePayment: Number(cmd['AdvancePayment'] ?? 0),
      Credit: Number(cmd['Credit'] ?? 0),
      CashProvision: Number(cmd['CashProvision'] ?? 0),
    };
  }

  /** GetDataCheck: a document read back from the fiscal drive; FiscalNumber 0 is the last one. */
  private async dataCheck(fiscalNumber: number, copies: number): Promise<Record<string, unknown>> {
    if (this.noDocumentRead) throw new DeviceFailure(fiscalNumber === 0 ? KKM_TEXT.noLastDocument : KKM_TEXT.noCheckData);
    const docs = this.register.documents({ limit: 1_000_000 }).filter((d) => d.documentNumber !== null);
    const doc = fiscalNumber === 0 ? docs.at(-1) : docs.find((d) => d.documentNumber === fiscalNumber);
    if (!doc || doc.documentNumber === null) throw new DeviceFailure(fiscalNumber === 0 ? KKM_TEXT.noLastDocument : KKM_TEXT.noCheckData);
    const n = doc.documentNumber;
    const isReceipt = doc.type === 'sale' || doc.type === 'sale_return';
    const receipt = isReceipt && doc.operationId ? await this.register.lookupOperation(doc.operationId) : null;
    const paid = this.payments.get(n) ?? { cashKop: receipt?.totalKop ?? 0, cardKop: 0, cashier: { name: '' } };
    if (copies > 0) await this.register.reprintDocument(n);
    const answer: Record<string, unknown> = {
      Slip: doc.tape,
      RegisterCheck: {
        FiscalNumber: String(n),
        FiscalDate: dotnetLocal(doc.at),
        CheckType: CHECK_TYPE[doc.type] ?? 'Чек',
        FiscalSign: receipt?.fiscalSign ?? '',
        CashierName: paid.cashier.name,
        CashierVATIN: paid.cashier.inn ?? '',
        TaxVariant: '',
        ClientAddress: '',
        SenderEmail: '',
        PlaceMarket: '',
        Cash: this.money(paid.cashKop),
        ElectronicPayment: this.money(paid.cardKop),
        AdvancePayment: 0,
        Credit: 0,
        CashProvision: 0,
        AllSumm: this.money(receipt?.totalKop ?? 0),
      },
    };
    if (receipt?.qr) answer['QRCode'] = receipt.qr;
    return answer;
  }

  /** GetDataKKT's Info (TypeRegKkmOfd): every field always there, -1 for a drawer the driver does not know. */
  info(s: RegisterStatus): Record<string, unknown> {
    const unsent = s.ofd.unsentCount;
    return {
      InnOrganization: '7707083893',
      NameOrganization: 'ООО «Расчётный центр»',
      TaxVariant: '0,1,2,4,5',
      AddressSettle: 'г. Энск, ул. Ленина, д. 1',
      PlaceSettle: 'Пункт приёма платежей',
      SenderEmail: '',
      EncryptionMode: false,
      OfflineMode: false,
      AutomaticMode: false,
      AutomaticNumber: '',
      InternetMode: false,
      BSOMode: false,
      ServiceMode: true,
      PrinterAutomatic: false,
      SaleExcisableGoods: false,
      SignOfGambling: false,
      SignOfLottery: false,
      SaleMarking: false,
      SignPawnshop: false,
      SignAssurance: false,
      SignOfAgent: '2,3',
      UrlServerOfd: '',
      PortServerOfd: '',
      NameOFD: '',
      UrlOfd: '',
      InnOfd: '',
      OFD_Error: unsent > 0 ? 'Есть непереданные в ОФД документы' : '',
      OFD_NumErrorDoc: unsent,
      OFD_DateErrorDoc: dotnetLocal(unsent > 0 ? s.ofd.oldestUnsentAt : null),
      KktNumber: s.serialNumber,
      FnNumber: s.fn.number,
      RegNumber: '',
      FN_IsFiscal: true,
      FN_MemOverflowl: false,
      FN_DateStart: '2026-01-01T00:00:00',
      FN_DateEnd: s.fn.validUntil ? `${s.fn.validUntil}T00:00:00` : '0001-01-01T00:00:00',
      FFDVersion: '1.05',
      FFDVersionFN: '1.0',
      FFDVersionKKT: '1.1',
      OnOff: this.active,
      Active: true,
      SessionState: s.shift.state === 'open' ? 2 : s.shift.state === 'expired' ? 3 : 1,
      PaperOver: !s.paperPresent,
      BalanceCash: this.drawerUnknown ? -1 : this.money(s.drawerKop),
      DateTimeKKT: dotnetLocal(new Date().toISOString()),
      Firmware_Status: -1,
      LicenseExpirationDate: '2027-12-31T00:00:00',
    };
  }

  /** One row of `List`, from what KKMServer last read ([U] MenegerServer.List). */
  listEntry(): Record<string, unknown> {
    const s = this.cached;
    return {
      NumDevice: this.numDevice,
      IdDevice: '',
      OnOff: this.active,
      Active: this.active && s !== null && s.connected,
      TypeDevice: 'Фискальный регистратор',
      IdTypeDevice: this.model === 'atol' ? 'KkmAtol' : 'KkmStrihM',
      Firmware_Version: '',
      IP: '',
      Port: '',
      NameDevice: this.name,
      UnitName: this.name,
      KktNumber: s?.serialNumber ?? '',
      INN: '7707083893',
      RegNumber: '',
      FnNumber: s?.fn.number ?? '',
      InnOfd: '',
      NameOrganization: 'ООО «Расчётный центр»',
      AddressSettle: 'г. Энск, ул. Ленина, д. 1',
      TaxVariant: '0,1,2,4,5',
      AddDate: '2026-01-01T00:00:00',
      BSOMode: false,
      ServiceMode: true,
      OFD_Error: '',
      OFD_NumErrorDoc: s?.ofd.unsentCount ?? 0,
      OFD_DateErrorDoc: dotnetLocal(s?.ofd.oldestUnsentAt ?? null),
      FN_DateEnd: s?.fn.validUntil ? `${s.fn.validUntil}T00:00:00` : '0001-01-01T00:00:00',
      FN_MemOverflowl: false,
      FN_IsFiscal: true,
      PaperOver: s ? !s.paperPresent : false,
      FFDVersion: '1.05',
      FFDVersionFN: '1.0',
      FFDVersionKKT: '1.1',
      IsRegisterCheck: true,
    };
  }
}
