/**
 * The link between desk and server under fire: payments taken offline arrive exactly once when the
 * server returns; a push whose answer is lost is not doubled; the server restarting in the middle of
 * a long catch-up loses nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '@paydesk/testkit';
import { openJournal } from '@paydesk/desk';
import { IdentityStore } from '@paydesk/desk';
import { enrolledDataDir, removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let proxy: FaultProxy;
let desk: Awaited<ReturnType<typeof startTestDesk>>;

/** A desk whose server address is the fault proxy in front of the real server. */
async function deskBehindProxy(): Promise<Awaited<ReturnType<typeof startTestDesk>>> {
  const dir = await enrolledDataDir(server);
  const db = openJournal(`${dir}/journal.sqlite`);
  new IdentityStore(db, dir).setServerUrl(proxy.url);
  db.close();
  return startTestDesk(server, { dataDir: dir });
}

beforeEach(async () => {
  server = await startTestServer();
  proxy = await startFaultProxy('127.0.0.1', server.port);
  desk = await deskBehindProxy();
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
  await desk.api.waitFor('sent', (s) => s.unsentCount === 0);
});

afterEach(async () => {
  await desk.stop();
  removeDir(desk.dataDir);
  await proxy.close();
  await server.close();
});

const pay = (amountKop: number) =>
  desk.api.ok<{ paymentId: string; state: string }>('POST', '/api/payments', {
    kind: 'billing',
    accountNumber: '1234567',
    lines: [{ serviceCode: 'MAINT', period: '2026-10', amountKop }],
    method: 'cash',
  });

async function serverCount(): Promise<number> {
  return Number(
    (
      await server.open.db
        .selectFrom('payments')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
}

describe('desk ↔ server under faults', () => {
  it('payments taken while the server is down arrive exactly once after it comes back', async () => {
    await server.stop();
    await desk.api.waitFor('offline', (s) => !s.online);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await pay(100 + i)).paymentId);
    const offline = await desk.api.status();
    expect(offline.unsentCount).toBe(5);
    await server.start();
    await desk.api.waitFor('back online and flushed', (s) => s.online && s.unsentCount === 0);
    const rows = await server.open.db.selectFrom('payments').select('op_id').where('op_id', 'in', ids).execute();
    expect(rows.map((r) => r.op_id).sort()).toEqual([...ids].sort());
    expect(await serverCount()).toBe(5);
  });

  it('a push whose response is lost after the server committed is not doubled', async () => {
    proxy.dropResponses(1);
    const p = await pay(250);
    await desk.api.waitFor('flushed after the lost answer', (s) => s.online && s.unsentCount === 0);
    expect(proxy.stats().droppedResponses).toBe(1);
    const rows = await server.open.db.selectFrom('payments').select('op_id').execute();
    expect(rows.map((r) => r.op_id)).toEqual([p.paymentId]);
    const ops = await server.open.db.selectFrom('ops').select(['seq']).where('type', '=', 'payment.accepted').execute();
    expect(ops).toHaveLength(1);
    // The desk learnt of the commit only from the replay's answer; it must keep showing the payment on
    // the account until its replica holds the server's change, so the answer's version must cover it.
    const charge = await server.open.db
      .selectFrom('charges')
      .select('version')
      .where('account_number', '=', '1234567')
      .where('service_code', '=', 'MAINT')
      .where('period', '=', '2026-10')
      .executeTakeFirstOrThrow();
    const journal = openJournal(`${desk.dataDir}/journal.sqlite`);
    try {
      const row = journal.prepare('SELECT ack_version FROM ops WHERE op_id = ?').get(p.paymentId) as { ack_version: number };
      expect(row.ack_version).toBeGreaterThanOrEqual(Number(charge.version));
    } finally {
      journal.close();
    }
  });

  it('a black-holed link turns the desk grey; payments wait and go when the link is back', async () => {
    proxy.setMode('blackhole');
    await desk.api.waitFor('offline', (s) => !s.online, 30_000);
    await pay(300);
    expect((await desk.api.status()).unsentCount).toBe(1);
    proxy.setMode('pass');
    await desk.api.waitFor('online and empty', (s) => s.online && s.unsentCount === 0, 30_000);
    expect(await serverCount()).toBe(1);
  }, 90_000);

  it('the server restarting in the middle of a long catch-up loses nothing', async () => {
    await server.stop();
    await desk.api.waitFor('offline', (s) => !s.online);
    for (let i = 0; i < 60; i++) await pay(10 + i);
    // Small batches, so the catch-up takes many pushes; the server goes down between two of them.
    (desk.deps.sync as unknown as { opts: { batchSize: number } }).opts.batchSize = 5;
    await server.start();
    await desk.api.waitFor('catching up', (s) => s.unsentCount < 60 && s.unsentCount > 0, 20_000).catch(() => undefined);
    await server.stop();
    await new Promise((r) => setTimeout(r, 300));
    await server.start();
    await desk.api.waitFor('flushed', (s) => s.online && s.unsentCount === 0, 30_000);
    expect(await serverCount()).toBe(60);
    const sums = await server.open.db
      .selectFrom('payments')
      .select((eb) => eb.fn.sum<number>('total_kop').as('s'))
      .executeTakeFirstOrThrow();
    expect(Number(sums.s)).toBe(Array.from({ length: 60 }, (_, i) => 10 + i).reduce((a, b) => a + b, 0));
  });
});
