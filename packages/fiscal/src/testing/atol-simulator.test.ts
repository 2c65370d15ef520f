/**
 * The ATOL web server simulator behaves as the real one does (sources in atol-simulator.ts): checked over
 * raw HTTP, without the driver, so the driver's tests stand on a server that is as strange as the real one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualRegister } from '../virtual/virtual-register.ts';
import { receiptTask } from '../atol/atol-mapping.ts';
import { startAtolSimulator, type AtolSimulator, type AtolSimulatorOptions } from './atol-simulator.ts';
import { utilityReceipt } from './register-contract.ts';

interface Rig {
  sim: AtolSimulator;
  device: VirtualRegister;
  post: (uuid: string, request: unknown) => Promise<{ status: number; body: unknown }>;
  get: (path: string) => Promise<{ status: number; body: unknown }>;
  del: (uuid: string) => Promise<number>;
  results: (uuid: string) => Promise<{ status: string; error?: { code: number }; errorCode?: number; result: unknown }[]>;
  until: (uuid: string, done: (statuses: string[]) => boolean) => Promise<void>;
}
const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.sim.stop();
    await r.device.close();
  }
});

async function rig(options: AtolSimulatorOptions = {}): Promise<Rig> {
  const device = new VirtualRegister({ file: ':memory:' });
  const sim = await startAtolSimulator(device, options);
  const read = async (r: Response): Promise<unknown> => {
    const text = await r.text();
    try {
      return text ? (JSON.parse(text) as unknown) : null;
    } catch {
      return text;
    }
  };
  const r: Rig = {
    sim,
    device,
    post: async (uuid, request) => {
      const res = await fetch(`${sim.url}/api/v2/requests`, { method: 'POST', body: JSON.stringify({ uuid, request }) });
      return { status: res.status, body: await read(res) };
    },
    get: async (path) => {
      const res = await fetch(`${sim.url}${path}`);
      return { status: res.status, body: await read(res) };
    },
    del: async (uuid) => (await fetch(`${sim.url}/api/v2/requests/${uuid}`, { method: 'DELETE' })).status,
    results: async (uuid) => ((await r.get(`/api/v2/requests/${uuid}`)).body as { results: [] }).results,
    until: async (uuid, done) => {
      for (let i = 0; i < 400; i++) {
        const results = await r.results(uuid);
        if (done(results.map((x) => x.status))) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`${uuid} never got there`);
    },
  };
  rigs.push(r);
  return r;
}

const operator = { name: 'Кассир' };
const final = (s: string[]): boolean => s.every((x) => !['wait', 'inProgress', 'blocked'].includes(x));

describe('ATOL web server simulator', () => {
  it('answers 201 with the queue state, 409 for a uuid it holds, 404 for one it does not, 400 for two fiscal tasks', async () => {
    const { post, get } = await rig();
    const created = await post('u1', [{ type: 'openShift', operator }]);
    expect(created).toEqual({ status: 201, body: { number: 0, uuid: 'u1', isBlocked: false, blockedUUID: '' } });
    expect((await post('u1', [{ type: 'getFnStatus' }])).status).toBe(409);
    expect((await get('/api/v2/requests/nope')).status).toBe(404);
    expect(
      (
        await post('u2', [
          { type: 'openShift', operator },
          { type: 'closeShift', operator },
        ])
      ).status,
    ).toBe(400);
    expect((await post('u3', { type: 'getFnStatus' })).status).toBe(201);
  });

  it('runs one request at a time: wait, inProgress, ready; a waiting request can be cancelled, a started one not', async () => {
    const { post, results, del, until } = await rig({ taskMs: 60 });
    await post('slow', [{ type: 'getDeviceStatus' }, { type: 'getShiftStatus' }]);
    await post('next', [{ type: 'getFnStatus' }]);
    expect((await results('next')).map((r) => r.status)).toEqual(['wait']);
    expect(await del('slow')).toBe(405);
    expect(await del('next')).toBe(200);
    expect((await results('next')).map((r) => r.status)).toEqual(['canceled']);
    await until('slow', final);
    expect((await results('slow')).map((r) => r.status)).toEqual(['ready', 'ready']);
  });

  it('a fiscal task that loses the link is blocked, the tasks after it interrupted, the queue stopped; the server settles it when the device answers', async () => {
    const { sim, device, post, get, results, until } = await rig();
    await post('open', [{ type: 'openShift', operator }]);
    const receipt = utilityReceipt();
    sim.loseLinkOnNextFiscal({ fiscalised: true, polls: 8 });
    await post('sale', [receiptTask(receipt), { type: 'getFnStatus' }]);
    expect((await results('sale')).map((r) => r.status)).toEqual(['blocked', 'interrupted']);
    expect((await results('sale'))[1]?.error?.code).toBe(502);
    expect((await post('after', [{ type: 'getFnStatus' }])).body).toMatchObject({ isBlocked: true, blockedUUID: 'sale' });
    expect((await get('/api/v2/getRequestsQueueStatus')).body).toMatchObject({
      isBlocked: true,
      blockReason: 'connectionError',
      blockedUUID: 'sale',
    });
    expect((await fetch(`${sim.url}/api/v2/operations/queryFnStatus`, { method: 'POST' })).status).toBe(500);
    expect((await results('after')).map((r) => r.status)).toEqual(['wait']);
    await until('after', final);
    const [sale] = await results('sale');
    expect(sale?.status).toBe('ready');
    expect(sale?.result).toMatchObject({ fiscalParams: { fiscalDocumentNumber: device.receipts()[0]?.documentNumber, total: 1515 } });
    expect(device.receipts()).toHaveLength(1);
  });

  it('a blocked task the device never made ends in error with the link code; blockNext holds until release()', async () => {
    const { sim, device, post, results, until } = await rig();
    await post('open', [{ type: 'openShift', operator }]);
    sim.loseLinkOnNextFiscal({ fiscalised: false, ms: 30 });
    await post('sale', [receiptTask(utilityReceipt())]);
    await until('sale', final);
    expect(await results('sale')).toMatchObject([{ status: 'error', error: { code: 2 } }]);
    expect(device.receipts()).toHaveLength(0);
    sim.blockNext();
    await post('held', [receiptTask(utilityReceipt())]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sim.blocked()).toBe(true);
    sim.release();
    await until('held', final);
    expect((await results('held'))[0]?.status).toBe('ready');
  });

  it('odd numbers: a drawer with float noise, totals with three decimals', async () => {
    const { sim, post, results } = await rig({ oddNumbers: true });
    await post('open', [{ type: 'openShift', operator }]);
    await post('in', [{ type: 'cashIn', operator, cashSum: 4889.56 }]);
    expect((await results('in'))[0]?.result).toEqual({ counters: { cashSum: 4889.5599999999995 } });
    const receipt = utilityReceipt('cash', 710_75); // 710,75 + 500 + 15 = 1225,75
    await post('sale', [receiptTask(receipt)]);
    expect((await results('sale'))[0]?.result).toMatchObject({ fiscalParams: { total: 1225.745 } });
    sim.setOddNumbers(false);
    await post('totals', [{ type: 'getShiftTotals' }]);
    expect((await results('totals'))[0]?.result).toMatchObject({ shiftTotals: { cashDrawer: { sum: 6115.31 } } });
  });

  it('paper out after fiscalisation: ready with warnings.notPrinted', async () => {
    const { sim, post, results } = await rig();
    await post('open', [{ type: 'openShift', operator }]);
    sim.paperOutAfterNextReceipt();
    await post('sale', [receiptTask(utilityReceipt())]);
    expect((await results('sale'))[0]).toMatchObject({ status: 'ready', result: { warnings: { notPrinted: true } } });
  });

  it('a uuid another client used first holds that client’s request: 409 for ours, its results under the uuid', async () => {
    const { sim, post, results } = await rig();
    await post('open', [{ type: 'openShift', operator }]);
    const ours = utilityReceipt();
    const foreign = {
      type: 'sell',
      taxationType: 'usnIncome',
      operator,
      items: [{ type: 'position', name: 'Чужое', price: 1, quantity: 1, amount: 1, paymentObject: 'service', tax: { type: 'none' } }],
      payments: [{ type: 'cash', sum: 1 }],
      total: 1,
    };
    await sim.prefill(ours.operationId, [foreign]);
    expect((await post(ours.operationId, [receiptTask(ours)])).status).toBe(409);
    expect((await results(ours.operationId))[0]?.result).toMatchObject({ fiscalParams: { total: 1 } });
  });

  it('getFnStatus gives the last document number, getFnDocument its type and sum by tag, getLastFiscalParams its parameters', async () => {
    const { post, results } = await rig();
    await post('open', [{ type: 'openShift', operator }]);
    await post('sale', [receiptTask(utilityReceipt())]);
    await post('q1', [{ type: 'getFnStatus' }, { type: 'getLastFiscalParams', forReceipt: true }]);
    const [status, last] = await results('q1');
    const n = (status?.result as { fnStatus: { fiscalDocumentNumber: number } }).fnStatus.fiscalDocumentNumber;
    expect(n).toBe(2);
    expect(last?.result).toMatchObject({ fiscalParams: { fiscalDocumentNumber: 2, total: 1515 } });
    await post('q2', [
      { type: 'getFnDocument', fiscalDocumentNumber: 2 },
      { type: 'getFnDocument', fiscalDocumentNumber: 1 },
      { type: 'getFnDocument', fiscalDocumentNumber: 9 },
    ]);
    const [doc, open, missing] = await results('q2');
    expect(doc?.result).toMatchObject({ documentTLV: { fiscalDocumentType: 'receipt', '1040': 2, '1054': 1, '1020': 1515 } });
    expect(open?.result).toMatchObject({ documentTLV: { fiscalDocumentType: 'openShift', '1040': 1 } });
    expect(missing?.status).toBe('error');
  });

  it('older builds: flat results, no /api/v2 prefix, /stat/requests; error pages as text when asked', async () => {
    const device = new VirtualRegister({ file: ':memory:' });
    const sim = await startAtolSimulator(device, { flatResults: true, apiPrefix: '', textErrors: true });
    try {
      const post = (uuid: string): Promise<Response> =>
        fetch(`${sim.url}/requests`, { method: 'POST', body: JSON.stringify({ uuid, request: [{ type: 'getFnStatus' }] }) });
      expect((await post('a')).status).toBe(201);
      const conflict = await post('a');
      expect(conflict.status).toBe(409);
      expect(await conflict.text()).toContain('HTTP ERROR 409');
      expect(await (await fetch(`${sim.url}/requests/a`)).json()).toMatchObject({
        results: [{ status: 'ready', errorCode: 0, result: { fnStatus: { fiscalDocumentNumber: 0 } } }],
      });
      expect(await (await fetch(`${sim.url}/stat/requests`)).json()).toMatchObject({ is_blocked: false });
    } finally {
      await sim.stop();
      await device.close();
    }
  });
});
