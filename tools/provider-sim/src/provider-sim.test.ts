import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startProviderSim, type ProviderSim } from './provider-sim.ts';

let sim: ProviderSim;
beforeEach(async () => {
  sim = await startProviderSim({
    providers: [
      {
        code: 'MTS',
        mask: '^9\\d{9}$',
        minKop: 1000,
        maxKop: 100000,
        openAccounts: true,
        accounts: [
          { account: '9160000001', behaviour: { kind: 'temporary', times: 2 } },
          { account: '9160000002', behaviour: { kind: 'fatal', code: 79 } },
        ],
      },
    ],
  });
});
afterEach(() => sim.stop());

async function call(q: Record<string, string>): Promise<Record<string, string>> {
  const r = await fetch(`${sim.url}/p/MTS/payment_app.cgi?${new URLSearchParams(q).toString()}`);
  const text = await r.text();
  return Object.fromEntries([...text.matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map((m) => [m[1], m[2]])) as Record<string, string>;
}

describe('OSMP provider simulator', () => {
  it('checks an account and pays exactly once, however often the same txn_id comes', async () => {
    expect(await call({ command: 'check', txn_id: '0', account: '9161112233', sum: '0.00' })).toMatchObject({ result: '0' });
    const first = await call({ command: 'pay', txn_id: '123', account: '9161112233', sum: '100.00', txn_date: '20261128120000' });
    expect(first).toMatchObject({ result: '0', osmp_txn_id: '123', sum: '100.00' });
    const again = await call({ command: 'pay', txn_id: '123', account: '9161112233', sum: '100.00', txn_date: '20261128120000' });
    expect(again).toMatchObject({ result: '0', prv_txn: first['prv_txn'] });
    expect(sim.ledger()).toHaveLength(1);
    const other = await call({ command: 'pay', txn_id: '123', account: '9161112233', sum: '200.00' });
    expect(other['result']).toBe('300');
    expect(sim.ledger()).toHaveLength(1);
  });

  it('temporary errors then success; fatal codes; limits; bad input', async () => {
    const q = { command: 'pay', txn_id: '7', account: '9160000001', sum: '50.00' };
    expect((await call(q))['result']).toBe('1');
    expect((await call(q))['result']).toBe('1');
    expect((await call(q))['result']).toBe('0');
    expect((await call({ command: 'pay', txn_id: '8', account: '9160000002', sum: '50.00' }))['result']).toBe('79');
    expect((await call({ command: 'pay', txn_id: '9', account: '9161112233', sum: '5.00' }))['result']).toBe('241');
    expect((await call({ command: 'pay', txn_id: '10', account: '123', sum: '50.00' }))['result']).toBe('4');
    expect((await call({ command: 'pay', txn_id: 'abc', account: '9161112233', sum: '50.00' }))['result']).toBe('300');
    expect((await call({ command: 'pay', txn_id: '11', account: '9161112233', sum: '50' }))['result']).toBe('300');
    expect(sim.ledger()).toHaveLength(1);
    expect(sim.registry('MTS')).toContain('7;');
  });
});
