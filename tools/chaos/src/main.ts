/**
 * `npm run chaos -- --profile short|long [--seed N] [--minutes M] [--desks N]`: runs the workload
 * under scheduled faults, stops the faults, lets the queues drain, checks every invariant and prints
 * the report. Exits non-zero when an invariant fails. The seed is printed and replays the choices.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { FaultScheduler } from './faults.ts';
import { checkInvariants, readProviderMoney } from './invariants.ts';
import { rng } from './rng.ts';
import { startStack } from './stack.ts';
import { DeskDriver, SCENARIOS, type LedgerEntry, type WorkloadStats } from './workload.ts';

// One desk of each profile drives a KKMServer. Restores put back copies at least `minCopyAgeMs` old:
// half a minute in the short profile (its whole run is two), minutes in the long one.
const PROFILES = {
  short: {
    desks: 3,
    kkmDesks: 1,
    minutes: 1.75,
    faultEveryMs: [2_000, 3_500] as [number, number],
    townSize: 600,
    paceMs: [150, 600] as [number, number],
    restore: { copyEveryMs: 7_000, minCopyAgeMs: 15_000 },
  },
  long: {
    desks: 4,
    kkmDesks: 1,
    minutes: 30,
    faultEveryMs: [4_000, 10_000] as [number, number],
    townSize: 3_000,
    paceMs: [200, 900] as [number, number],
    restore: { copyEveryMs: 60_000, minCopyAgeMs: 180_000 },
  },
};
/** When a kind has not been injected by the end (restores deferred), the run goes on up to this long. */
const OVERTIME_MS = 60_000;

const program = new Command('paydesk-chaos')
  .option('--profile <name>', 'short (CI, ~2 min) | long', 'short')
  .option('--seed <n>', 'seed to replay a run')
  .option('--minutes <m>', 'how long to inject faults (long: 30)')
  .option('--desks <n>', 'how many desks')
  .option('--report <file>', 'also write the report as JSON')
  .option('--sabotage', 'remove one payment from the server before the checks, to see them fail')
  .parse(process.argv);
const opts = program.opts<{ profile: string; seed?: string; minutes?: string; desks?: string; report?: string; sabotage?: boolean }>();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (line: string): void => console.log(`  ${line}`);

async function main(): Promise<number> {
  const base = PROFILES[opts.profile as keyof typeof PROFILES];
  if (!base) throw new Error(`--profile: short или long, не ${opts.profile}`);
  const profile = {
    ...base,
    ...(opts.minutes ? { minutes: Number(opts.minutes) } : {}),
    ...(opts.desks ? { desks: Number(opts.desks) } : {}),
  };
  const seed = opts.seed ? Number(opts.seed) : Math.floor(Math.random() * 2 ** 31);
  console.log(
    `Paydesk chaos: профиль ${opts.profile}, касс ${profile.desks}, ${profile.minutes} мин, seed ${seed} (повтор: --seed ${seed})`,
  );
  const started = Date.now();
  const stack = await startStack({
    desks: profile.desks,
    kkmDesks: Math.min(profile.kkmDesks, profile.desks - 1),
    townSize: profile.townSize,
    log,
  });
  const ledger = new Map<string, LedgerEntry>();
  const stats: WorkloadStats = { attempted: 0, duplicatesSent: 0, networkErrors: 0, byKind: {}, scenarios: {}, violations: [] };
  try {
    const accounts = stack.town.accountsCsv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(';'))
      .filter((r) => r[8] === 'active')
      .map((r) => r[0] as string);
    const drivers = stack.desks.map((d, i) => new DeskDriver(d, rng(seed + i + 1), ledger, stats, accounts, stack.desks.length));
    const providersBefore = await readProviderMoney(stack.dbUrl);
    const faults = new FaultScheduler(stack, drivers, rng(seed), profile.faultEveryMs, profile.restore, log);
    const end = Date.now() + profile.minutes * 60_000;
    const pace = rng(seed + 100);
    faults.start();
    const loadStarted = Date.now();
    // Every kind at least once: a run whose last restores were deferred goes on a little.
    const finished = (): boolean =>
      Date.now() >= end &&
      ((faults.kinds.every((k) => faults.injected[k]) && drivers.every((d) => d.scenesPending === 0)) || Date.now() >= end + OVERTIME_MS);
    await Promise.all(
      drivers.map(async (driver) => {
        while (!finished()) {
          await driver.step();
          await sleep(pace.int(...profile.paceMs));
        }
      }),
    );
    await faults.stop();
    const faultsStopped = Date.now();
    log(`Нагрузка и сбои: ${((faultsStopped - loadStarted) / 1000).toFixed(0)} с; ждём ответов и досылки…`);

    const unresolved = (await Promise.all(drivers.map((d) => d.resolveUnknown(Date.now() + 90_000)))).reduce((a, b) => a + b, 0);
    await Promise.all(drivers.map((d) => d.finishPrinting()));
    const drainedIn = await drain(stack, 180_000);
    const drainSeconds = (Date.now() - faultsStopped) / 1000;
    if (opts.sabotage) await sabotage(stack.dbUrl);
    const scenesPlayed = Object.values(stats.scenarios).reduce((n, s) => n + Object.values(s).reduce((a, b) => a + b, 0), 0);
    const checks = await checkInvariants(stack, {
      ledger,
      restores: faults.restores,
      violations: stats.violations,
      providersBefore,
      registers: drivers.map((d) => d.register),
      scenesPlayed,
      survived: { checked: faults.dbDrops, failures: faults.violations },
    });

    const entries = [...ledger.values()];
    const refusedBy: Record<string, number> = {};
    const refusedSample: Record<string, string> = {};
    for (const e of entries) {
      if (e.outcome !== 'refused') continue;
      const key = `касса ${e.desk + 1} ${e.kind} ${e.code ?? '?'}`;
      refusedBy[key] = (refusedBy[key] ?? 0) + 1;
      refusedSample[key] ??= e.detail ?? '';
    }
    const report = {
      seed,
      profile: opts.profile,
      desks: profile.desks,
      minutes: profile.minutes,
      operations: {
        attempted: stats.attempted,
        accepted: entries.filter((e) => e.outcome === 'accepted').length,
        refused: refusedBy,
        unresolved,
        duplicatesSent: stats.duplicatesSent,
        networkErrorsSeen: stats.networkErrors,
        byKind: stats.byKind,
      },
      refusedSample,
      scenes: stats.scenarios,
      faults: faults.injected,
      restores: {
        journals: faults.restores.journals.map((r) => ({ desk: r.desk + 1, copyAgeSeconds: Math.round((r.restoredAt - r.copyAt) / 1000) })),
        server: faults.restores.server.map((r) => ({ dumpAgeSeconds: Math.round((r.restoredAt - r.dumpAt) / 1000) })),
      },
      kkmDesks: stack.desks.filter((d) => d.kkm).map((d) => d.index + 1),
      restarts: { server: stack.server.starts - 1, desks: stack.desks.map((d) => d.starts - 1) },
      provider: stack.sim.stats(),
      drain: { seconds: Number(drainSeconds.toFixed(1)), complete: drainedIn !== null },
      invariants: checks.map((c) => ({ name: c.name, checked: c.checked, failed: c.failures.length, examples: c.failures.slice(0, 10) })),
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
    printReport(report);
    if (opts.report) writeFileSync(opts.report, JSON.stringify(report, null, 2));
    // A scene counts once a cashier has played it, not when it was asked for.
    const missing = faults.kinds.filter(
      (k) => !faults.injected[k] || ((SCENARIOS as readonly string[]).includes(k) && !stats.scenarios[k]),
    );
    if (missing.length > 0) console.log(`  Не внесены сбои: ${missing.join(', ')} — прогон слишком короткий для профиля`);
    if (drainedIn === null) console.log('  Очереди не опустели за отведённое время');
    const failed = checks.filter((c) => c.failures.length > 0).length + (drainedIn === null ? 1 : 0) + (missing.length > 0 ? 1 : 0);
    if (failed > 0) {
      const kept = `/tmp/paydesk-chaos-${seed}`;
      cpSync(stack.logDir, kept, { recursive: true });
      console.log(`  Вывод процессов: ${kept}`);
    }
    console.log(failed === 0 ? `CHAOS PASS (seed ${seed})` : `CHAOS FAIL: нарушено проверок: ${failed} (seed ${seed})`);
    return failed === 0 ? 0 : 1;
  } finally {
    await stack.close();
  }
}

/** Waits until every desk has sent everything and the server has forwarded every payment. */
async function drain(stack: Awaited<ReturnType<typeof startStack>>, timeoutMs: number): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    let busy = 0;
    for (const d of stack.desks) {
      const s = (await (await fetch(`${d.url}/api/test/sync`, { method: 'POST' }).catch(() => null))?.json().catch(() => null)) as {
        unsentCount?: number;
        reference?: { loaded: boolean };
      } | null;
      if (!s || (s.unsentCount ?? 1) > 0) busy++;
    }
    const { default: pg } = await import('pg');
    const db = new pg.Client({ connectionString: stack.dbUrl });
    await db.connect();
    const pending = Number(
      (await db.query<{ n: string }>("SELECT count(*) AS n FROM forwardings WHERE state IN ('queued', 'sent', 'held')")).rows[0]?.n ?? 0,
    );
    await db.end();
    if (busy === 0 && pending === 0) {
      // One more pull so the desks see the final forwarding states.
      for (const d of stack.desks) await fetch(`${d.url}/api/test/sync`, { method: 'POST' }).catch(() => null);
      return Date.now() - t0;
    }
    await sleep(500);
  }
  return null;
}

/** Proves the checks can fail: one billing payment vanishes from the server as if never recorded. */
async function sabotage(dbUrl: string): Promise<void> {
  const { default: pg } = await import('pg');
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const victim = (await db.query<{ op_id: string }>("SELECT op_id FROM payments WHERE kind = 'billing' AND state = 'accepted' LIMIT 1"))
    .rows[0]?.op_id;
  if (victim) {
    await db.query('DELETE FROM payment_lines WHERE op_id = $1', [victim]);
    await db.query('DELETE FROM payments WHERE op_id = $1', [victim]);
    log(`Саботаж: платёж ${victim} удалён с сервера`);
  }
  await db.end();
}

function printReport(
  r: Record<string, unknown> & { invariants: { name: string; checked: number; failed: number; examples: string[] }[] },
): void {
  const { invariants, ...rest } = r;
  console.log('\nОтчёт:');
  for (const [k, v] of Object.entries(rest)) console.log(`  ${k}: ${JSON.stringify(v)}`);
  console.log('\nИнварианты:');
  for (const c of invariants) {
    console.log(`  ${c.failed === 0 ? 'OK  ' : 'FAIL'} ${c.name} — проверено ${c.checked}${c.failed ? `, нарушено ${c.failed}` : ''}`);
    for (const e of c.examples) console.log(`         ${e}`);
  }
}

main()
  .then((code) => process.exit(code))
  .catch((e: unknown) => {
    console.error(`Paydesk chaos: ${(e as Error).stack ?? String(e)}`);
    process.exit(2);
  });
