/**
 * Each kind of register operation: the register call, and what it journals once done — the sync op
 * body and the local effects the cashier should see at once (the account's debt, a reversed mark).
 */
import type { Receipt } from '@paydesk/domain';
import type { Cashier, CloseShiftResult, FiscalRegister, FiscalResult, ShiftDocument } from '@paydesk/fiscal';
import type { OpBody, ShiftTotals } from '@paydesk/protocol';
import type { JournalDb } from '../../db/journal-db.ts';
import { localIso } from '../../clock.ts';
import type { FiscalRunner, OperationRow } from './fiscal-runner.ts';
import type { PreparedPayment } from '../payments/prepare.ts';
import { done, notDone, statusOf, unknown, type DeviceMarks, type Verdict } from './settle.ts';

export interface KindsContext {
  db: JournalDb;
  timeZone: () => string;
  /** Asked right before a return receipt (the server: already reversed? held out of forwarding?). */
  beforeRefund?: (reversal: OperationRow) => Promise<void>;
  /** Charges the card of a card payment, right before its receipt (features/card). */
  chargeCard?: (payment: OperationRow) => Promise<void>;
  /** Returns a card payment's money to the card, right before the return receipt. */
  refundCard?: (reversal: OperationRow) => Promise<void>;
  /** A card payment's approval, for the op the server keeps. */
  cardOf?: (opId: string) => OpBody<'payment.accepted'>['card'];
}

function fiscalAttrs(r: FiscalResult, row: OperationRow): OpBody<'payment.accepted'>['fiscal'] {
  const f: OpBody<'payment.accepted'>['fiscal'] = {
    documentNumber: r.documentNumber,
    fiscalSign: r.fiscalSign || '0',
    shiftNumber: r.shiftNumber > 0 ? r.shiftNumber : 1,
    receiptNumber: r.receiptNumber,
    at: r.at,
  };
  if (r.fnNumber) f.fnNumber = r.fnNumber.slice(0, 16);
  if (r.registrationNumber) f.registrationNumber = r.registrationNumber.slice(0, 20);
  if (r.qr) f.qr = r.qr.slice(0, 200);
  if (row.settled_by) f.settledBy = row.settled_by;
  return f;
}

/** The cashier as the register must print them: name (1021) and INN (1203). */
function cashierOf(row: OperationRow): Cashier {
  return row.cashier_inn ? { name: row.cashier_name, inn: row.cashier_inn } : { name: row.cashier_name };
}

/** A shift operation happened when the shift state moved as it would; stayed put, it did not. */
async function settleShift(register: FiscalRegister, row: OperationRow, before: DeviceMarks | null, opening: boolean): Promise<Verdict> {
  const s = await statusOf(register);
  const was = before?.shift;
  if (!was) return unknown('состояние смены до операции не записано');
  const nowOpen = s.shift.state !== 'closed';
  const at = s.shift.openedAt ?? new Date().toISOString();
  if (opening) {
    if (nowOpen && was.state === 'closed' && s.shift.number !== null && s.shift.number !== was.number) {
      return done({
        operationId: row.op_id,
        shiftNumber: s.shift.number,
        documentNumber: s.lastDocumentNumber ?? 0,
        at,
      } satisfies ShiftDocument);
    }
    if (!nowOpen && s.shift.number === was.number) return notDone('смена в ККТ по-прежнему закрыта');
    return unknown(`смена в ККТ: ${s.shift.state}, номер ${s.shift.number ?? '—'}`);
  }
  if (!nowOpen && was.state !== 'closed') {
    const counted = before?.shiftTotals;
    return done({
      operationId: row.op_id,
      shiftNumber: was.number ?? 0,
      documentNumber: s.lastDocumentNumber ?? 0,
      at: new Date().toISOString(),
      totals: counted && counted.shiftNumber === was.number ? counted : null,
    } satisfies CloseShiftResult);
  }
  if (nowOpen && s.shift.number === was.number) return notDone('смена в ККТ по-прежнему открыта');
  return unknown(`смена в ККТ: ${s.shift.state}, номер ${s.shift.number ?? '—'}`);
}

/** A cash move happened when the drawer counter moved by exactly its amount; unmoved, it did not. */
async function settleCash(register: FiscalRegister, row: OperationRow, before: DeviceMarks | null, sign: 1 | -1): Promise<Verdict> {
  const s = await statusOf(register);
  const was = before?.drawerKop;
  if (was === null || was === undefined || s.drawerKop === null) return unknown('ККТ не сообщает, сколько наличных в ящике');
  const amount = row.total_kop ?? 0;
  if (s.drawerKop === was + sign * amount) return done({ drawerKop: s.drawerKop });
  if (s.drawerKop === was) return notDone('наличные в ящике ККТ не изменились');
  return unknown(`наличные в ящике ККТ изменились на ${(s.drawerKop - was) / 100} ₽, а не на ${(sign * amount) / 100} ₽`);
}

function receiptOf(row: OperationRow): Receipt {
  return JSON.parse(row.receipt ?? 'null') as Receipt;
}

export function registerKinds(runner: FiscalRunner, ctx: KindsContext): void {
  const addLocalCharges = ctx.db.prepare(
    'INSERT OR IGNORE INTO local_charges (op_id, account_number, service_code, period, paid_kop, paid_penalty_kop) VALUES (?, ?, ?, ?, ?, ?)',
  );

  const paymentBase = (row: OperationRow, p: PreparedPayment, r: FiscalResult) => ({
    cashierId: row.cashier_id,
    shiftNumber: r.shiftNumber > 0 ? r.shiftNumber : (row.shift_number ?? 1),
    number: row.number ?? row.op_id.slice(0, 8),
    acceptedAt: localIso(new Date(row.created_at), ctx.timeZone()),
    method: p.method,
    ...(p.tenderedKop !== null ? { tenderedKop: p.tenderedKop } : {}),
    totalKop: p.totalKop,
    commissionKop: p.commissionKop,
    fiscal: fiscalAttrs(r, row),
    ...(p.method === 'card' && ctx.cardOf?.(row.op_id) ? { card: ctx.cardOf(row.op_id) } : {}),
  });

  const sale = {
    receipt: 'sale' as const,
    beforeCall: async (row: OperationRow) => {
      if (row.method === 'card') await ctx.chargeCard?.(row);
    },
    call: (register: FiscalRegister, row: OperationRow) => register.registerReceipt(receiptOf(row)),
  };

  runner.handle('billing', {
    ...sale,
    finalize(row, result) {
      const p = JSON.parse(row.request) as PreparedPayment;
      const r = result as FiscalResult;
      const base = paymentBase(row, p, r);
      const lines = (p.lines ?? []).map((l) => ({
        serviceCode: l.serviceCode,
        period: l.period,
        amountKop: l.amountKop,
        penaltyKop: l.penaltyKop,
        commissionKop: l.commissionKop,
        ...(l.supplierId ? { supplierId: l.supplierId } : {}),
      }));
      for (const l of lines) addLocalCharges.run(row.op_id, p.accountNumber, l.serviceCode, l.period, l.amountKop, l.penaltyKop);
      const body: OpBody<'payment.accepted'> = { ...base, accountNumber: p.accountNumber as string, lines };
      return { type: 'payment.accepted', body };
    },
  });

  runner.handle('thirdparty', {
    ...sale,
    finalize(row, result) {
      const p = JSON.parse(row.request) as PreparedPayment;
      const base = paymentBase(row, p, result as FiscalResult);
      const body: OpBody<'thirdparty.accepted'> = {
        ...base,
        providerCode: p.providerCode as string,
        account: p.account as string,
        amountKop: p.amountKop as number,
        ...(p.check ? { check: p.check } : {}),
        ...(p.checkSkippedOffline ? { checkSkippedOffline: true } : {}),
      };
      return { type: 'thirdparty.accepted', body };
    },
  });

  runner.handle('service', {
    ...sale,
    finalize(row, result) {
      const p = JSON.parse(row.request) as PreparedPayment;
      const base = paymentBase(row, p, result as FiscalResult);
      const body: OpBody<'service.sold'> = { ...base, items: p.items ?? [] };
      return { type: 'service.sold', body };
    },
  });

  runner.handle('reversal', {
    receipt: 'sale_return',
    beforeCall: async (row) => {
      await ctx.beforeRefund?.(row);
      // Money goes back the way it came: a card payment's to the card, through the terminal.
      if (row.method === 'card') await ctx.refundCard?.(row);
    },
    call: (register, row) => register.registerReceipt(receiptOf(row)),
    finalize(row, result) {
      const req = JSON.parse(row.request) as { originalOpId: string; reason: string; approvedBy?: string };
      const r = result as FiscalResult;
      ctx.db.prepare('UPDATE operations SET reversed_by = ? WHERE op_id = ? AND reversed_by IS NULL').run(row.op_id, req.originalOpId);
      // The debt comes back on the account as the cashier sees it.
      const original = ctx.db.prepare('SELECT request, account_number FROM operations WHERE op_id = ?').get(req.originalOpId) as
        { request: string; account_number: string | null } | undefined;
      if (original?.account_number) {
        for (const l of (JSON.parse(original.request) as PreparedPayment).lines ?? [])
          addLocalCharges.run(row.op_id, original.account_number, l.serviceCode, l.period, -l.amountKop, -l.penaltyKop);
      }
      const body: OpBody<'payment.reversed'> = {
        cashierId: row.cashier_id,
        shiftNumber: r.shiftNumber > 0 ? r.shiftNumber : (row.shift_number ?? 1),
        originalOpId: req.originalOpId,
        reason: req.reason,
        reversedAt: localIso(new Date(row.created_at), ctx.timeZone()),
        ...(req.approvedBy ? { approvedBy: req.approvedBy } : {}),
        method: (row.method as 'cash' | 'card' | null) ?? 'cash',
        amountKop: row.total_kop ?? r.totalKop,
        fiscal: fiscalAttrs(r, row),
      };
      return { type: 'payment.reversed', body };
    },
  });

  // Correction receipts: no card is charged or refunded (the money changed hands before), one document each.
  for (const kind of ['correction', 'correction_return'] as const) {
    runner.handle(kind, {
      receipt: kind === 'correction' ? 'sale' : 'sale_return',
      call: (register, row) => register.registerReceipt(receiptOf(row)),
      finalize(row, result) {
        const req = JSON.parse(row.request) as {
          direction: 'income' | 'return';
          correctionType: 'self' | 'instruction';
          baseDate: string;
          baseNumber: string;
          description: string;
          method: 'cash' | 'card';
          supplierId?: string;
          approvedBy: string;
        };
        const r = result as FiscalResult;
        const body: OpBody<'correction.made'> = {
          cashierId: row.cashier_id,
          shiftNumber: r.shiftNumber > 0 ? r.shiftNumber : (row.shift_number ?? 1),
          number: row.number ?? row.op_id.slice(0, 8),
          madeAt: localIso(new Date(row.created_at), ctx.timeZone()),
          direction: req.direction,
          correctionType: req.correctionType,
          baseDate: req.baseDate,
          baseNumber: req.baseNumber,
          description: req.description,
          method: req.method,
          totalKop: row.total_kop ?? r.totalKop,
          ...(req.supplierId ? { supplierId: req.supplierId } : {}),
          approvedBy: req.approvedBy,
          fiscal: fiscalAttrs(r, row),
        };
        return { type: 'correction.made', body };
      },
    });
  }

  runner.handle('shift_open', {
    call: (register, row) => register.openShift(row.op_id, cashierOf(row)),
    settle: (register, row, before) => settleShift(register, row, before, true),
    finalize(row, result) {
      const d = result as ShiftDocument;
      const req = JSON.parse(row.request) as { openingFloatKop: number };
      const body: OpBody<'shift.opened'> = {
        cashierId: row.cashier_id,
        shiftNumber: d.shiftNumber,
        openedAt: localIso(new Date(d.at), ctx.timeZone()),
        openingFloatKop: req.openingFloatKop,
        ...(d.documentNumber > 0 ? { fiscalDocumentNumber: d.documentNumber } : {}),
      };
      return { type: 'shift.opened', body };
    },
  });

  runner.handle('shift_close', {
    call: (register, row) => register.closeShift(row.op_id, cashierOf(row)),
    marksTotals: true,
    settle: (register, row, before) => settleShift(register, row, before, false),
    finalize(row, result) {
      const d = result as CloseShiftResult;
      const req = JSON.parse(row.request) as { journalTotals: ShiftTotals; unsentCount: number };
      const registerTotals: ShiftTotals = d.totals
        ? {
            sales: d.totals.sales,
            returns: d.totals.returns,
            cashInKop: d.totals.cashInKop,
            cashOutKop: d.totals.cashOutKop,
            drawerKop: d.totals.drawerKop,
          }
        : req.journalTotals;
      const body: OpBody<'shift.closed'> = {
        cashierId: row.cashier_id,
        shiftNumber: d.shiftNumber > 0 ? d.shiftNumber : (row.shift_number ?? 1),
        closedAt: localIso(new Date(d.at), ctx.timeZone()),
        ...(d.documentNumber > 0 ? { fiscalDocumentNumber: d.documentNumber } : {}),
        registerTotals,
        journalTotals: req.journalTotals,
        unsentCount: req.unsentCount,
      };
      return { type: 'shift.closed', body };
    },
  });

  for (const kind of ['cash_in', 'cash_out'] as const) {
    runner.handle(kind, {
      call: (register, row) =>
        kind === 'cash_in'
          ? register.cashIn(row.op_id, cashierOf(row), row.total_kop ?? 0)
          : register.cashOut(row.op_id, cashierOf(row), row.total_kop ?? 0),
      settle: (register, row, before) => settleCash(register, row, before, kind === 'cash_in' ? 1 : -1),
      finalize(row) {
        const req = JSON.parse(row.request) as { comment?: string };
        const body: OpBody<'cash.in'> = {
          cashierId: row.cashier_id,
          shiftNumber: row.shift_number ?? 1,
          amountKop: row.total_kop ?? 0,
          at: localIso(new Date(row.created_at), ctx.timeZone()),
          ...(req.comment ? { comment: req.comment } : {}),
        };
        return { type: kind === 'cash_in' ? 'cash.in' : 'cash.out', body };
      },
    });
  }
}
