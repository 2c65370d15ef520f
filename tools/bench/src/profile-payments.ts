/**
 * `PAYDESK_BENCH_CPU_PROF=/tmp/prof node tools/bench/bin/profile-payments.mjs [count]`: a desk on a
 * small town taking billing payments one after another through its HTTP API, and nothing else, so
 * the desk's CPU profile shows where a payment's time goes (docs/performance.md).
 */
import { startBenchDesk, startBenchStack, waitDesk } from './stack.ts';

const count = Number(process.argv[2] ?? 600);
const stack = await startBenchStack(console.log);
try {
  const desk = await startBenchDesk(stack, 'Касса профиля');
  await waitDesk(desk, 'the first pull', (s) => s.reference.loaded, 600_000);
  await desk.login();
  await desk.call('POST', '/api/shift/open', { openingFloatKop: 0 });
  const accounts = (await stack.db.query<{ number: string }>('SELECT number FROM accounts ORDER BY number LIMIT 50')).rows.map(
    (r) => r.number,
  );
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const r = await desk.call('POST', '/api/payments', {
      kind: 'billing',
      accountNumber: accounts[i % accounts.length],
      amountKop: 10_000,
      method: 'cash',
    });
    if (r.status > 201) throw new Error(JSON.stringify(r.body));
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (p: number): string => (ms[Math.min(ms.length - 1, Math.floor(ms.length * p))] ?? NaN).toFixed(2);
  console.log(`${count} платежей: p50 ${at(0.5)} мс, p99 ${at(0.99)} мс`);
} finally {
  await stack.close();
}
