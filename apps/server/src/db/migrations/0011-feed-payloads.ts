/**
 * Feed rows written before the payloads carried what a billing posts without joins (issue 24 item 7)
 * are completed from the rows they describe, so an upgraded server hands every entry in the one
 * documented shape. A reversal gets the account, commission and lines of the payment it undoes; a
 * reading its meter id, the value with a dot and in thousandths, the value as typed and the point. What
 * the meter held before such a reading was never kept apart from the meter (which has moved on since),
 * so its previous value is the latest earlier reading of that meter the server holds, or null.
 * Positions stay as they were: a consumer that read them sees the same entries, completed.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
UPDATE billing_feed f SET payload = f.payload || jsonb_build_object(
    'accountNumber', p.account_number,
    'commissionKop', p.commission_kop,
    'pointId', d.point_id,
    'lines', COALESCE((
      SELECT jsonb_agg(jsonb_build_object('serviceCode', l.code, 'period', l.period, 'amountKop', l.amount_kop, 'penaltyKop', l.penalty_kop, 'commissionKop', l.commission_kop) ORDER BY l.line_no)
      FROM payment_lines l WHERE l.op_id = p.op_id), '[]'::jsonb))
  FROM reversals r, payments p, desks d
  WHERE f.kind = 'reversal' AND NOT f.payload ? 'lines'
    AND r.op_id = f.op_id AND p.op_id = r.original_op_id AND d.id = r.desk_id;
UPDATE billing_feed f SET payload = f.payload || jsonb_build_object(
    'meterId', r.meter_id,
    'value', CASE WHEN r.value_milli % 1000 = 0 THEN (r.value_milli / 1000)::text
      ELSE (r.value_milli / 1000)::text || '.' || rtrim(lpad((r.value_milli % 1000)::text, 3, '0'), '0') END,
    'valueMilli', r.value_milli,
    'valueAsTyped', r.value,
    'previousValueMilli', prev.value_milli,
    'previousDate', to_char(prev.read_at, 'YYYY-MM-DD'),
    'pointId', d.point_id)
  FROM readings r
  JOIN desks d ON d.id = r.desk_id
  LEFT JOIN LATERAL (
    SELECT e.value_milli, e.read_at FROM readings e
    WHERE e.meter_id = r.meter_id AND e.read_at < r.read_at
    ORDER BY e.read_at DESC, e.submitted_at DESC LIMIT 1) prev ON true
  WHERE f.kind = 'reading' AND NOT f.payload ? 'meterId' AND r.op_id = f.op_id;
`,
  );
}
