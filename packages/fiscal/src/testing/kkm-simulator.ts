/**
 * A KKMServer written from the spec (shared/specs/fiscal-registers.md, section 2) over a virtual
 * register: POST /Execute, IdCommand tracking, GetRezult, errors as Russian text like the real one.
 */
import { rubNumberToKop, type AgentType, type Receipt, type ReceiptItem, type TaxSystem, type VatRate } from '@paydesk/domain';
import { FiscalError, type Cashier, type FiscalErrorCode } from '../port.ts';
import type { VirtualRegister } from '../virtual/virtual-register.ts';
import { str } from '../atol/atol-register.ts';
import { KKM_AGENT_SIGN, KKM_CALCULATION_OBJECT, KKM_TAX, KKM_TAX_VARIANT, type KkmAnswer } from '../kkmserver/kkm-mapping.ts';
import { startJsonServer, type JsonServer } from './http-server.ts';

const ERROR_TEXT: Record<FiscalErrorCode, string> = {
  paper_out: 'Нет бумаги',
  cover_open: 'Открыта крышка принтера',
  shift_expired: 'Смена превысила 24 часа',
  shift_closed: 'Смена закрыта - операция невозможна',
  shift_already_open: 'Смена уже открыта',
  not_enough_cash: 'Недостаточно наличных в кассе',
  not_agent: 'ККТ не зарегистрирована как платежный агент - уберите AgentSign',
  receipt_open: 'Открыт чек - операция невозможна',
  return_exceeds: 'Сумма возврата превышает накопления',
  fn_problem: 'Ошибка ФН: документы не переданы в ОФД',
  unavailable: 'Устройство не отвечает (таймаут)',
  busy: 'Устройство занято',
  outcome_unknown: 'Неизвестное состояние чека',
  rejected: 'Неверные параметры команды',
};

function invert<K extends string, V extends string | number>(map: Record<K, V>): Map<V, K> {
  return new Map(Object.entries(map).map(([k, v]) => [v as V, k as K]));
}
const TAX_VARIANT = invert<TaxSystem, string>(KKM_TAX_VARIANT);
const AGENT = invert<AgentType, number>(KKM_AGENT_SIGN);
const OBJECT = invert<ReceiptItem['paymentObject'], number>(KKM_CALCULATION_OBJECT);
const VAT = invert<VatRate, number>(KKM_TAX);

export interface KkmSimulator extends JsonServer {
  commandsSeen(): Record<string, unknown>[];
}

function cashierOf(cmd: Record<string, unknown>): Cashier {
  const name = str(cmd['CashierName']);
  return typeof cmd['CashierVATIN'] === 'string' ? { name, inn: cmd['CashierVATIN'] } : { name };
}

/** RegisterCheck back into the domain's receipt model. */
export function receiptOfCommand(cmd: Record<string, unknown>): Receipt {
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
      item.agent = { type: AGENT.get(Number(r['AgentSign'])) ?? 'paying_agent', operation: d['PayingAgentOperation'] ?? '', agentPhone: d['PayingAgentPhone'] ?? '', operatorPhone: d['ReceivePaymentsOperatorPhone'] ?? '' };
    }
    const p = r['PurveyorData'] as Record<string, string> | undefined;
    if (p) item.supplier = { name: p['PurveyorName'] ?? '', inn: p['PurveyorVATIN'] ?? '', ...(p['PurveyorPhone'] ? { phone: p['PurveyorPhone'] } : {}) };
    items.push(item);
  }
  const cash = rubNumberToKop(Number(cmd['Cash'] ?? 0));
  const card = rubNumberToKop(Number(cmd['ElectronicPayment'] ?? 0));
  const receipt: Receipt = {
    operationId: String(cmd['IdCommand']),
    kind: Number(cmd['TypeCheck']) === 1 ? 'sale_return' : 'sale',
    taxSystem: TAX_VARIANT.get(String(cmd['TaxVariant'])) ?? 'osn',
    cashier: cashierOf(cmd),
    items,
    payments: { cashKop: cash, cardKop: card },
    totalKop: cash + card,
    headerLines,
  };
  if (typeof cmd['PlaceMarket'] === 'string') receipt.settlementPlace = cmd['PlaceMarket'];
  if (typeof cmd['AddressSettle'] === 'string') receipt.settlementAddress = cmd['AddressSettle'];
  if (typeof cmd['AdditionalAttribute'] === 'string') receipt.additionalAttribute = cmd['AdditionalAttribute'];
  return receipt;
}

export async function startKkmSimulator(device: VirtualRegister, port = 0): Promise<KkmSimulator> {
  const done = new Map<string, KkmAnswer>();
  const seen: Record<string, unknown>[] = [];

  async function execute(cmd: Record<string, unknown>): Promise<KkmAnswer> {
    const id = str(cmd['IdCommand']);
    const base = { Command: String(cmd['Command']), IdCommand: id, Status: 0, Error: '' };
    const s = await device.status();
    switch (cmd['Command']) {
      case 'RegisterCheck': {
        if (cmd['IsFiscalCheck'] === false) {
          const lines = ((cmd['CheckStrings'] ?? []) as { PrintText?: { Text?: string } }[]).map((x) => x.PrintText?.Text ?? '');
          if (lines.every((l) => l === '')) await device.cut();
          else await device.printText(lines);
          return base;
        }
        const r = await device.registerReceipt(receiptOfCommand(cmd));
        return { ...base, CheckNumber: r.documentNumber, SessionNumber: r.shiftNumber, SessionCheckNumber: r.receiptNumber, QRCode: r.qr, URL: 'www.nalog.gov.ru' };
      }
      case 'OpenShift': {
        const d = await device.openShift(id, cashierOf(cmd));
        return { ...base, CheckNumber: d.documentNumber, SessionNumber: d.shiftNumber };
      }
      case 'CloseShift':
      case 'ZReport': {
        const d = await device.closeShift(id, cashierOf(cmd));
        return { ...base, CheckNumber: d.documentNumber, SessionNumber: d.shiftNumber };
      }
      case 'XReport':
        await device.xReport(id, cashierOf(cmd));
        return base;
      case 'DepositingCash':
        await device.cashIn(id, cashierOf(cmd), rubNumberToKop(Number(cmd['Amount'])));
        return base;
      case 'PaymentCash':
        await device.cashOut(id, cashierOf(cmd), rubNumberToKop(Number(cmd['Amount'])));
        return base;
      case 'GetDataCheck':
        await device.reprintLast();
        return base;
      case 'GetDataKKT':
        if (!s.connected) throw new FiscalError('unavailable');
        return {
          ...base,
          SessionNumber: s.shift.number ?? 0,
          Info: {
            KktNumber: s.serialNumber, FnNumber: s.fn.number, RegNumber: '', InnOrganization: '', TaxVariant: '0,1,2,4,5',
            OFD_Error: '', OFD_NumErrorDoc: s.ofd.unsentCount, OFD_DateErrorDoc: s.ofd.oldestUnsentAt ?? '', FN_DateEnd: s.fn.validUntil ?? '',
            SessionState: s.shift.state === 'open' ? 2 : s.shift.state === 'expired' ? 3 : 1, BalanceCash: (s.drawerKop ?? 0) / 100, PaperOver: !s.paperPresent,
          },
        };
      default:
        throw new FiscalError('rejected', `неизвестная команда ${String(cmd['Command'])}`);
    }
  }

  const server = await startJsonServer(async (req) => {
    if (req.method !== 'POST' || req.path !== '/Execute') return { status: 404, body: { Status: 2, Error: 'Нет такого метода' } };
    const cmd = (req.body ?? {}) as Record<string, unknown>;
    seen.push(cmd);
    if (cmd['Command'] === 'GetRezult') {
      const stored = done.get(String(cmd['IdCommand']));
      return { status: 200, body: stored ? { Command: 'GetRezult', Status: 0, Error: '', Rezult: stored } : { Command: 'GetRezult', Status: 3, Error: 'Команда не найдена' } };
    }
    const id = typeof cmd['IdCommand'] === 'string' ? cmd['IdCommand'] : '';
    if (id && done.has(id)) return { status: 200, body: { Command: cmd['Command'], IdCommand: id, Status: 5, Error: '' } };
    let answer: KkmAnswer;
    try {
      answer = await execute(cmd);
    } catch (e) {
      const fe = e instanceof FiscalError ? e : new FiscalError('rejected', (e as Error).message);
      // KKMServer cancels a receipt that failed to close, so none is left open.
      if (fe.code === 'receipt_open') await device.cancelReceipt();
      answer = { Command: String(cmd['Command']), IdCommand: id, Status: 2, Error: ERROR_TEXT[fe.code] };
    }
    if (id) done.set(id, answer);
    return { status: 200, body: answer };
  }, port);

  return { ...server, commandsSeen: () => seen };
}
