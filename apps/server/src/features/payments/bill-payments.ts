/**
 * Payments already taken on a bill, at any desk: a desk asks on a scan so the cashier is warned
 * before a bill paid minutes ago at the next window is paid again (issue 19 item 1).
 */
import { sql } from 'kysely';
import type { BillPaymentView } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';

/** Bills are paid within months of being issued; older payments on the account are not this bill's. */
const LOOKBACK_DAYS = 120;

export async function billPayments(
  db: Database,
  q: { account: string; period?: string | undefined; amountKop?: number | undefined },
  now: Date = new Date(),
): Promise<(BillPaymentView & { opId: string })[]> {
  if (!q.period && !q.amountKop) return [];
  let query = db
    .selectFrom('payments as p')
    .innerJoin('desks as d', 'd.id', 'p.desk_id')
    .select(['p.op_id', 'p.number', 'p.accepted_at', 'p.total_kop', 'd.name as desk_name'])
    .where('p.kind', '=', 'billing')
    .where('p.state', '=', 'accepted')
    .where('p.account_number', '=', q.account)
    .where('p.accepted_at', '>=', new Date(now.getTime() - LOOKBACK_DAYS * 86_400_000));
  if (q.period) {
    const period = q.period;
    // Paid on the bill's period, or its very sum once the bill could exist (from the month after its period).
    const [y, m] = period.split('-').map(Number) as [number, number];
    const issued = new Date(Date.UTC(y, m, 1) - 3 * 3_600_000);
    const amount = q.amountKop;
    query = query.where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('payment_lines as l')
            .select(sql<number>`1`.as('one'))
            .whereRef('l.op_id', '=', 'p.op_id')
            .where('l.period', '=', period),
        ),
        ...(amount ? [eb.and([eb('p.principal_kop', '=', amount), eb('p.accepted_at', '>=', issued)])] : []),
      ]),
    );
  } else if (q.amountKop) query = query.where('p.principal_kop', '=', q.amountKop);
  const rows = await query.orderBy('p.accepted_at', 'desc').limit(10).execute();
  return rows.map((r) => ({
    opId: r.op_id,
    number: r.number,
    at: new Date(r.accepted_at).toISOString(),
    totalKop: Number(r.total_kop),
    deskName: r.desk_name,
  }));
}
