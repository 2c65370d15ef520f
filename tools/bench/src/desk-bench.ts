/**
 * 3. A billing payment through the desk's HTTP API with the virtual register (journal intent, the
 *    register, journal result, answer), against plain synchronous=FULL SQLite transactions.
 * 6. Catch-up: operations taken while the server is away, pushed when it returns.
 */
import { Database } from '@paydesk/sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { accountNumber } from './data.ts';
import { latencies, round, type BenchResult } from './measure.ts';
import { waitDesk, type BenchDesk, type BenchStack } from './stack.ts';

async function pay(desk: BenchDesk, i: number, accounts: number): Promise<void> {
  const r = await desk.call('POST', '/api/payments', {
    kind: 'billing',
    accountNumber: accountNumber((i * 7_907) % accounts),
    amountKop: 10_000 + (i % 50) * 100,
    method: 'cash',
  });
  if (r.status !== 201 && r.status !== 200) throw new Error(`payment ${i}: ${r.status} ${JSON.stringify(r.body)}`);
}

export async function benchDeskPayment(stack: BenchStack, desk: BenchDesk, accounts: number, count: number): Promise<BenchResult> {
  await desk.call('POST', '/api/shift/open', { openingFloatKop: 0 });
  for (let i = 0; i < 20; i++) await pay(desk, 1_000_000 + i, accounts);
  const ms: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const s = performance.now();
    await pay(desk, i, accounts);
    ms.push(performance.now() - s);
  }
  const perSecond = count / ((performance.now() - t0) / 1000);
  // The limit of the disk the journal lives on: one synchronous=FULL WAL transaction per payment.
  const dir = mkdtempSync(join(stack.work, 'fsync-'));
  const db = new Database(join(dir, 'baseline.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  const body = JSON.stringify({
    kind: 'billing',
    lines: [1, 2, 3].map((k) => ({ serviceCode: `S${k}`, period: '2026-11', amountKop: 100_000 })),
    padding: 'x'.repeat(600),
  });
  const b0 = performance.now();
  for (let i = 0; i < count; i++) db.transaction(() => insert.run(body))();
  const baseline = count / ((performance.now() - b0) / 1000);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const l = latencies(ms);
  return {
    name: 'desk_payment',
    value: Math.round(perSecond),
    unit: 'payments/s',
    baseline: Math.round(baseline),
    ratio: round(perSecond / baseline, 3),
    goal: 'ratio ≥ 0.5 and p99 < 10 ms',
    met: perSecond / baseline >= 0.5 && l.p99 < 10,
    details: { p50: l.p50, p99: l.p99, max: l.max, payments: count },
  };
}

export async function benchCatchUp(
  stack: BenchStack,
  desk: BenchDesk,
  accounts: number,
  count: number,
  log: (l: string) => void,
): Promise<BenchResult> {
  await waitDesk(desk, 'an empty queue before the outage', (s) => s.unsentCount === 0, 300_000);
  await stack.server.stop();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await pay(desk, 2_000_000 + i, accounts);
  log(`Без связи принято ${count} платежей за ${((performance.now() - t0) / 1000).toFixed(1)} с`);
  await waitDesk(desk, 'the queue to fill', (s) => s.unsentCount >= count, 60_000);
  await stack.server.restart();
  // Until the desk notices the server is back (its health probe and backoff), then until all is sent.
  const noticeMs = await waitDesk(desk, 'the first push', (s) => s.unsentCount < count, 600_000);
  const pushMs = await waitDesk(desk, 'the queue to drain', (s) => s.unsentCount === 0, 1_800_000);
  const totalMs = noticeMs + pushMs;
  return {
    name: 'catch_up',
    value: round(totalMs / 1000, 2),
    unit: 's',
    baseline: null,
    ratio: null,
    goal: 'отчёт (цели нет)',
    met: null,
    details: {
      operations: count,
      noticeSeconds: round(noticeMs / 1000, 2),
      pushSeconds: round(pushMs / 1000, 2),
      operationsPerSecondWhilePushing: Math.round(count / (pushMs / 1000)),
    },
  };
}
