/**
 * The contract every fiscal register driver must keep, run against the virtual register directly and
 * against the ATOL and KKMServer drivers through their protocol simulators. Each test gets a fresh
 * device, so no test depends on another's state.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  composeBillingReceipt,
  composeCorrectionReceipt,
  composeReturnReceipt,
  composeServiceReceipt,
  type AgentType,
  type Receipt,
} from '@paydesk/domain';
import { FiscalError, type FiscalRegister } from '../port.ts';
import type { VirtualRegister } from '../virtual/virtual-register.ts';
import type { FakeClock } from './clock.ts';

export interface ContractHarness {
  register: FiscalRegister;
  device: VirtualRegister;
  clock: FakeClock;
  /** The next receipt is fiscalised by the device but its answer never reaches the driver. */
  loseNextAnswer(): void;
  /** The device stops answering (its server is gone, or the device is off). */
  cutLink(): Promise<void>;
  capabilities: {
    /** The driver reads the register's own shift totals. */
    totals: boolean;
    /** The driver reports drawer cash. */
    drawer: boolean;
    /** The driver reports a receipt fiscalised but not printed. */
    notPrinted: boolean;
    /** The device forgets operation ids (KKMServer): an id it does not hold is unknown, not proof of absence. */
    forgetsOperations?: boolean;
  };
  stop(): Promise<void>;
}

export type HarnessFactory = (options: { agentTypes?: AgentType[] }) => Promise<ContractHarness>;

let seq = 0;
function opId(): string {
  seq++;
  const ms = Date.now().toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${(seq & 0xfff).toString(16).padStart(3, '0')}-8${Math.floor(Math.random() * 0xfff)
    .toString(16)
    .padStart(3, '0')}-${Math.floor(Math.random() * 2 ** 48)
    .toString(16)
    .padStart(12, '0')}`;
}

const cashier = { name: 'Кассир Иванова А.А.', inn: '500100732259' };
const agent = { type: 'paying_agent' as const, operation: 'Прием платежа', agentPhone: '+78001000000', operatorPhone: '+78001000001' };
const uk = { name: 'ООО "УК Дом"', inn: '7707083893', phone: '+74950000000' };
const water = { name: 'МУП "Водоканал"', inn: '500100732259' };

export function utilityReceipt(method: 'cash' | 'card' = 'cash', amountKop = 1_000_00): Receipt {
  return composeBillingReceipt(
    {
      operationId: opId(),
      taxSystem: 'usn_income',
      cashier,
      method,
      settlementAddress: 'г. Энск, ул. Ленина, 1',
      settlementPlace: 'Пункт приёма платежей',
    },
    agent,
    {
      accountNumber: '1234567',
      address: 'ул. Ленина, д. 10, кв. 5',
      commissionKop: 15_00,
      lines: [
        { serviceName: 'Содержание жилья', period: '2026-10', amountKop, supplier: uk },
        { serviceName: 'Холодная вода', period: '2026-10', amountKop: 500_00, supplier: water },
      ],
    },
  );
}

async function fails(p: Promise<unknown>): Promise<FiscalError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FiscalError) return e;
    throw e;
  }
  throw new Error('expected a FiscalError');
}

export function registerContract(name: string, factory: HarnessFactory): void {
  describe(`fiscal register contract: ${name}`, () => {
    let h: ContractHarness;
    let r: FiscalRegister;
    beforeEach(async () => {
      h = await factory({});
      r = h.register;
    });
    afterEach(async () => {
      await h.stop();
    });

    const open = async (): Promise<void> => {
      await r.openShift(opId(), cashier);
    };

    it('reports status: connected, shift closed, paper in', async () => {
      const s = await r.status();
      expect(s).toMatchObject({ driver: r.driver, connected: true, paperPresent: true });
      expect(s.shift.state).toBe('closed');
    });

    it('refuses a receipt while the shift is closed, and prints nothing', async () => {
      const e = await fails(r.registerReceipt(utilityReceipt()));
      expect(e.code).toBe('shift_closed');
      expect(e.outcome).toBe('not_done');
      expect(h.device.receipts()).toHaveLength(0);
    });

    it('opens a shift once; a second open is refused; the same op id answers the same', async () => {
      const id = opId();
      const first = await r.openShift(id, cashier);
      expect(first.shiftNumber).toBe(1);
      expect(first.documentNumber).toBeGreaterThan(0);
      const again = await r.openShift(id, cashier);
      expect(again.documentNumber).toBe(first.documentNumber);
      expect((await fails(r.openShift(opId(), cashier))).code).toBe('shift_already_open');
      expect((await r.status()).shift).toMatchObject({ state: 'open', number: 1 });
    });

    it('registers an agent receipt with every supplier, and a resend prints nothing new', async () => {
      await open();
      const receipt = utilityReceipt();
      const result = await r.registerReceipt(receipt);
      expect(result).toMatchObject({
        operationId: receipt.operationId,
        kind: 'sale',
        shiftNumber: 1,
        receiptNumber: 1,
        totalKop: 1_515_00,
        printed: true,
      });
      expect(result.fiscalSign).toMatch(/^\d{10}$/);
      expect(result.qr).toContain(`i=${result.documentNumber}`);
      expect(result.qr).toContain('s=1515.00');
      const again = await r.registerReceipt(receipt);
      expect(again.documentNumber).toBe(result.documentNumber);
      expect(h.device.receipts().filter((d) => d.totalKop === 1_515_00)).toHaveLength(1);
      const tape = h.device.documentFor(receipt.operationId)?.tape ?? h.device.documents().at(-1)?.tape ?? '';
      for (const needle of [
        'ПРИХОД',
        'ИНН поставщика: 7707083893',
        'ИНН поставщика: 500100732259',
        'ПЛАТЕЖНЫЙ АГЕНТ',
        'АГЕНТСКОЕ ВОЗНАГРАЖДЕНИЕ',
        'Тел. агента: +78001000000',
        'ИТОГ',
      ]) {
        expect(tape).toContain(needle);
      }
    });

    it('a receipt for the payer’s phone or e-mail carries it to the device (tag 1008)', async () => {
      await open();
      for (const contact of ['+79161112233', 'ivanova.a@mail.ru']) {
        const receipt = { ...utilityReceipt(), operationId: opId(), customerContact: contact };
        await r.registerReceipt(receipt);
        expect(h.device.documentFor(receipt.operationId)?.tape ?? '').toContain(`Эл. адр. покупателя: ${contact}`);
      }
    });

    it('a correction receipt (1173, 1178, 1179) of income and of a return: one document per op id, in the shift totals, a bad basis refused', async () => {
      await open();
      const correction = (direction: 'income' | 'return', type: 'self' | 'instruction', baseNumber: string) =>
        composeCorrectionReceipt(
          { operationId: opId(), taxSystem: 'usn_income', cashier, method: 'cash', settlementAddress: 'г. Энск, ул. Ленина, 1' },
          {
            direction,
            correction: { type, baseDate: '2026-11-30', baseNumber },
            description: 'Приём платежа без чека 30.11.2026',
            amountKop: 250_00,
            agent: { profile: agent, supplier: uk },
          },
        );
      const income = correction('income', 'self', '1');
      const a = await r.registerReceipt(income);
      expect(a).toMatchObject({ kind: 'sale', totalKop: 250_00 });
      const again = await r.registerReceipt(income);
      expect(again.documentNumber).toBe(a.documentNumber);
      const tape = h.device.documentFor(income.operationId)?.tape ?? '';
      for (const needle of [
        'КАССОВЫЙ ЧЕК КОРРЕКЦИИ',
        'ПРИХОД',
        'Тип коррекции: САМОСТОЯТЕЛЬНО',
        'Дата док. основания: 30.11.2026',
        'Номер док. основания: 1',
      ])
        expect(tape).toContain(needle);
      const back = correction('return', 'instruction', 'ПР-77');
      const b = await r.registerReceipt(back);
      expect(b).toMatchObject({ kind: 'sale_return', totalKop: 250_00 });
      expect(h.device.documentFor(back.operationId)?.tape ?? '').toContain('ПО ПРЕДПИСАНИЮ');
      expect(h.device.receipts().filter((d) => d.totalKop === 250_00)).toHaveLength(2);
      if (h.capabilities.totals) {
        const t = await r.shiftTotals();
        expect(t?.sales.cashKop).toBe(250_00);
        expect(t?.returns.cashKop).toBe(250_00);
      }
      // On an instruction the instruction's number is required: refused, nothing fiscalised.
      const before = h.device.receipts().length;
      const bad = correction('income', 'instruction', '');
      const e = await fails(r.registerReceipt(bad));
      expect(e.outcome).toBe('not_done');
      expect(h.device.receipts()).toHaveLength(before);
    });

    it('a receipt sent electronically only (the payer asked, the point allows): fiscalised without paper, nothing waits to print', async () => {
      await open();
      h.device.setPaper(false);
      const receipt = { ...utilityReceipt(), operationId: opId(), customerContact: '+79161112233', electronicOnly: true };
      const result = await r.registerReceipt(receipt);
      expect(result.documentNumber).toBeGreaterThan(0);
      expect(result.printed).not.toBe(false);
      expect(h.device.documentFor(receipt.operationId)?.tape ?? '').toContain('ОТПРАВЛЕН В ЭЛЕКТРОННОЙ ФОРМЕ');
      expect((await r.status()).pendingPrint ?? false).toBe(false);
      // An ordinary receipt still needs paper.
      const e = await fails(r.registerReceipt({ ...utilityReceipt(), operationId: opId() }));
      expect(e.code).toBe('paper_out');
      h.device.setPaper(true);
    });

    it('cash in and cash out; cash out above the drawer is refused', async () => {
      await open();
      const cashIn = await r.cashIn(opId(), cashier, 5_000_00);
      if (h.capabilities.drawer) expect(cashIn.drawerKop).toBe(5_000_00);
      await r.registerReceipt(utilityReceipt('cash'));
      const out = await r.cashOut(opId(), cashier, 1_000_00);
      if (h.capabilities.drawer) expect(out.drawerKop).toBe(5_000_00 + 1_515_00 - 1_000_00);
      const e = await fails(r.cashOut(opId(), cashier, 100_000_00));
      expect(e.code).toBe('not_enough_cash');
    });

    it('paper out before printing: refused, nothing fiscalised, works once paper is loaded', async () => {
      await open();
      h.device.injectFault({ kind: 'paper_out_before' });
      const receipt = utilityReceipt();
      const e = await fails(r.registerReceipt(receipt));
      expect(e.code).toBe('paper_out');
      expect(e.outcome).toBe('not_done');
      expect(h.device.receipts()).toHaveLength(0);
      expect((await r.status()).paperPresent).toBe(false);
      h.device.setPaper(true);
      const result = await r.registerReceipt(receipt);
      expect(result.documentNumber).toBeGreaterThan(0);
      expect(h.device.receipts()).toHaveLength(1);
    });

    it('paper out after fiscalisation: one receipt, finished by continuePrint', async () => {
      await open();
      h.device.injectFault({ kind: 'paper_out_after' });
      const receipt = utilityReceipt();
      const result = await r.registerReceipt(receipt);
      if (h.capabilities.notPrinted) expect(result.printed).toBe(false);
      expect(h.device.receipts()).toHaveLength(1);
      h.device.setPaper(true);
      await r.continuePrint();
      if (h.capabilities.notPrinted) expect(h.device.documentFor(receipt.operationId)?.printed).toBe(true);
      expect((await r.registerReceipt(receipt)).documentNumber).toBe(result.documentNumber);
      expect(h.device.receipts()).toHaveLength(1);
    });

    it('cover open is refused', async () => {
      await open();
      h.device.setCoverOpen(true);
      expect((await fails(r.registerReceipt(utilityReceipt()))).code).toBe('cover_open');
      h.device.setCoverOpen(false);
      await r.registerReceipt(utilityReceipt());
    });

    it('a receipt left open by a printer fault is cancelled, then the next one goes through', async () => {
      await open();
      h.device.injectFault({ kind: 'receipt_left_open' });
      expect((await fails(r.registerReceipt(utilityReceipt()))).code).toBe('receipt_open');
      await r.cancelReceipt();
      expect((await r.status()).receiptOpen).toBe(false);
      await r.registerReceipt(utilityReceipt());
      expect(h.device.receipts()).toHaveLength(1);
    });

    it('an unknown outcome is reconciled by looking the operation up, never by printing again', async () => {
      await open();
      const receipt = utilityReceipt();
      h.loseNextAnswer();
      let first: Awaited<ReturnType<FiscalRegister['registerReceipt']>> | null = null;
      try {
        first = await r.registerReceipt(receipt);
      } catch (e) {
        expect(e).toBeInstanceOf(FiscalError);
        expect((e as FiscalError).code).toBe('outcome_unknown');
        expect((e as FiscalError).outcome).toBe('unknown');
      }
      const found = await r.lookupOperation(receipt.operationId, { kind: 'sale', totalKop: receipt.totalKop });
      expect(found).toBeTruthy();
      if (first) expect(found?.documentNumber).toBe(first.documentNumber);
      const retry = await r.registerReceipt(receipt);
      expect(retry.documentNumber).toBe(found?.documentNumber);
      expect(h.device.receipts()).toHaveLength(1);
      const never = await r.lookupOperation(opId());
      if (h.capabilities.forgetsOperations) expect(never).toBeUndefined();
      else expect(never).toBeNull();
    });

    it('a shift older than 24 hours refuses receipts until Z and a new shift', async () => {
      await open();
      await r.registerReceipt(utilityReceipt());
      h.clock.advance(24 * 3_600_000 + 1000);
      expect((await r.status()).shift.state).toBe('expired');
      expect((await fails(r.registerReceipt(utilityReceipt()))).code).toBe('shift_expired');
      const z = await r.closeShift(opId(), cashier);
      expect(z.shiftNumber).toBe(1);
      const reopened = await r.openShift(opId(), cashier);
      expect(reopened.shiftNumber).toBe(2);
      await r.registerReceipt(utilityReceipt());
      expect(h.device.receipts()).toHaveLength(2);
    });

    it('X and Z report the shift totals by receipt type and payment kind', async () => {
      await open();
      await r.cashIn(opId(), cashier, 1_000_00);
      await r.registerReceipt(utilityReceipt('cash'));
      await r.registerReceipt(utilityReceipt('card', 2_000_00));
      const x = await r.xReport(opId(), cashier);
      const z = await r.closeShift(opId(), cashier);
      const expected = {
        sales: { count: 2, cashKop: 1_515_00, cardKop: 2_515_00 },
        returns: { count: 0, cashKop: 0, cardKop: 0 },
        cashInKop: 1_000_00,
        cashOutKop: 0,
      };
      if (h.capabilities.totals) {
        expect(x).toMatchObject(expected);
        expect(z.totals).toMatchObject({ ...expected, drawerKop: 2_515_00 });
      } else {
        expect(x).toBeNull();
        expect(z.totals).toBeNull();
      }
      expect((await r.status()).shift.state).toBe('closed');
    });

    it('a return mirrors the original; a return above the takings is refused', async () => {
      await open();
      const original = utilityReceipt('cash');
      const sold = await r.registerReceipt(original);
      const ret = composeReturnReceipt(original, { documentNumber: sold.documentNumber, fiscalSign: sold.fiscalSign }, opId(), cashier);
      const back = await r.registerReceipt(ret);
      expect(back.kind).toBe('sale_return');
      expect(back.totalKop).toBe(original.totalKop);
      const tape = h.device.documentFor(ret.operationId)?.tape ?? '';
      expect(tape).toContain('ВОЗВРАТ ПРИХОДА');
      expect(tape).toContain(`Возврат ФД ${sold.documentNumber}`);
      const big = composeReturnReceipt(utilityReceipt('card', 9_000_00), { documentNumber: 1, fiscalSign: '1' }, opId(), cashier);
      expect((await fails(r.registerReceipt(big))).code).toBe('return_exceeds');
    });

    it('contract services are printed as the agent’s own services', async () => {
      await open();
      const receipt = composeServiceReceipt({ operationId: opId(), taxSystem: 'usn_income', cashier, method: 'cash' }, [
        { name: 'Ксерокопия А4', priceKop: 15_00, quantity: 3, vat: 'none' },
      ]);
      const result = await r.registerReceipt(receipt);
      expect(result.totalKop).toBe(45_00);
      expect(h.device.documentFor(receipt.operationId)?.tape).toContain('УСЛУГА');
    });

    it('reprints the last receipt, cuts, prints text', async () => {
      await open();
      await r.registerReceipt(utilityReceipt());
      const before = h.device.documents({ limit: 100 }).length;
      await r.reprintLast();
      await r.cut();
      await r.printText(['СВЕРКА ИТОГОВ', 'Всё сходится']);
      const docs = h.device.documents({ limit: 100 });
      expect(docs.length).toBe(before + 3);
      expect(docs.some((d) => d.tape.includes('КОПИЯ'))).toBe(true);
      expect(docs.some((d) => d.tape.includes('Всё сходится'))).toBe(true);
      expect(h.device.receipts()).toHaveLength(1);
    });

    it('shows the ОФД backlog and blocks after 30 days unsent', async () => {
      await open();
      h.device.setOfdReachable(false);
      await r.registerReceipt(utilityReceipt());
      const s = await r.status();
      expect(s.ofd.unsentCount).toBeGreaterThanOrEqual(1);
      expect(s.ofd.oldestUnsentAt).not.toBeNull();
      h.clock.advance(30 * 24 * 3_600_000);
      const e = await fails(r.closeShift(opId(), cashier));
      expect(e.code).toBe('fn_problem');
      h.device.setOfdReachable(true);
      expect((await r.status()).ofd.unsentCount).toBe(0);
    });

    it('knows the last document number, for reconciliation by counters', async () => {
      await open();
      const result = await r.registerReceipt(utilityReceipt());
      const last = await r.lastDocument();
      expect(last?.documentNumber).toBe(result.documentNumber);
      expect((await r.status()).lastDocumentNumber).toBe(result.documentNumber);
    });

    it('a device that does not answer: unavailable, nothing done', async () => {
      await open();
      await h.cutLink();
      const e = await fails(r.registerReceipt(utilityReceipt()));
      expect(e.code).toBe('unavailable');
      expect(e.outcome).toBe('not_done');
      expect((await r.status()).connected).toBe(false);
      expect(h.device.receipts()).toHaveLength(0);
    });
  });

  describe(`fiscal register contract: ${name}, not registered as a payment agent`, () => {
    it('refuses agent receipts but sells the agent’s own services', async () => {
      const h = await factory({ agentTypes: [] });
      try {
        await h.register.openShift(opId(), cashier);
        await expect(h.register.registerReceipt(utilityReceipt())).rejects.toMatchObject({ code: 'not_agent' });
        const own = composeServiceReceipt({ operationId: opId(), taxSystem: 'usn_income', cashier, method: 'card' }, [
          { name: 'Ксерокопия А4', priceKop: 15_00, quantity: 1, vat: 'none' },
        ]);
        await h.register.registerReceipt(own);
        expect(h.device.receipts()).toHaveLength(1);
      } finally {
        await h.stop();
      }
    });
  });
}
