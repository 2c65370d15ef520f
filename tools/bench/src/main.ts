/**
 * `npm run bench [-- --scale 0.1]`: the seven benchmarks in the order their data build up (import →
 * first pull → search → desk payments → catch-up → server ingest → online latency), each beside the
 * physical limit of the same work measured in this run. Prints a table, writes
 * bench/results/latest.json. Benchmarks report; they never fail the build.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { benchCatchUp, benchDeskPayment } from './desk-bench.ts';
import { benchFirstPull, benchImport, benchSearch } from './import-and-pull.ts';
import type { BenchResult } from './measure.ts';
import { benchIngest, benchOnlineLatency } from './server-bench.ts';
import { ROOT, startBenchStack } from './stack.ts';

const opts = new Command('paydesk-bench')
  .option('--scale <x>', 'sizes × x (1 = a million accounts)', '1')
  .parse(process.argv)
  .opts<{ scale: string }>();

const log = (line: string): void => console.log(`  ${line}`);

async function main(): Promise<void> {
  const scale = Number(opts.scale);
  if (!(scale > 0 && scale <= 1)) throw new Error('--scale: число от 0 до 1');
  const sizes = {
    accounts: Math.round(1_000_000 * scale),
    ingestBatchesPerDesk: Math.max(1, Math.round(5 * scale)),
    deskPayments: Math.max(200, Math.round(2_000 * scale)),
    searchSamples: Math.max(100, Math.round(500 * scale)),
    catchUp: Math.max(500, Math.round(10_000 * scale)),
    onlineDesks: Math.max(50, Math.round(500 * scale)),
    onlinePushes: Math.max(200, Math.round(1_000 * scale)),
  };
  console.log(`Paydesk bench: масштаб ${scale} ${JSON.stringify(sizes)}`);
  const started = Date.now();
  const stack = await startBenchStack(log);
  const results: BenchResult[] = [];
  const record = (r: BenchResult): void => {
    results.push(r);
    log(`${r.name}: ${r.value} ${r.unit}${r.baseline !== null ? ` (база ${r.baseline}, отношение ${r.ratio ?? ''})` : ''}`);
  };
  try {
    const imported = await benchImport(stack, sizes.accounts, log);
    record(imported.result);
    const pulled = await benchFirstPull(stack, sizes.accounts, log);
    record(pulled.result);
    for (const r of await benchSearch(pulled.desk, sizes.accounts, sizes.searchSamples)) record(r);
    record(await benchDeskPayment(stack, pulled.desk, sizes.accounts, sizes.deskPayments));
    record(await benchCatchUp(stack, pulled.desk, sizes.accounts, sizes.catchUp, log));
    await pulled.desk.stop();
    const ingest = await benchIngest(stack, sizes.accounts, sizes.ingestBatchesPerDesk, log);
    record(ingest.result);
    record(await benchOnlineLatency(stack, ingest.desks, sizes.accounts, sizes.onlineDesks, sizes.onlinePushes, log));
  } finally {
    await stack.close();
  }
  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${release()}`,
    node: process.version,
  };
  const out = {
    at: new Date().toISOString(),
    scale,
    sizes,
    machine,
    seconds: Math.round((Date.now() - started) / 1000),
    results: results.map(({ name, value, unit, baseline, ratio, goal, met, details }) => ({
      name,
      value,
      unit,
      baseline,
      ratio,
      goal,
      met,
      details,
    })),
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  printTable(results);
  console.log(
    `\nМашина: ${machine.cpus} ядра, ${machine.cpu}, ${machine.memoryGiB} ГиБ, ${machine.node}. Всего ${out.seconds} с. Результаты: bench/results/latest.json`,
  );
}

function printTable(results: BenchResult[]): void {
  const rows = [
    ['benchmark', 'value', 'unit', 'baseline', 'ratio', 'goal', 'met'],
    ...results.map((r) => [
      r.name,
      String(r.value),
      r.unit,
      r.baseline === null ? '—' : String(r.baseline),
      r.ratio === null ? '—' : String(r.ratio),
      r.goal,
      r.met === null ? '—' : r.met ? 'yes' : 'NO',
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  console.log('');
  for (const [k, r] of rows.entries()) {
    console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
    if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

main().catch((e: unknown) => {
  console.error(`Paydesk bench: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
