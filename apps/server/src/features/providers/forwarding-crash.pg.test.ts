/**
 * The forwarding worker as its own process on PostgreSQL, killed with SIGKILL while payments are in
 * flight at the provider (credited there, the answer not yet recorded here), then started again: every
 * payment ends confirmed and is credited exactly once in the provider's own ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleBody } from '@paydesk/protocol';
import { startProviderSim, type ProviderSim } from '@paydesk/provider-sim';
import { startProcess, type Proc } from '@paydesk/testkit';
import { migrate, openDatabase } from '../../db/database.ts';
import { postgresTestUrl } from '../../testing/test-db.ts';
import { IDS, testServer, type TestServer } from '../../testing/fixture.ts';

const bin = new URL('../../../bin/paydesk-server.mjs', import.meta.url).pathname;
const PAYMENTS = 16;

let pgdb: Awaited<ReturnType<typeof postgresTestUrl>>;
let s: TestServer;
let sim: ProviderSim;

beforeAll(async () => {
  pgdb = await postgresTestUrl();
  const open = await openDatabase({ url: pgdb.url, poolSize: 5 });
  await migrate(open.db);
  s = await testServer(open);
  sim = await startProviderSim({ providers: [{ code: 'MTS', mask: '^9\\d{9}$', minKop: 1000, maxKop: 1_500_000, openAccounts: true }] });
  await s.open.db
    .updateTable('providers')
    .set({ osmp_url: `${sim.url}/p/MTS/payment_app.cgi`, timeout_ms: 2000 })
    .where('code', '=', 'MTS')
    .execute();
}, 60_000);

afterAll(async () => {
  await sim.stop();
  await s.close();
  await pgdb.drop();
});

function startWorker(): Proc {
  return startProcess(process.execPath, [bin, 'worker'], {
    env: {
      DATABASE_URL: pgdb.url,
      PAYDESK_LOG_LEVEL: 'warn',
      PAYDESK_FORWARD_INTERVAL_MS: '50',
      PAYDESK_FORWARD_LEASE_MS: '1500',
      PAYDESK_FORWARD_RETRY_MS: '100',
      PAYDESK_FORWARD_MAX_RETRY_MS: '500',
    },
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('forwarding worker killed mid-forward (PostgreSQL)', () => {
  it('resends the same txn_id after the crash; the provider credits each payment once', async () => {
    const desk = await s.enroll();
    const ops = Array.from({ length: PAYMENTS }, (_, i) =>
      s.op(desk, 'thirdparty.accepted', {
        ...exampleBody('thirdparty.accepted'),
        cashierId: IDS.cashier,
        account: `91630000${String(i).padStart(2, '0')}`,
        amountKop: 20_000 + i,
        commissionKop: 400,
        totalKop: 20_400 + i,
      }),
    );
    await s.pushOk(desk, ops);
    // Every answer is slow, so the kill lands while the provider is crediting and the worker waits.
    sim.setFaults({ slow: 1, slowMs: 400 });
    const first = startWorker();
    await until('the first pay requests to reach the provider', () => sim.stats().pay >= 3);
    expect(await first.kill('SIGKILL')).toBe(-1);
    const stranded = await s.open.db.selectFrom('forwardings').select('op_id').where('state', '=', 'sent').execute();
    expect(stranded.length).toBeGreaterThan(0);

    sim.setFaults({ slow: 0.3, slowMs: 100 });
    const second = startWorker();
    try {
      await until(
        'every payment confirmed',
        async () => {
          const open = await s.open.db.selectFrom('forwardings').select('op_id').where('state', '!=', 'confirmed').execute();
          return open.length === 0;
        },
        60_000,
      );
    } finally {
      await second.kill('SIGTERM');
    }
    const ledger = sim.ledger();
    expect(ledger).toHaveLength(PAYMENTS);
    expect(new Set(ledger.map((l) => l.txnId)).size).toBe(PAYMENTS);
    // The payments credited while the first worker died were sent again and answered from the provider's record.
    expect(sim.stats().duplicates).toBeGreaterThan(0);
    const rows = await s.open.db.selectFrom('forwardings').select(['txn_id', 'prv_txn', 'amount_kop']).execute();
    for (const r of rows) expect(ledger.find((l) => l.txnId === r.txn_id)).toMatchObject({ prvTxn: r.prv_txn, sumKop: r.amount_kop });
  }, 120_000);
});
