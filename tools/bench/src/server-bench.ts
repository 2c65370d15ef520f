/**
 * 1. Server ingest: billing payments of three lines pushed through the real HTTP sync API by 20
 *    concurrent desks in batches of 500, against the same rows written straight into PostgreSQL.
 * 2. Online push latency: one operation at a time from a desk while 500 desks poll the server.
 */
import { v7 as uuidv7 } from 'uuid';
import { computeCommission } from '@paydesk/domain';
import { exampleBody, PROTOCOL_VERSION, type OpBody } from '@paydesk/protocol';
import { opHash } from '@paydesk/protocol/node';
import { accountNumber } from './data.ts';
import { createDesk, enrollDesk } from '@paydesk/server/desks';
import { openDatabase } from '@paydesk/server/database';
import { latencies, round, type BenchResult } from './measure.ts';
import type { BenchStack } from './stack.ts';

export interface SimDesk {
  deskId: string;
  deskKey: string;
  epoch: number;
  seq: number;
  pointId: string;
}

interface Op {
  seq: number;
  opId: string;
  type: 'payment.accepted';
  body: OpBody<'payment.accepted'>;
  hash: string;
}

const WATER = { kind: 'percent', mode: 'on_top', rateBp: 100 } as const;

/** Desks enrolled straight through the server's own functions: the HTTP enrollment is rate-limited on purpose. */
export async function enrollDesks(stack: BenchStack, count: number, prefix: string): Promise<SimDesk[]> {
  const open = await openDatabase({ url: stack.dbUrl, poolSize: 4 });
  try {
    const out: SimDesk[] = [];
    for (let i = 0; i < count; i++) {
      const created = await createDesk(open.db, { name: `${prefix} ${i + 1}`, pointCode: 'P1' }, { type: 'system', id: null }, 1);
      const e = await enrollDesk(open.db, created.enrollmentCode, undefined);
      out.push({ deskId: e.deskId, deskKey: e.deskKey, epoch: e.epoch, seq: 0, pointId: e.pointId });
    }
    return out;
  } finally {
    await open.close();
  }
}

export function paymentOp(desk: SimDesk, cashierId: string, n: number, account: string): Op {
  const [a, b, c] = [10_000 + (n % 90) * 100, 5_000 + (n % 40) * 100, 20_000 + (n % 70) * 100];
  const fee = computeCommission(WATER, b).commissionKop;
  const body: OpBody<'payment.accepted'> = {
    ...exampleBody('payment.accepted'),
    cashierId,
    number: `Б-${n}`,
    acceptedAt: new Date().toISOString(),
    method: 'cash',
    shiftNumber: 1,
    accountNumber: account,
    lines: [
      { serviceCode: 'MAINT', period: '2026-11', amountKop: a, penaltyKop: 0, commissionKop: 0 },
      { serviceCode: 'CW', period: '2026-11', amountKop: b, penaltyKop: 0, commissionKop: fee },
      { serviceCode: 'HEAT', period: '2026-11', amountKop: c, penaltyKop: 0, commissionKop: 0 },
    ],
    commissionKop: fee,
    totalKop: a + b + c + fee,
  };
  delete (body as { tenderedKop?: number }).tenderedKop;
  desk.seq++;
  return { seq: desk.seq, opId: uuidv7(), type: 'payment.accepted', body, hash: opHash(body) };
}

async function push(stack: BenchStack, desk: SimDesk, ops: Op[]): Promise<void> {
  const r = await fetch(`${stack.server.url}/api/v1/sync/push`, {
    method: 'POST',
    headers: { authorization: `Bearer ${desk.deskKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ protocolVersion: PROTOCOL_VERSION, deskId: desk.deskId, epoch: desk.epoch, ops }),
  });
  if (r.status !== 200) throw new Error(`push: ${r.status} ${(await r.text()).slice(0, 300)}`);
  const res = (await r.json()) as { results: { outcome: string; code?: string }[] };
  const bad = res.results.find((x) => x.outcome !== 'applied');
  if (bad) throw new Error(`push: an operation was ${bad.outcome} (${bad.code ?? ''}) — the benchmark's data are wrong`);
}

export async function cashierId(stack: BenchStack): Promise<string> {
  const users = await stack.server.admin.call<{ items: { id: string; login: string }[] }>('GET', '/api/v1/users');
  return users.items.find((u) => u.login === 'cashier')?.id as string;
}

export async function benchIngest(
  stack: BenchStack,
  accounts: number,
  batchesPerDesk: number,
  log: (l: string) => void,
): Promise<{ result: BenchResult; desks: SimDesk[] }> {
  const desks = await enrollDesks(stack, 20, 'Нагрузочная касса');
  const cashier = await cashierId(stack);
  let n = 0;
  const batches = desks.map((d) =>
    Array.from({ length: batchesPerDesk }, () =>
      Array.from({ length: 500 }, () => {
        const i = n++;
        return paymentOp(d, cashier, i, accountNumber(i % accounts));
      }),
    ),
  );
  const total = n;
  const ms: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    desks.map(async (d, k) => {
      for (const batch of batches[k] ?? []) {
        const s = performance.now();
        await push(stack, d, batch);
        ms.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  log(`Приём сервером: ${total} операций за ${seconds.toFixed(1)} с`);

  // The same rows, straight into tables shaped like the server's, by one client.
  const db = stack.db;
  for (const t of ['ops', 'payments', 'payment_lines'])
    await db.query(`CREATE TABLE base_${t} (LIKE ${t} INCLUDING DEFAULTS INCLUDING INDEXES)`);
  const supplier = new Map(
    (await db.query<{ code: string; supplier_id: string }>('SELECT code, supplier_id FROM services')).rows.map((r) => [
      r.code,
      r.supplier_id,
    ]),
  );
  const insert = async (table: string, cols: string[], rows: unknown[][]): Promise<void> => {
    const params: unknown[] = [];
    const values = rows.map((r) => `(${r.map((v) => `$${params.push(v)}`).join(', ')})`).join(', ');
    await db.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values} ON CONFLICT DO NOTHING`, params);
  };
  const b0 = performance.now();
  for (const [k, desk] of desks.entries()) {
    for (const batch of batches[k] ?? []) {
      await db.query('BEGIN');
      await insert(
        'base_ops',
        ['desk_id', 'epoch', 'seq', 'op_id', 'type', 'body', 'body_hash', 'outcome'],
        batch.map((o) => [desk.deskId, desk.epoch, o.seq, o.opId, o.type, JSON.stringify(o.body), o.hash, 'applied']),
      );
      await insert(
        'base_payments',
        [
          'op_id',
          'desk_id',
          'point_id',
          'cashier_id',
          'kind',
          'number',
          'account_number',
          'accepted_at',
          'shift_number',
          'method',
          'total_kop',
          'commission_kop',
          'principal_kop',
          'fiscal',
        ],
        batch.map((o) => [
          o.opId,
          desk.deskId,
          desk.pointId,
          cashier,
          'billing',
          o.body.number,
          o.body.accountNumber,
          o.body.acceptedAt,
          1,
          'cash',
          o.body.totalKop,
          o.body.commissionKop,
          o.body.totalKop - o.body.commissionKop,
          JSON.stringify(o.body.fiscal),
        ]),
      );
      await insert(
        'base_payment_lines',
        ['op_id', 'line_no', 'code', 'supplier_id', 'period', 'amount_kop', 'penalty_kop', 'commission_kop'],
        batch.flatMap((o) =>
          o.body.lines.map((l, i) => [
            o.opId,
            i + 1,
            l.serviceCode,
            supplier.get(l.serviceCode),
            l.period,
            l.amountKop,
            l.penaltyKop,
            l.commissionKop ?? 0,
          ]),
        ),
      );
      await db.query('COMMIT');
    }
  }
  const baselineSeconds = (performance.now() - b0) / 1000;
  for (const t of ['ops', 'payments', 'payment_lines']) await db.query(`DROP TABLE base_${t}`);
  const value = total / seconds;
  const baseline = total / baselineSeconds;
  const l = latencies(ms);
  return {
    desks,
    result: {
      name: 'server_ingest',
      value: Math.round(value),
      unit: 'ops/s',
      baseline: Math.round(baseline),
      ratio: round(value / baseline, 3),
      goal: 'ratio ≥ 0.5',
      met: value / baseline >= 0.5,
      details: {
        operations: total,
        seconds: round(seconds),
        batchP50ms: l.p50,
        batchP99ms: l.p99,
        baselineSeconds: round(baselineSeconds),
      },
    },
  };
}

export async function benchOnlineLatency(
  stack: BenchStack,
  existing: SimDesk[],
  accounts: number,
  desksTotal: number,
  pushes: number,
  log: (l: string) => void,
): Promise<BenchResult> {
  const desks = [...existing, ...(await enrollDesks(stack, Math.max(0, desksTotal - existing.length), 'Касса сети'))];
  const cashier = await cashierId(stack);
  const version = Number((await stack.db.query<{ v: string }>('SELECT last_value AS v FROM ref_version')).rows[0]?.v ?? 0);
  const interval = 10_000;
  let polls = 0;
  let running = true;
  // Every desk pulls at its interval (10 s, the seeded setting) from where its last pull ended, as a
  // desk does, reports its status and probes /health.
  const pollers = desks.slice(1).map(async (d, i) => {
    await new Promise((r) => setTimeout(r, (i * interval) / desks.length));
    let cursor = String(version);
    while (running) {
      const h = { authorization: `Bearer ${d.deskKey}` };
      await fetch(`${stack.server.url}/health`)
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      for (let more = true; more && running;) {
        const page = await fetch(`${stack.server.url}/api/v1/sync/pull?cursor=${cursor}&limit=5000`, { headers: h })
          .then((r) => r.json() as Promise<{ cursor: string; hasMore: boolean }>)
          .catch(() => null);
        more = page?.hasMore ?? false;
        if (page) cursor = page.cursor;
      }
      await fetch(`${stack.server.url}/api/v1/desks/status`, {
        method: 'POST',
        headers: { ...h, 'content-type': 'application/json' },
        body: JSON.stringify({ unsentCount: 0, oldestUnsentAt: null, rejectedCount: 0 }),
      })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      polls++;
      await new Promise((r) => setTimeout(r, interval));
    }
  });
  await new Promise((r) => setTimeout(r, interval));
  const desk = desks[0] as SimDesk;
  const ms: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < pushes; i++) {
    const op = paymentOp(desk, cashier, 5_000_000 + i, accountNumber((i * 13) % accounts));
    const s = performance.now();
    await push(stack, desk, [op]);
    ms.push(performance.now() - s);
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - t0) / 1000;
  running = false;
  await Promise.all(pollers);
  log(`Одиночные отправки: ${pushes} при ${desks.length} кассах на связи (${Math.round(polls / seconds)} опросов/с)`);
  const l = latencies(ms);
  return {
    name: 'online_push_latency',
    value: l.p99,
    unit: 'ms p99',
    baseline: null,
    ratio: null,
    goal: 'p99 < 20 ms',
    met: l.p99 < 20,
    details: { p50: l.p50, p99: l.p99, max: l.max, pushes, desksConnected: desks.length, pollsPerSecond: Math.round(polls / seconds) },
  };
}
