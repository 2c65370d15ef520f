/**
 * The lines of a supplier's registry: one per service and period of each billing payment, and for each
 * reversal that undid a payment the same lines negative. Read live for what is not closed yet (a day's
 * preview, a batch closed before batches were frozen), and written down once when a batch closes
 * (`freezeBatch`), so an accounts import, a supplier's edit or a payment arriving after its reversal
 * never rewrites a registry already sent.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { txnIdFromOpId } from '@paydesk/domain';
import type { DB } from '../../db/schema.ts';

export interface RegistryLine {
  acceptedAt: Date;
  pointCode: string;
  deskName: string;
  opId: string;
  txnId: string;
  accountNumber: string;
  ownerName: string;
  address: string;
  period: string;
  serviceCode: string;
  serviceName: string;
  /** What the payer paid for the line, fee included. */
  acceptedKop: number;
  /** Towards the principal debt (or an advance), to the supplier. */
  principalKop: number;
  /** Towards the penalty (пени), to the supplier. */
  penaltyKop: number;
  /** principal + penalty: what goes to the supplier. */
  transferredKop: number;
  commissionKop: number;
}

export interface SupplierLines {
  paid: RegistryLine[];
  reversed: RegistryLine[];
}

/**
 * What lines are read from: one batch, or what is in no batch yet of a day [from, to) at the points whose
 * day batch is not made (what closing them now would take).
 */
export type LineScope = { batchId: string } | { open: { date: string; from: Date; to: Date } };

interface LineRow {
  at: Date;
  point_code: string;
  desk_name: string;
  op_id: string;
  account_number: string | null;
  owner_name: string | null;
  city: string | null;
  street: string | null;
  house: string | null;
  building: string | null;
  flat: string | null;
  period: string | null;
  name: string | null;
  code: string;
  amount_kop: number;
  penalty_kop: number;
  commission_kop: number;
}

export function addressOf(r: {
  city: string | null;
  street: string | null;
  house: string | null;
  building: string | null;
  flat: string | null;
}): string {
  return [
    r.city && `г. ${r.city}`,
    r.street && `ул. ${r.street}`,
    r.house && `д. ${r.house}`,
    r.building && `корп. ${r.building}`,
    r.flat && `кв. ${r.flat}`,
  ]
    .filter(Boolean)
    .join(', ');
}

function inScope(scope: LineScope, op: 'p' | 'r', point: RawBuilder<unknown>): RawBuilder<unknown> {
  const batch = sql.ref(`${op}.batch_id`);
  if ('batchId' in scope) return sql`${batch} = ${scope.batchId}`;
  const { date, from, to } = scope.open;
  const at = sql.ref(op === 'p' ? 'p.accepted_at' : 'r.reversed_at');
  return sql`(${batch} IS NULL AND ${at} >= ${from} AND ${at} < ${to}
    AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.point_id = ${point} AND b.day = ${date} AND b.kind = 'day'))`;
}

function lineOf(r: LineRow, sign: 1 | -1, name: string): RegistryLine {
  return {
    acceptedAt: r.at,
    pointCode: r.point_code,
    deskName: r.desk_name,
    opId: r.op_id,
    txnId: txnIdFromOpId(r.op_id),
    accountNumber: r.account_number ?? '',
    ownerName: r.owner_name ?? '',
    address: addressOf(r),
    period: r.period ?? '',
    serviceCode: r.code,
    serviceName: name,
    acceptedKop: sign * (r.amount_kop + r.penalty_kop + r.commission_kop),
    principalKop: sign * r.amount_kop,
    penaltyKop: sign * r.penalty_kop,
    transferredKop: sign * (r.amount_kop + r.penalty_kop),
    commissionKop: sign * r.commission_kop,
  };
}

/** The supplier's lines of the billing payments in scope, read live. */
async function paymentLines(db: Kysely<DB>, supplierId: string, scope: LineScope): Promise<RegistryLine[]> {
  const rows = await sql<LineRow>`
    SELECT p.accepted_at AS at, pt.code AS point_code, d.name AS desk_name, p.op_id, p.account_number, a.owner_name, a.city, a.street, a.house, a.building, a.flat,
      l.period, l.name, l.code, l.amount_kop, l.penalty_kop, l.commission_kop
    FROM payments p JOIN payment_lines l ON l.op_id = p.op_id JOIN desks d ON d.id = p.desk_id JOIN points pt ON pt.id = p.point_id LEFT JOIN accounts a ON a.number = p.account_number
    WHERE l.supplier_id = ${supplierId} AND p.kind = 'billing' AND ${inScope(scope, 'p', sql.ref('p.point_id'))}
    ORDER BY p.accepted_at, p.op_id, l.line_no`.execute(db);
  return rows.rows.map((r) => lineOf(r, 1, r.name ?? r.code));
}

/**
 * The reversals in scope that undid a billing payment of the supplier (the payment's `reversed_by`: a
 * second reversal of one payment is a cash matter for review, not money the supplier gives back twice),
 * as the payment's lines negative.
 */
async function reversalLines(db: Kysely<DB>, supplierId: string, scope: LineScope): Promise<RegistryLine[]> {
  const rows = await sql<LineRow>`
    SELECT r.reversed_at AS at, pt.code AS point_code, d.name AS desk_name, r.op_id, p.account_number, a.owner_name, a.city, a.street, a.house, a.building, a.flat,
      l.period, l.name, l.code, l.amount_kop, l.penalty_kop, l.commission_kop
    FROM reversals r JOIN payments p ON p.op_id = r.original_op_id AND p.reversed_by = r.op_id JOIN payment_lines l ON l.op_id = p.op_id
      JOIN desks d ON d.id = r.desk_id JOIN points pt ON pt.id = d.point_id LEFT JOIN accounts a ON a.number = p.account_number
    WHERE l.supplier_id = ${supplierId} AND p.kind = 'billing' AND ${inScope(scope, 'r', sql.ref('d.point_id'))}
    ORDER BY r.reversed_at, r.op_id, l.line_no`.execute(db);
  return rows.rows.map((r) => lineOf(r, -1, `Сторно: ${r.name ?? r.code}`));
}

/** The supplier's lines in scope, read live. */
export async function liveLines(db: Kysely<DB>, supplierId: string, scope: LineScope): Promise<SupplierLines> {
  return { paid: await paymentLines(db, supplierId, scope), reversed: await reversalLines(db, supplierId, scope) };
}

/** A batch's lines for a supplier as written at its closing; null for a batch closed before batches were frozen. */
export async function frozenLines(
  db: Kysely<DB>,
  batch: { id: string; frozen: boolean },
  supplierId: string,
): Promise<SupplierLines | null> {
  if (!batch.frozen) return null;
  const batchId = batch.id;
  const rows = await db
    .selectFrom('batch_registry_lines')
    .select(['reversal', 'line'])
    .where('batch_id', '=', batchId)
    .where('supplier_id', '=', supplierId)
    .orderBy('line_no')
    .execute();
  const lines = rows.map((r) => {
    const stored = (typeof r.line === 'string' ? JSON.parse(r.line) : r.line) as RegistryLine & { acceptedAt: string };
    return { reversal: r.reversal, line: { ...stored, acceptedAt: new Date(stored.acceptedAt) } };
  });
  return { paid: lines.filter((l) => !l.reversal).map((l) => l.line), reversed: lines.filter((l) => l.reversal).map((l) => l.line) };
}

/** The supplier as a batch's registries name it: as it was at the closing, when the batch holds its money. */
export async function frozenSupplier(
  db: Kysely<DB>,
  batchId: string,
  supplierId: string,
): Promise<{ id: string; name: string; inn: string; account: string | null } | null> {
  const s = await db
    .selectFrom('batch_suppliers')
    .select(['supplier_id', 'name', 'inn', 'account'])
    .where('batch_id', '=', batchId)
    .where('supplier_id', '=', supplierId)
    .executeTakeFirst();
  return s ? { id: s.supplier_id, name: s.name, inn: s.inn, account: s.account } : null;
}

/** Writes down, inside the closing's transaction, every supplier's registry of the batch and the supplier as it is now. */
export async function freezeBatch(db: Kysely<DB>, batchId: string): Promise<void> {
  const suppliers = await sql<{ id: string; name: string; inn: string; account: string | null }>`
    SELECT DISTINCT s.id, s.name, s.inn, s.account FROM suppliers s JOIN payment_lines l ON l.supplier_id = s.id JOIN payments p ON p.op_id = l.op_id
    WHERE p.kind = 'billing' AND (p.batch_id = ${batchId} OR p.op_id IN (SELECT original_op_id FROM reversals WHERE batch_id = ${batchId}))`.execute(
    db,
  );
  for (const s of suppliers.rows) {
    const { paid, reversed } = await liveLines(db, s.id, { batchId });
    if (paid.length + reversed.length === 0) continue;
    await db
      .insertInto('batch_suppliers')
      .values({ batch_id: batchId, supplier_id: s.id, name: s.name, inn: s.inn, account: s.account })
      .execute();
    const rows = [...paid.map((line) => ({ line, reversal: false })), ...reversed.map((line) => ({ line, reversal: true }))].map(
      (r, i) => ({
        batch_id: batchId,
        supplier_id: s.id,
        line_no: i + 1,
        reversal: r.reversal,
        line: JSON.stringify({ ...r.line, acceptedAt: r.line.acceptedAt.toISOString() }),
      }),
    );
    for (let i = 0; i < rows.length; i += 1000)
      await db
        .insertInto('batch_registry_lines')
        .values(rows.slice(i, i + 1000))
        .execute();
  }
  await db.updateTable('batches').set({ frozen: true }).where('id', '=', batchId).execute();
}
