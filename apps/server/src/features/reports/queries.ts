/**
 * The back office's reports as SQL over the system of record: one query each, filtered by period
 * (days in the organisation's time zone), point, desk and cashier. Money stays in kopecks.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../../db/database.ts';

export interface ReportFilters {
  from: string;
  to: string;
  point?: string | undefined;
  desk?: string | undefined;
  cashier?: string | undefined;
  timeZone: string;
}

type Num = number | string;
const n = (v: Num | null | undefined): number => Number(v ?? 0);

/** `[from, to]` whole days in the time zone, as a half-open interval of instants. */
function period(column: RawBuilder<unknown>, f: ReportFilters): RawBuilder<unknown> {
  return sql`${column} >= (${f.from}::date)::timestamp AT TIME ZONE ${f.timeZone} AND ${column} < ((${f.to}::date + 1)::timestamp AT TIME ZONE ${f.timeZone})`;
}

function scope(alias: string, f: ReportFilters, cashierColumn = 'cashier_id'): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`TRUE`];
  if (f.point) parts.push(sql`${sql.ref(`${alias}.desk_id`)} IN (SELECT id FROM desks WHERE point_id = ${f.point})`);
  if (f.desk) parts.push(sql`${sql.ref(`${alias}.desk_id`)} = ${f.desk}`);
  if (f.cashier) parts.push(sql`${sql.ref(`${alias}.${cashierColumn}`)} = ${f.cashier}`);
  return sql.join(parts, sql` AND `);
}

const day = (column: RawBuilder<unknown>, f: ReportFilters): RawBuilder<unknown> =>
  sql`to_char(${column} AT TIME ZONE ${f.timeZone}, 'YYYY-MM-DD')`;

export type SummaryGroup = 'desk' | 'point' | 'cashier' | 'day';

export interface SummaryRow {
  key: string;
  label: string;
  billingCount: number;
  billingKop: number;
  thirdpartyCount: number;
  thirdpartyKop: number;
  serviceCount: number;
  serviceKop: number;
  cashKop: number;
  cardKop: number;
  commissionKop: number;
  reversedCount: number;
  reversedKop: number;
  netKop: number;
}

export async function summary(db: Database, f: ReportFilters, groupBy: SummaryGroup): Promise<SummaryRow[]> {
  const group = {
    desk: { key: sql`p.desk_id::text`, label: sql`pt.name || ' · ' || d.name` },
    point: { key: sql`p.point_id::text`, label: sql`pt.name` },
    cashier: { key: sql`p.cashier_id::text`, label: sql`COALESCE(u.name, p.cashier_id::text)` },
    day: { key: day(sql.ref('p.accepted_at'), f), label: day(sql.ref('p.accepted_at'), f) },
  }[groupBy];
  const rows = await sql<Record<string, Num>>`
    SELECT ${group.key} AS key, ${group.label} AS label,
      COUNT(*) FILTER (WHERE p.kind = 'billing') AS billing_count, COALESCE(SUM(p.total_kop) FILTER (WHERE p.kind = 'billing'), 0) AS billing_kop,
      COUNT(*) FILTER (WHERE p.kind = 'thirdparty') AS thirdparty_count, COALESCE(SUM(p.total_kop) FILTER (WHERE p.kind = 'thirdparty'), 0) AS thirdparty_kop,
      COUNT(*) FILTER (WHERE p.kind = 'service') AS service_count, COALESCE(SUM(p.total_kop) FILTER (WHERE p.kind = 'service'), 0) AS service_kop,
      COALESCE(SUM(p.total_kop) FILTER (WHERE p.method = 'cash'), 0) AS cash_kop, COALESCE(SUM(p.total_kop) FILTER (WHERE p.method = 'card'), 0) AS card_kop,
      COALESCE(SUM(p.commission_kop), 0) AS commission_kop,
      COUNT(r.op_id) AS reversed_count, COALESCE(SUM(r.amount_kop), 0) AS reversed_kop
    FROM payments p
    JOIN desks d ON d.id = p.desk_id JOIN points pt ON pt.id = p.point_id
    LEFT JOIN users u ON u.id = p.cashier_id
    LEFT JOIN reversals r ON r.original_op_id = p.op_id
    WHERE ${period(sql.ref('p.accepted_at'), f)} AND ${scope('p', f)}
    GROUP BY 1, 2 ORDER BY 2`.execute(db);
  return rows.rows.map((r) => {
    const total = n(r['billing_kop']) + n(r['thirdparty_kop']) + n(r['service_kop']);
    return {
      key: String(r['key']),
      label: String(r['label']),
      billingCount: n(r['billing_count']),
      billingKop: n(r['billing_kop']),
      thirdpartyCount: n(r['thirdparty_count']),
      thirdpartyKop: n(r['thirdparty_kop']),
      serviceCount: n(r['service_count']),
      serviceKop: n(r['service_kop']),
      cashKop: n(r['cash_kop']),
      cardKop: n(r['card_kop']),
      commissionKop: n(r['commission_kop']),
      reversedCount: n(r['reversed_count']),
      reversedKop: n(r['reversed_kop']),
      netKop: total - n(r['reversed_kop']),
    };
  });
}

export interface SupplierDayRow {
  day: string;
  supplier: string;
  inn: string;
  payments: number;
  lines: number;
  amountKop: number;
  penaltyKop: number;
  commissionKop: number;
}

/** What each supplier is owed per day: the lines of payments not reversed, as the registries carry them. */
export async function suppliersByDay(db: Database, f: ReportFilters): Promise<SupplierDayRow[]> {
  const rows = await sql<Record<string, Num>>`
    SELECT ${day(sql.ref('p.accepted_at'), f)} AS day, s.name AS supplier, s.inn AS inn, COUNT(DISTINCT p.op_id) AS payments, COUNT(*) AS lines,
      SUM(l.amount_kop) AS amount_kop, SUM(l.penalty_kop) AS penalty_kop, SUM(l.commission_kop) AS commission_kop
    FROM payment_lines l JOIN payments p ON p.op_id = l.op_id JOIN suppliers s ON s.id = l.supplier_id
    WHERE p.kind = 'billing' AND p.state = 'accepted' AND ${period(sql.ref('p.accepted_at'), f)} AND ${scope('p', f)}
    GROUP BY 1, 2, 3 ORDER BY 1, 2`.execute(db);
  return rows.rows.map((r) => ({
    day: String(r['day']),
    supplier: String(r['supplier']),
    inn: String(r['inn']),
    payments: n(r['payments']),
    lines: n(r['lines']),
    amountKop: n(r['amount_kop']),
    penaltyKop: n(r['penalty_kop']),
    commissionKop: n(r['commission_kop']),
  }));
}

export interface ProviderDayRow {
  day: string;
  provider: string;
  count: number;
  amountKop: number;
  commissionKop: number;
  confirmed: number;
  inTransit: number;
  failed: number;
  reversed: number;
}

export async function providersByDay(db: Database, f: ReportFilters): Promise<ProviderDayRow[]> {
  const rows = await sql<Record<string, Num>>`
    SELECT ${day(sql.ref('p.accepted_at'), f)} AS day, COALESCE(pr.name, p.provider_code) AS provider, COUNT(*) AS count,
      SUM(p.principal_kop) AS amount_kop, SUM(p.commission_kop) AS commission_kop,
      COUNT(*) FILTER (WHERE w.state = 'confirmed') AS confirmed, COUNT(*) FILTER (WHERE w.state IN ('queued', 'sent')) AS in_transit,
      COUNT(*) FILTER (WHERE w.state = 'failed') AS failed, COUNT(*) FILTER (WHERE p.state = 'reversed') AS reversed
    FROM payments p LEFT JOIN providers pr ON pr.code = p.provider_code LEFT JOIN forwardings w ON w.op_id = p.op_id
    WHERE p.kind = 'thirdparty' AND ${period(sql.ref('p.accepted_at'), f)} AND ${scope('p', f)}
    GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
  return rows.rows.map((r) => ({
    day: String(r['day']),
    provider: String(r['provider']),
    count: n(r['count']),
    amountKop: n(r['amount_kop']),
    commissionKop: n(r['commission_kop']),
    confirmed: n(r['confirmed']),
    inTransit: n(r['in_transit']),
    failed: n(r['failed']),
    reversed: n(r['reversed']),
  }));
}

export interface ReadingsRow {
  supplier: string;
  period: string;
  service: string;
  readings: number;
  accounts: number;
  onReview: number;
}

export async function readingsBySupplier(db: Database, f: ReportFilters): Promise<ReadingsRow[]> {
  const rows = await sql<Record<string, Num>>`
    SELECT COALESCE(s.name, '—') AS supplier, r.period AS period, COALESCE(sv.name, r.service_code) AS service, COUNT(*) AS readings,
      COUNT(DISTINCT r.account_number) AS accounts, COUNT(*) FILTER (WHERE r.review) AS on_review
    FROM readings r LEFT JOIN services sv ON sv.code = r.service_code LEFT JOIN suppliers s ON s.id = sv.supplier_id
    WHERE ${period(sql.ref('r.submitted_at'), f)} AND ${scope('r', f)}
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(db);
  return rows.rows.map((r) => ({
    supplier: String(r['supplier']),
    period: String(r['period']),
    service: String(r['service']),
    readings: n(r['readings']),
    accounts: n(r['accounts']),
    onReview: n(r['on_review']),
  }));
}

export interface CommissionRow {
  source: string;
  name: string;
  count: number;
  baseKop: number;
  commissionKop: number;
}

/** The agent's fee earned, by whom it was charged for; reversed payments earn nothing. */
export async function commissionBySource(db: Database, f: ReportFilters): Promise<CommissionRow[]> {
  const rows = await sql<Record<string, Num>>`
    SELECT 'ЖКУ' AS source, s.name AS name, COUNT(DISTINCT p.op_id) AS count, SUM(l.amount_kop + l.penalty_kop) AS base_kop, SUM(l.commission_kop) AS commission_kop
      FROM payment_lines l JOIN payments p ON p.op_id = l.op_id JOIN suppliers s ON s.id = l.supplier_id
      WHERE p.kind = 'billing' AND p.state = 'accepted' AND ${period(sql.ref('p.accepted_at'), f)} AND ${scope('p', f)}
      GROUP BY 1, 2
    UNION ALL
    SELECT 'Третьи лица', COALESCE(pr.name, p.provider_code), COUNT(*), SUM(p.principal_kop), SUM(p.commission_kop)
      FROM payments p LEFT JOIN providers pr ON pr.code = p.provider_code
      WHERE p.kind = 'thirdparty' AND p.state = 'accepted' AND ${period(sql.ref('p.accepted_at'), f)} AND ${scope('p', f)}
      GROUP BY 1, 2
    ORDER BY 1, 2`.execute(db);
  return rows.rows.map((r) => ({
    source: String(r['source']),
    name: String(r['name']),
    count: n(r['count']),
    baseKop: n(r['base_kop']),
    commissionKop: n(r['commission_kop']),
  }));
}

export interface ReversalRow {
  at: string;
  desk: string;
  number: string;
  cashier: string;
  approvedBy: string | null;
  reason: string;
  method: string;
  amountKop: number;
}

export async function reversalsList(db: Database, f: ReportFilters): Promise<ReversalRow[]> {
  const rows = await sql<Record<string, string | null> & { amount_kop: Num; reversed_at: Date }>`
    SELECT r.reversed_at, pt.name || ' · ' || d.name AS desk, p.number, COALESCE(u.name, r.cashier_id::text) AS cashier, a.name AS approved_by, r.reason, r.method, r.amount_kop
    FROM reversals r JOIN desks d ON d.id = r.desk_id JOIN points pt ON pt.id = d.point_id
    LEFT JOIN payments p ON p.op_id = r.original_op_id LEFT JOIN users u ON u.id = r.cashier_id LEFT JOIN users a ON a.id = r.approved_by
    WHERE ${period(sql.ref('r.reversed_at'), f)} AND ${scope('r', f)}
    ORDER BY r.reversed_at`.execute(db);
  return rows.rows.map((r) => ({
    at: new Date(r.reversed_at).toISOString(),
    desk: String(r['desk']),
    number: r['number'] ?? '—',
    cashier: String(r['cashier']),
    approvedBy: r['approved_by'] ?? null,
    reason: String(r['reason']),
    method: String(r['method']),
    amountKop: n(r.amount_kop),
  }));
}

export interface CorrectionRow {
  at: string;
  desk: string;
  number: string;
  cashier: string;
  approvedBy: string;
  direction: 'income' | 'return';
  correctionType: 'self' | 'instruction';
  basis: string;
  description: string;
  method: string;
  totalKop: number;
}

/** Correction receipts (чеки коррекции): money a desk took or returned without a receipt, made good. */
export async function correctionsList(db: Database, f: ReportFilters): Promise<CorrectionRow[]> {
  const rows = await sql<Record<string, string | null> & { total_kop: Num; made_at: Date; base_date: Date | string }>`
    SELECT c.made_at, pt.name || ' · ' || d.name AS desk, c.number, COALESCE(u.name, c.cashier_id::text) AS cashier,
      COALESCE(a.name, c.approved_by::text) AS approved_by, c.direction, c.correction_type, c.base_date, c.base_number, c.description, c.method, c.total_kop
    FROM corrections c JOIN desks d ON d.id = c.desk_id JOIN points pt ON pt.id = d.point_id
    LEFT JOIN users u ON u.id = c.cashier_id LEFT JOIN users a ON a.id = c.approved_by
    WHERE ${period(sql.ref('c.made_at'), f)} AND ${scope('c', f)}
    ORDER BY c.made_at`.execute(db);
  return rows.rows.map((r) => {
    const day = typeof r.base_date === 'string' ? r.base_date.slice(0, 10) : new Date(r.base_date).toISOString().slice(0, 10);
    return {
      at: new Date(r.made_at).toISOString(),
      desk: String(r['desk']),
      number: String(r['number']),
      cashier: String(r['cashier']),
      approvedBy: String(r['approved_by']),
      direction: r['direction'] === 'return' ? 'return' : 'income',
      correctionType: r['correction_type'] === 'instruction' ? 'instruction' : 'self',
      basis: `${day.split('-').reverse().join('.')}${r['base_number'] ? ` № ${r['base_number']}` : ''}`,
      description: String(r['description']),
      method: String(r['method']),
      totalKop: n(r.total_kop),
    };
  });
}

export interface CashRow {
  at: string;
  desk: string;
  cashier: string;
  type: 'in' | 'out' | 'counted';
  shiftNumber: number;
  amountKop: number;
  expectedKop: number | null;
  differenceKop: number | null;
  comment: string | null;
}

export async function cashOps(db: Database, f: ReportFilters): Promise<CashRow[]> {
  const rows = await sql<{
    at: Date;
    desk: string;
    cashier: string;
    type: CashRow['type'];
    shift_number: number;
    amount_kop: Num;
    expected_kop: Num | null;
    difference_kop: Num | null;
    comment: string | null;
  }>`
    SELECT c.at, pt.name || ' · ' || d.name AS desk, COALESCE(u.name, c.cashier_id::text) AS cashier, c.type, c.shift_number, c.amount_kop, c.expected_kop, c.difference_kop, c.comment
    FROM cash_ops c JOIN desks d ON d.id = c.desk_id JOIN points pt ON pt.id = d.point_id LEFT JOIN users u ON u.id = c.cashier_id
    WHERE ${period(sql.ref('c.at'), f)} AND ${scope('c', f)}
    ORDER BY c.at`.execute(db);
  return rows.rows.map((r) => ({
    at: new Date(r.at).toISOString(),
    desk: r.desk,
    cashier: r.cashier,
    type: r.type,
    shiftNumber: r.shift_number,
    amountKop: n(r.amount_kop),
    expectedKop: r.expected_kop === null ? null : n(r.expected_kop),
    differenceKop: r.difference_kop === null ? null : n(r.difference_kop),
    comment: r.comment,
  }));
}

export interface DeskAttentionRow {
  desk: string;
  point: string;
  lastSeenAt: string | null;
  shiftOpen: boolean;
  shiftNumber: number | null;
  shiftOpenedAt: string | null;
  unsentCount: number;
  oldestUnsentAt: string | null;
  rejectedCount: number;
  revoked: boolean;
  problems: string[];
}

/** Every desk with what needs a person: a shift left open past the day, operations held unsent, silence. */
export async function desksAttention(db: Database, f: Pick<ReportFilters, 'point' | 'desk'>, now: Date): Promise<DeskAttentionRow[]> {
  let q = db
    .selectFrom('desks as d')
    .innerJoin('points as p', 'p.id', 'd.point_id')
    .select(['d.id', 'd.name', 'p.name as point', 'd.last_seen_at', 'd.status', 'd.status_at', 'd.revoked_at']);
  if (f.point) q = q.where('d.point_id', '=', f.point);
  if (f.desk) q = q.where('d.id', '=', f.desk);
  const rows = await q.orderBy('p.name').orderBy('d.name').execute();
  return rows.map((r) => {
    const s = (typeof r.status === 'string' ? JSON.parse(r.status) : r.status) as {
      unsentCount?: number;
      oldestUnsentAt?: string | null;
      rejectedCount?: number;
      shift?: { open: boolean; number: number | null; openedAt: string | null };
    } | null;
    const problems: string[] = [];
    const openedAt = s?.shift?.open ? s.shift.openedAt : null;
    if (openedAt && now.getTime() - new Date(openedAt).getTime() > 24 * 3_600_000) problems.push('смена открыта больше 24 ч');
    if ((s?.unsentCount ?? 0) > 0) problems.push(`не отправлено операций: ${s?.unsentCount ?? 0}`);
    if ((s?.rejectedCount ?? 0) > 0) problems.push(`отклонено сервером: ${s?.rejectedCount ?? 0}`);
    if (!r.revoked_at && (!r.last_seen_at || now.getTime() - new Date(r.last_seen_at).getTime() > 3_600_000))
      problems.push(r.last_seen_at ? 'не выходила на связь больше часа' : 'ни разу не выходила на связь');
    return {
      desk: r.name,
      point: r.point,
      lastSeenAt: r.last_seen_at ? new Date(r.last_seen_at).toISOString() : null,
      shiftOpen: s?.shift?.open ?? false,
      shiftNumber: s?.shift?.number ?? null,
      shiftOpenedAt: openedAt,
      unsentCount: s?.unsentCount ?? 0,
      oldestUnsentAt: s?.oldestUnsentAt ?? null,
      rejectedCount: s?.rejectedCount ?? 0,
      revoked: r.revoked_at !== null,
      problems,
    };
  });
}
