/**
 * 7. Import: a million accounts and three million charges into the server from files, against
 *    PostgreSQL's COPY of the same rows.
 * 5. First pull of the million accounts (with three million charges and a million meters) into a new
 *    desk, against the same rows bulk-inserted into the desk's SQLite schema in one process.
 * 4. Search on that desk: account-number prefix, address as typed, owner name.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { houseKey, houseWithBuilding, openJournal, ownerKey, streetKey } from '@paydesk/desk';
import { accountNumber, addressOf, CHARGE_SERVICES, writeBillingFiles, type BenchFiles } from './data.ts';
import { latencies, round, type BenchResult } from './measure.ts';
import { startBenchDesk, waitDesk, type BenchDesk, type BenchStack } from './stack.ts';

async function importFile(stack: BenchStack, kind: string, path: string): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(`${stack.server.url}/api/v1/imports/${kind}?wait=true&fileName=${kind}.csv`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.server.admin.token ?? ''}`, 'content-type': 'text/csv' },
    body: createReadStream(path),
    duplex: 'half',
  });
  const report = (await r.json()) as { status: string; errors?: unknown[] };
  if (report.status !== 'done') throw new Error(`import ${kind}: ${JSON.stringify(report).slice(0, 500)}`);
  return (performance.now() - t0) / 1000;
}

export async function benchImport(
  stack: BenchStack,
  accounts: number,
  log: (l: string) => void,
): Promise<{ result: BenchResult; files: BenchFiles }> {
  const dir = mkdtempSync(join(stack.work, 'files-'));
  const files = await writeBillingFiles(dir, accounts);
  log(`Файлы биллинга: ${accounts} счетов, ${accounts * 3} начислений, ${accounts} счётчиков`);
  const accountsS = await importFile(stack, 'accounts', files.accounts);
  const chargesS = await importFile(stack, 'charges', files.charges);
  const metersS = await importFile(stack, 'meters', files.meters);
  // The physical limit: COPY of the same bytes into tables keyed like the real ones.
  const db = stack.db;
  await db.query(
    'CREATE TABLE bench_accounts (number text PRIMARY KEY, els text, city text, street text, house text, building text, flat text, owner text, status text)',
  );
  await db.query(
    'CREATE TABLE bench_charges (account text, service text, period text, due text, penalty text, charge text, PRIMARY KEY (account, service, period))',
  );
  const copy = async (table: string, path: string): Promise<number> => {
    const t0 = performance.now();
    await db.query(`COPY ${table} FROM '${path}' WITH (FORMAT csv, DELIMITER ';', HEADER true)`);
    return (performance.now() - t0) / 1000;
  };
  const copyAccountsS = await copy('bench_accounts', files.accounts);
  const copyChargesS = await copy('bench_charges', files.charges);
  await db.query('DROP TABLE bench_accounts, bench_charges');
  const seconds = accountsS + chargesS;
  const baseline = copyAccountsS + copyChargesS;
  return {
    files,
    result: {
      name: 'import',
      value: round(seconds),
      unit: 's',
      baseline: round(baseline, 2),
      ratio: round(baseline / seconds, 3),
      goal: 'отчёт (цели нет)',
      met: null,
      details: {
        accounts,
        charges: accounts * 3,
        accountsSeconds: round(accountsS),
        chargesSeconds: round(chargesS),
        metersSeconds: round(metersS),
        rowsPerSecond: Math.round((accounts * 4) / seconds),
        copyAccountsSeconds: round(copyAccountsS, 2),
        copyChargesSeconds: round(copyChargesS, 2),
      },
    },
  };
}

export async function benchFirstPull(
  stack: BenchStack,
  accounts: number,
  log: (l: string) => void,
): Promise<{ result: BenchResult; desk: BenchDesk }> {
  const desk = await startBenchDesk(stack, 'Касса замеров');
  const ms = await waitDesk(desk, 'the first pull', (s) => s.reference.loaded, 3_600_000);
  const rows = accounts * 5;
  log(`Первая загрузка: ${(ms / 1000).toFixed(1)} с`);
  await desk.login();
  // The same rows bulk-inserted into a fresh desk database in one process, with the same search keys.
  const dir = mkdtempSync(join(stack.work, 'sqlite-'));
  const db = openJournal(join(dir, 'journal.sqlite'));
  const t0 = performance.now();
  const acc = db.prepare(
    'INSERT INTO accounts (number, els, city, street, house, building, flat, owner_name, status, street_key, house_key, flat_key, owner_key, version) VALUES (?, NULL, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const chg = db.prepare(
    'INSERT INTO charges (account_number, service_code, period, due_kop, penalty_kop, paid_kop, paid_penalty_kop, charge_kop, version) VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?)',
  );
  const met = db.prepare(
    "INSERT INTO meters (id, account_number, service_code, serial, digits, fraction_digits, verification_due, jump_threshold, last_value, last_date, active, version) VALUES (?, ?, 'CW', ?, 5, 3, '2030-01-01', 30, ?, '2026-10-25', 1, ?)",
  );
  const page = 5_000;
  for (let from = 0; from < accounts; from += page) {
    db.transaction(() => {
      for (let i = from; i < Math.min(from + page, accounts); i++) {
        const a = addressOf(i);
        const n = accountNumber(i);
        const owner = `Владелец ${i}`;
        acc.run(
          n,
          'Мегаполис',
          a.street,
          String(a.house),
          String(a.flat),
          owner,
          'active',
          streetKey(a.street),
          houseWithBuilding(String(a.house), null),
          houseKey(String(a.flat)),
          ownerKey(owner),
          i,
        );
        for (const [k, s] of CHARGE_SERVICES.entries()) chg.run(n, s, '2026-11', 100_000 + k, 0, 100_000 + k, i);
        met.run(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, n, `CW-${n}`, '100', i);
      }
    })();
  }
  const baselineMs = performance.now() - t0;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const value = rows / (ms / 1000);
  const baseline = rows / (baselineMs / 1000);
  return {
    desk,
    result: {
      name: 'first_pull',
      value: Math.round(value),
      unit: 'rows/s',
      baseline: Math.round(baseline),
      ratio: round(value / baseline, 3),
      goal: 'ratio ≥ 0.5',
      met: value / baseline >= 0.5,
      details: { rows, seconds: round(ms / 1000), baselineSeconds: round(baselineMs / 1000) },
    },
  };
}

export async function benchSearch(desk: BenchDesk, accounts: number, samples: number): Promise<BenchResult[]> {
  const kinds: [string, (i: number) => string][] = [
    ['number_prefix', (i) => accountNumber((i * 7919) % accounts).slice(0, 7)],
    [
      'address',
      (i) => {
        const a = addressOf((i * 104_729) % accounts);
        return `${a.street.toLowerCase()} ${a.house} ${a.flat}`;
      },
    ],
    ['owner', (i) => ['иванова', 'смирнов', 'кузнецова а', 'попов б', 'васильева в.г', 'петров'][i % 6] as string],
  ];
  const out: BenchResult[] = [];
  for (const [kind, query] of kinds) {
    const ms: number[] = [];
    let hits = 0;
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      const r = await desk.call<{ items: unknown[] }>('GET', `/api/accounts?q=${encodeURIComponent(query(i))}`);
      if (r.status !== 200) throw new Error(`search ${query(i)}: ${r.status}`);
      ms.push(performance.now() - t0);
      hits += r.body.items.length;
    }
    const l = latencies(ms);
    out.push({
      name: `search_${kind}`,
      value: l.p99,
      unit: 'ms p99',
      baseline: null,
      ratio: null,
      goal: 'p99 < 10 ms',
      met: l.p99 < 10,
      details: { p50: l.p50, p99: l.p99, max: l.max, samples, averageHits: round(hits / samples, 1) },
    });
  }
  return out;
}
