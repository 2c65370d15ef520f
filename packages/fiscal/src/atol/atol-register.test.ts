import { describe, expect, it } from 'vitest';
import { VirtualRegister } from '../virtual/virtual-register.ts';
import { AtolRegister } from './atol-register.ts';
import { receiptTask } from './atol-mapping.ts';
import { FakeClock } from '../testing/clock.ts';
import { startAtolSimulator } from '../testing/atol-simulator.ts';
import { registerContract, utilityReceipt } from '../testing/register-contract.ts';

const isReceipt = (r: { path: string; body: unknown }): boolean =>
  /^(\/api\/v2)?\/requests/.test(r.path) &&
  Array.isArray((r.body as { request?: unknown })?.request) &&
  ['sell', 'sellReturn'].includes((r.body as { request: { type: string }[] }).request[0]?.type ?? '');
const isFetch = (r: { method: string }): boolean => r.method === 'GET';

for (const flatResults of [false, true]) {
  // An older build: flat results, no /api/v2 prefix, /stat/requests for the queue, no direct operations.
  registerContract(`atol${flatResults ? ' (older build: flat results, no /api/v2)' : ''}`, async ({ agentTypes }) => {
    const clock = new FakeClock();
    const device = new VirtualRegister({ file: ':memory:', now: clock.now, ...(agentTypes ? { agentTypes } : {}) });
    const apiPrefix = flatResults ? '' : '/api/v2';
    const sim = await startAtolSimulator(device, { flatResults, apiPrefix, taskMs: 5 });
    let stopped = false;
    return {
      register: new AtolRegister({ url: sim.url, apiPrefix, pollIntervalMs: 5, requestTimeoutMs: 2000 }),
      device,
      clock,
      loseNextAnswer: () => {
        sim.dropNextAnswer(isReceipt);
        sim.dropNextAnswer(isFetch);
      },
      cutLink: async () => {
        stopped = true;
        await sim.stop();
      },
      capabilities: { totals: true, drawer: true, notPrinted: true },
      stop: async () => {
        if (!stopped) await sim.stop();
        await device.close();
      },
    };
  });
}

describe('atol: mapping of a utility payment with two suppliers and a commission', () => {
  it('builds the sell task of the spec', () => {
    const receipt = utilityReceipt();
    const task = receiptTask(receipt);
    expect(task).toMatchObject({
      type: 'sell',
      taxationType: 'usnIncome',
      electronically: false,
      operator: { name: 'Кассир Иванова А.А.', vatin: '500100732259' },
      paymentsAddress: 'г. Энск, ул. Ленина, 1',
      paymentsPlace: 'Пункт приёма платежей',
      payments: [{ type: 'cash', sum: 1515 }],
      total: 1515,
    });
    const positions = (task['items'] as Record<string, unknown>[]).filter((i) => i['type'] === 'position');
    expect(positions).toHaveLength(3);
    expect(positions[0]).toEqual({
      type: 'position',
      name: 'Оплата ЖКУ, л/с 1234567, за 10.2026: Содержание жилья',
      price: 1000,
      quantity: 1,
      amount: 1000,
      measurementUnit: 'piece',
      paymentMethod: 'fullPayment',
      paymentObject: 'payment',
      tax: { type: 'none' },
      agentInfo: {
        agents: ['payingAgent'],
        payingAgent: { operation: 'Прием платежа', phones: ['+78001000000'] },
        receivePaymentsOperator: { phones: ['+78001000001'] },
      },
      supplierInfo: { name: 'ООО "УК Дом"', vatin: '7707083893', phones: ['+74950000000'] },
    });
    expect(positions[1]).toMatchObject({ paymentObject: 'payment', supplierInfo: { name: 'МУП "Водоканал"', vatin: '500100732259' } });
    expect(positions[2]).toMatchObject({ name: 'Вознаграждение платёжного агента', paymentObject: 'agentCommission', amount: 15 });
    expect(positions[2]).not.toHaveProperty('agentInfo');
    expect(positions[2]).not.toHaveProperty('supplierInfo');
    // Every agent item carries the supplier's ИНН.
    for (const p of positions.filter((x) => x['agentInfo'])) expect((p['supplierInfo'] as { vatin: string }).vatin).toMatch(/^\d{10,12}$/);
  });

  it('uses the operation id as the request uuid, so a resend is answered 409 and prints nothing', async () => {
    const device = new VirtualRegister({ file: ':memory:' });
    const sim = await startAtolSimulator(device);
    try {
      const atol = new AtolRegister({ url: sim.url, pollIntervalMs: 5 });
      await atol.openShift('0190f0d6-0000-7000-8000-00000000aa01', { name: 'Кассир' });
      const receipt = utilityReceipt();
      await atol.registerReceipt(receipt);
      await atol.registerReceipt(receipt);
      const uuids = sim.requestsSeen().map((r) => r.uuid);
      expect(uuids.filter((u) => u === receipt.operationId)).toHaveLength(1);
      expect(device.receipts()).toHaveLength(1);
    } finally {
      await sim.stop();
      await device.close();
    }
  });

  it('treats a blocked task as an unknown outcome', async () => {
    const device = new VirtualRegister({ file: ':memory:' });
    const sim = await startAtolSimulator(device);
    try {
      const atol = new AtolRegister({ url: sim.url, pollIntervalMs: 5, blockedWaitMs: 50 });
      await atol.openShift('0190f0d6-0000-7000-8000-00000000aa02', { name: 'Кассир' });
      sim.blockNext();
      await expect(atol.registerReceipt(utilityReceipt())).rejects.toMatchObject({ code: 'outcome_unknown', outcome: 'unknown' });
    } finally {
      await sim.stop();
      await device.close();
    }
  });

  it('sends basic auth when configured', async () => {
    const device = new VirtualRegister({ file: ':memory:' });
    const sim = await startAtolSimulator(device, { basicAuth: { user: 'u', password: 'p' } });
    try {
      expect((await new AtolRegister({ url: sim.url, user: 'u', password: 'p' }).status()).connected).toBe(true);
      expect((await new AtolRegister({ url: sim.url, user: 'u', password: 'x' }).status()).connected).toBe(false);
    } finally {
      await sim.stop();
      await device.close();
    }
  });
});
