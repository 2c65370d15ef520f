/**
 * An ATOL Driver v10 web server written from the spec (shared/specs/fiscal-registers.md, section 1),
 * with a virtual register as its device: the ATOL driver's contract tests, and anyone without a real
 * ATOL, talk to it. Tasks run asynchronously, so clients really poll; uuids are idempotent (409).
 */
import { rubNumberToKop, type AgentType, type Receipt, type ReceiptItem, type TaxSystem, type VatRate } from '@paydesk/domain';
import { FiscalError, type Cashier, type FiscalErrorCode } from '../port.ts';
import type { VirtualRegister } from '../virtual/virtual-register.ts';
import { ATOL_AGENT, ATOL_PAYMENT_OBJECT, ATOL_TAXATION, ATOL_VAT, type AtolTask } from '../atol/atol-mapping.ts';
import { startJsonServer, type JsonServer } from './http-server.ts';

const ATOL_CODES: Record<FiscalErrorCode, number> = {
  shift_closed: 73, shift_expired: 68, shift_already_open: 83, paper_out: 44, cover_open: 45, not_enough_cash: 80,
  receipt_open: 82, unavailable: 2, busy: 55, not_agent: 167, outcome_unknown: 177, rejected: 16, fn_problem: 140, return_exceeds: 53,
};

function invert<K extends string>(map: Record<K, string>): Record<string, K> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [v, k])) as Record<string, K>;
}
const TAX = invert<TaxSystem>(ATOL_TAXATION);
const VAT = invert<VatRate>(ATOL_VAT);
const OBJECT = invert<ReceiptItem['paymentObject']>(ATOL_PAYMENT_OBJECT);
const AGENT = invert<AgentType>(ATOL_AGENT);

interface Entry {
  tasks: AtolTask[];
  results: { status: string; error: { code: number; description: string }; result: unknown }[];
}

export interface AtolSimulatorOptions {
  /** Answer in the older flat shape (errorCode / errorDescription). */
  flatResults?: boolean;
  /** Keep each task "inProgress" this long, so clients must poll. */
  taskMs?: number;
  basicAuth?: { user: string; password: string };
}

export interface AtolSimulator extends JsonServer {
  /** The next task runs on the device, but its status is reported as `blocked`. */
  blockNext(): void;
  requestsSeen(): { uuid: string; tasks: AtolTask[] }[];
}

function cashierOf(task: AtolTask): Cashier {
  const op = (task['operator'] ?? {}) as { name?: string; vatin?: string };
  return op.vatin ? { name: op.name ?? '', inn: op.vatin } : { name: op.name ?? '' };
}

/** ATOL's sell/sellReturn task back into the domain's receipt model. */
export function receiptOfTask(uuid: string, task: AtolTask): Receipt {
  const items: ReceiptItem[] = [];
  const headerLines: string[] = [];
  let additional: string | undefined;
  for (const raw of (task['items'] ?? []) as Record<string, unknown>[]) {
    if (raw['type'] === 'text') headerLines.push(String(raw['text']));
    else if (raw['type'] === 'additionalAttribute') additional = String(raw['value']);
    else if (raw['type'] === 'position') {
      const item: ReceiptItem = {
        name: String(raw['name']),
        priceKop: rubNumberToKop(Number(raw['price'])),
        quantity: Number(raw['quantity']),
        amountKop: rubNumberToKop(Number(raw['amount'])),
        paymentObject: OBJECT[String(raw['paymentObject'])] ?? 'commodity',
        paymentMethod: 'full_payment',
        vat: VAT[String((raw['tax'] as { type?: string } | undefined)?.type)] ?? 'none',
      };
      const agentInfo = raw['agentInfo'] as { agents?: string[]; payingAgent?: { operation?: string; phones?: string[] }; receivePaymentsOperator?: { phones?: string[] } } | undefined;
      if (agentInfo) {
        item.agent = {
          type: AGENT[agentInfo.agents?.[0] ?? ''] ?? 'paying_agent',
          operation: agentInfo.payingAgent?.operation ?? '',
          agentPhone: agentInfo.payingAgent?.phones?.[0] ?? '',
          operatorPhone: agentInfo.receivePaymentsOperator?.phones?.[0] ?? '',
        };
      }
      const supplier = raw['supplierInfo'] as { name?: string; vatin?: string; phones?: string[] } | undefined;
      if (supplier) item.supplier = { name: supplier.name ?? '', inn: supplier.vatin ?? '', ...(supplier.phones?.[0] ? { phone: supplier.phones[0] } : {}) };
      items.push(item);
    }
  }
  const payments = (task['payments'] ?? []) as { type: string | number; sum: number }[];
  const sumOf = (types: (string | number)[]): number => payments.filter((p) => types.includes(p.type)).reduce((s, p) => s + rubNumberToKop(p.sum), 0);
  const receipt: Receipt = {
    operationId: uuid,
    kind: task.type === 'sellReturn' ? 'sale_return' : 'sale',
    taxSystem: TAX[String(task['taxationType'])] ?? 'osn',
    cashier: cashierOf(task),
    items,
    payments: { cashKop: sumOf(['cash', 0]), cardKop: sumOf(['electronically', 1]) },
    totalKop: typeof task['total'] === 'number' ? rubNumberToKop(task['total']) : items.reduce((s, i) => s + i.amountKop, 0),
    headerLines,
  };
  if (typeof task['paymentsPlace'] === 'string') receipt.settlementPlace = task['paymentsPlace'];
  if (typeof task['paymentsAddress'] === 'string') receipt.settlementAddress = task['paymentsAddress'];
  if (additional) receipt.additionalAttribute = additional;
  return receipt;
}

function moscow(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 3 * 3_600_000);
  return `${d.toISOString().slice(0, 19)}+03:00`;
}

function rub(kop: number | null): number {
  return (kop ?? 0) / 100;
}

export async function startAtolSimulator(device: VirtualRegister, options: AtolSimulatorOptions = {}, port = 0): Promise<AtolSimulator> {
  const entries = new Map<string, Entry>();
  const seen: { uuid: string; tasks: AtolTask[] }[] = [];
  let block = 0;

  async function execute(uuid: string, task: AtolTask): Promise<unknown> {
    const s = await device.status();
    switch (task.type) {
      case 'sell':
      case 'sellReturn': {
        const r = await device.registerReceipt(receiptOfTask(uuid, task));
        return {
          fiscalParams: {
            fiscalDocumentDateTime: moscow(r.at), fiscalDocumentNumber: r.documentNumber, fiscalDocumentSign: r.fiscalSign, fiscalReceiptNumber: r.receiptNumber,
            fnNumber: r.fnNumber, registrationNumber: r.registrationNumber, shiftNumber: r.shiftNumber, total: rub(r.totalKop), fnsUrl: 'www.nalog.gov.ru',
          },
          warnings: r.printed ? null : { notPrinted: true },
        };
      }
      case 'openShift': {
        const d = await device.openShift(uuid, cashierOf(task));
        return { fiscalParams: { fiscalDocumentDateTime: moscow(d.at), fiscalDocumentNumber: d.documentNumber, shiftNumber: d.shiftNumber, fnNumber: s.fn.number }, warnings: null };
      }
      case 'closeShift': {
        const d = await device.closeShift(uuid, cashierOf(task));
        return { fiscalParams: { fiscalDocumentDateTime: moscow(d.at), fiscalDocumentNumber: d.documentNumber, shiftNumber: d.shiftNumber, receiptsCount: (d.totals?.sales.count ?? 0) + (d.totals?.returns.count ?? 0) }, warnings: null };
      }
      case 'reportX':
        await device.xReport(uuid, cashierOf(task));
        return null;
      case 'cashIn':
      case 'cashOut': {
        const amount = rubNumberToKop(Number(task['cashSum']));
        const r = task.type === 'cashIn' ? await device.cashIn(uuid, cashierOf(task), amount) : await device.cashOut(uuid, cashierOf(task), amount);
        return { counters: { cashSum: rub(r.drawerKop) } };
      }
      case 'cancelReceipt':
        await device.cancelReceipt();
        return null;
      case 'continuePrint':
        await device.continuePrint();
        return null;
      case 'printLastReceiptCopy':
        await device.reprintLast();
        return null;
      case 'printFnDocument':
        await device.reprintDocument(Number(task['fiscalDocumentNumber']));
        return null;
      case 'nonFiscal': {
        const lines = ((task['items'] ?? []) as { text?: string }[]).map((i) => i.text ?? '');
        if (lines.every((l) => l === '')) await device.cut();
        else await device.printText(lines);
        return null;
      }
      case 'getShiftTotals': {
        const t = await device.shiftTotals();
        return {
          shiftTotals: {
            shiftNumber: t.shiftNumber,
            cashDrawer: { sum: rub(t.drawerKop) },
            income: { sum: rub(t.cashInKop) },
            outcome: { sum: rub(t.cashOutKop) },
            receipts: {
              sell: { sum: rub(t.sales.cashKop + t.sales.cardKop), count: t.sales.count, payments: { cash: rub(t.sales.cashKop), electronically: rub(t.sales.cardKop) } },
              sellReturn: { sum: rub(t.returns.cashKop + t.returns.cardKop), count: t.returns.count, payments: { cash: rub(t.returns.cashKop), electronically: rub(t.returns.cardKop) } },
            },
          },
        };
      }
      case 'getDeviceStatus':
        if (!s.connected) throw new FiscalError('unavailable');
        return { deviceStatus: { currentDateTime: moscow(new Date().toISOString()), shift: s.shift.state === 'closed' ? 'closed' : 'opened', blocked: false, coverOpened: s.coverOpen, paperPresent: s.paperPresent, fiscal: true, fnFiscal: true, fnPresent: true, cashDrawerOpened: false, receiptOpened: s.receiptOpen } };
      case 'getShiftStatus':
        return { shiftStatus: { number: s.shift.number ?? 0, state: s.shift.state === 'open' ? 'opened' : s.shift.state, expiredTime: s.shift.expiresAt ? moscow(s.shift.expiresAt) : null, documentsCount: 0 } };
      case 'ofdExchangeStatus':
        return { status: { notSentCount: s.ofd.unsentCount, notSentFirstDocDateTime: s.ofd.oldestUnsentAt ? moscow(s.ofd.oldestUnsentAt) : null } };
      case 'getFnInfo':
        return { fnInfo: { serial: s.fn.number, validityDate: s.fn.validUntil ? `${s.fn.validUntil}T00:00:00+03:00` : null, warnings: Object.fromEntries(s.fn.warnings.map((w) => [w, true])) } };
      case 'getDeviceInfo':
        return { deviceInfo: { model: 67, modelName: 'АТОЛ (симулятор)', serial: s.serialNumber, firmwareVersion: '5.8', receiptLineLength: 42, ffdVersion: '1.2' } };
      case 'getFnStatus':
        return { fnStatus: { fiscalDocumentNumber: s.lastDocumentNumber ?? 0, fiscalReceiptNumber: 0 } };
      default:
        throw new FiscalError('rejected', `неизвестная задача ${task.type}`, 503);
    }
  }

  async function process(uuid: string, entry: Entry): Promise<void> {
    for (let i = 0; i < entry.tasks.length; i++) {
      const slot = entry.results[i];
      if (!slot) continue;
      slot.status = 'inProgress';
      if (options.taskMs) await new Promise((r) => setTimeout(r, options.taskMs));
      try {
        slot.result = await execute(uuid, entry.tasks[i] as AtolTask);
        slot.status = 'ready';
        if (block > 0) {
          block--;
          slot.status = 'blocked';
        }
      } catch (e) {
        const fe = e instanceof FiscalError ? e : new FiscalError('rejected', (e as Error).message);
        const code = typeof fe.vendorCode === 'number' ? fe.vendorCode : ATOL_CODES[fe.code];
        slot.status = fe.code === 'outcome_unknown' ? 'blocked' : 'error';
        slot.error = { code, description: fe.message };
        for (const rest of entry.results.slice(i + 1)) {
          rest.status = 'interrupted';
          rest.error = { code: 502, description: 'Прервано из-за предыдущих ошибок' };
        }
        return;
      }
    }
  }

  function shape(entry: Entry): unknown {
    if (!options.flatResults) return { results: entry.results };
    return { results: entry.results.map((r) => ({ status: r.status, errorCode: r.error.code, errorDescription: r.error.description, result: r.result })) };
  }

  const server = await startJsonServer(async (req) => {
    if (options.basicAuth) {
      const expected = `Basic ${Buffer.from(`${options.basicAuth.user}:${options.basicAuth.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return { status: 401, body: { error: { code: 401, description: 'Unauthorized' } } };
    }
    const path = req.path.split('?')[0] ?? '';
    if (req.method === 'POST' && path === '/api/v2/requests') {
      const body = req.body as { uuid?: unknown; request?: unknown };
      if (typeof body?.uuid !== 'string' || body.uuid === '') return { status: 400, body: { error: { code: 501, description: 'Нет uuid' } } };
      const tasks = (Array.isArray(body.request) ? body.request : [body.request]) as AtolTask[];
      if (tasks.some((t) => typeof t?.type !== 'string')) return { status: 400, body: { error: { code: 501, description: 'Неверное задание' } } };
      if (entries.has(body.uuid)) return { status: 409, body: { error: { code: 409, description: 'Задание с таким uuid уже существует' } } };
      const entry: Entry = { tasks, results: tasks.map(() => ({ status: 'wait', error: { code: 0, description: 'Ошибок нет' }, result: null })) };
      entries.set(body.uuid, entry);
      seen.push({ uuid: body.uuid, tasks });
      const run = process(body.uuid, entry);
      if (!options.taskMs) await run;
      return { status: 201, body: null };
    }
    const m = /^\/api\/v2\/requests\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && m) {
      const entry = entries.get(decodeURIComponent(m[1] ?? ''));
      if (!entry) return { status: 404, body: { error: { code: 404, description: 'Задание не найдено' } } };
      return { status: 200, body: shape(entry) };
    }
    return { status: 404, body: { error: { code: 404, description: 'Нет такого метода' } } };
  }, port);

  return {
    ...server,
    blockNext: () => {
      block++;
    },
    requestsSeen: () => seen,
  };
}
