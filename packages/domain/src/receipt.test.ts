import { describe, expect, it } from 'vitest';
import {
  composeBillingReceipt,
  periodsText,
  composeReturnReceipt,
  composeServiceReceipt,
  composeThirdPartyReceipt,
  fnsQrString,
  itemAmount,
  validateReceipt,
  type AgentProfile,
  type ReceiptContext,
  type SupplierData,
} from './receipt.ts';

const ctx: ReceiptContext = {
  operationId: '0190f0d6-3c1e-7a00-8000-000000000001',
  taxSystem: 'usn_income',
  cashier: { name: 'Кассир Иванова А.А.' },
  method: 'cash',
  settlementAddress: 'г. Энск, ул. Ленина, 1',
  settlementPlace: 'Пункт приёма платежей',
};
const agent: AgentProfile = { type: 'paying_agent', operation: 'Прием платежа', agentPhone: '+78001000000', operatorPhone: '+78001000000' };
const uk = { name: 'ООО "УК Дом"', inn: '7707083893', phone: '+74950000000' };
const water = { name: 'МУП "Водоканал"', inn: '500100732259' };

describe('receipts', () => {
  it('a utility payment with two suppliers and a commission', () => {
    const r = composeBillingReceipt(ctx, agent, {
      accountNumber: '1234567',
      address: 'ул. Ленина, д. 10, кв. 5',
      commissionKop: 15_00,
      lines: [
        { serviceName: 'Содержание жилья', period: '2026-10', amountKop: 1_000_00, supplier: uk },
        { serviceName: 'Холодная вода', period: '2026-10', amountKop: 500_00, supplier: water },
        { serviceName: 'Холодная вода', period: '2026-10', amountKop: 12_34, penalty: true, supplier: water },
        { serviceName: 'Отопление', period: '2026-10', amountKop: 0, supplier: uk },
      ],
    });
    expect(validateReceipt(r)).toEqual([]);
    expect(r.totalKop).toBe(1_527_34);
    expect(r.payments).toEqual({ cashKop: 1_527_34, cardKop: 0 });
    // One ПЛАТЁЖ per supplier: the water's charge and its penalty are one item, the penalty said in its name.
    expect(r.items.map((i) => [i.paymentObject, i.amountKop, i.supplier?.inn])).toEqual([
      ['payment', 1_000_00, '7707083893'],
      ['payment', 512_34, '500100732259'],
      ['agent_commission', 15_00, undefined],
    ]);
    expect(r.items[0]!.name).toBe('Оплата ЖКУ, л/с 1234567, за 10.2026: Содержание жилья');
    expect(r.items[1]!.name).toBe('Оплата ЖКУ, л/с 1234567, за 10.2026, в т.ч. пени 12,34 ₽: Холодная вода');
    expect(r.items[0]!.agent).toEqual({
      type: 'paying_agent',
      operation: 'Прием платежа',
      agentPhone: '+78001000000',
      operatorPhone: '+78001000000',
    });
    expect(r.items[2]!.agent).toBeUndefined();
  });

  it('an old debt of seven services over two years is one item per supplier, its months as a run (not 470 lines of tape)', () => {
    const months = Array.from({ length: 24 }, (_, i) => `${2025 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}` as const);
    const services: [string, SupplierData][] = [
      ['Содержание жилья', uk],
      ['Текущий ремонт', uk],
      ['Отопление', uk],
      ['Холодная вода', water],
      ['Водоотведение', water],
      ['Горячая вода', water],
      ['Вывоз ТКО', uk],
    ];
    const lines = months.flatMap((period) =>
      services.flatMap(([serviceName, supplier]) => [
        { serviceName, period, amountKop: 100_00, supplier },
        { serviceName, period, amountKop: 1_00, penalty: true, supplier },
      ]),
    );
    const r = composeBillingReceipt(ctx, agent, { accountNumber: '1234567', commissionKop: 0, lines });
    expect(validateReceipt(r)).toEqual([]);
    expect(r.items).toHaveLength(2);
    expect(r.totalKop).toBe(24 * 7 * 101_00);
    expect(r.items[0]!.name).toMatch(/^Оплата ЖКУ, л\/с 1234567, за 01\.2025–12\.2026, в т\.ч\. пени 96,00 ₽: Содержание жилья, /);
    expect(r.items.every((i) => i.name.length <= 128)).toBe(true);
  });

  it('months in a receipt line: one, a few apart, runs', () => {
    expect(periodsText(['2026-10'])).toBe('10.2026');
    expect(periodsText(['2026-11', '2026-09'])).toBe('09.2026, 11.2026');
    expect(periodsText(['2026-10', '2026-11'])).toBe('10.2026, 11.2026');
    expect(periodsText(['2025-11', '2025-12', '2026-01', '2026-03'])).toBe('11.2025–01.2026, 03.2026');
  });

  it('a third-party payment names the provider as supplier; card pays by card', () => {
    const r = composeThirdPartyReceipt(
      { ...ctx, method: 'card' },
      { ...agent, type: 'paying_subagent' },
      {
        providerName: 'МТС',
        accountLabel: 'Телефон',
        account: '+79161112233',
        principalKop: 300_00,
        commissionKop: 6_00,
        supplier: { name: 'ПАО "МТС"', inn: '7740000076', phone: '+78002500890' },
      },
    );
    expect(validateReceipt(r)).toEqual([]);
    expect(r.payments).toEqual({ cashKop: 0, cardKop: 306_00 });
    expect(r.items[0]!.agent?.type).toBe('paying_subagent');
  });

  it('contract services are the agent’s own УСЛУГА items', () => {
    const r = composeServiceReceipt(ctx, [
      { name: 'Ксерокопия А4', priceKop: 15_00, quantity: 3, vat: 'none' },
      { name: 'Вызов сантехника', priceKop: 500_00, quantity: 1, vat: 'vat20' },
    ]);
    expect(validateReceipt(r)).toEqual([]);
    expect(r.totalKop).toBe(545_00);
    expect(r.items.every((i) => i.paymentObject === 'service' && !i.agent)).toBe(true);
    expect(itemAmount(333, 1.5)).toBe(500);
  });

  it('a return mirrors the original and cites its document', () => {
    const original = composeBillingReceipt(ctx, agent, {
      accountNumber: '1',
      commissionKop: 0,
      lines: [{ serviceName: 'Вода', period: '2026-10', amountKop: 100_00, supplier: water }],
    });
    const ret = composeReturnReceipt(original, { documentNumber: 49, fiscalSign: '2403680979' }, 'op-2', { name: 'Старший кассир' });
    expect(ret.kind).toBe('sale_return');
    expect(ret.items).toEqual(original.items);
    expect(ret.totalKop).toBe(original.totalKop);
    expect(ret.additionalAttribute).toBe('Возврат ФД 49 ФП 2403680979');
    expect(validateReceipt(ret)).toEqual([]);
  });

  it('finds what a register would refuse', () => {
    const good = composeBillingReceipt(ctx, agent, {
      accountNumber: '1',
      commissionKop: 1_00,
      lines: [{ serviceName: 'Вода', period: '2026-10', amountKop: 100_00, supplier: water }],
    });
    const codes = (r: typeof good): string[] => validateReceipt(r).map((p) => p.code);
    const noInn = structuredClone(good);
    noInn.items[0]!.supplier = { name: 'X', inn: '' };
    expect(codes(noInn)).toContain('receipt.supplier_inn_invalid');
    const badChecksum = structuredClone(good);
    badChecksum.items[0]!.supplier!.inn = '7707083894';
    expect(codes(badChecksum)).toContain('receipt.supplier_inn_invalid');
    const foreign = structuredClone(good);
    foreign.items[0]!.supplier!.inn = '000000000000';
    expect(codes(foreign)).toEqual([]);
    const noSupplier = structuredClone(good);
    delete noSupplier.items[0]!.supplier;
    expect(codes(noSupplier)).toContain('receipt.agent_without_supplier');
    const wrongTotal = structuredClone(good);
    wrongTotal.totalKop += 1;
    expect(codes(wrongTotal)).toEqual(expect.arrayContaining(['receipt.total_mismatch', 'receipt.payments_mismatch']));
    const wrongItem = structuredClone(good);
    wrongItem.items[0]!.amountKop += 1;
    expect(codes(wrongItem)).toContain('receipt.item_amount_mismatch');
    const commissionWithSupplier = structuredClone(good);
    commissionWithSupplier.items[1]!.supplier = water;
    expect(codes(commissionWithSupplier)).toContain('receipt.commission_with_supplier');
    const badPhone = structuredClone(good);
    badPhone.items[0]!.agent!.agentPhone = '8 800';
    expect(codes(badPhone)).toContain('receipt.agent_data_invalid');
    expect(codes({ ...good, items: [], totalKop: 0, payments: { cashKop: 0, cardKop: 0 } })).toContain('receipt.no_items');
  });

  it('builds the ФНС QR string', () => {
    expect(
      fnsQrString({
        at: new Date('2026-11-28T09:05:00Z'),
        totalKop: 1_527_34,
        fnNumber: '9999078900000961',
        documentNumber: 49,
        fiscalSign: '2403680979',
        kind: 'sale',
      }),
    ).toBe('t=20261128T1205&s=1527.34&fn=9999078900000961&i=49&fp=2403680979&n=1');
  });
});
