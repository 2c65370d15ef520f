/** The journal as the cashier searches it: the shift's operations by number, account, time, state, with what the server said. */
import { z } from 'zod';
import type { DeskDeps } from '../../deps.ts';
import { FISCAL, FiscalState, SyncState } from './lifecycle.ts';

/** Beyond the operation's own states, the journal is searched by what the server has not taken yet. */
const UNSENT = 'unsent';

export const journalQuery = z.object({
  q: z.string().trim().max(64).optional(),
  kind: z
    .enum([
      'billing',
      'thirdparty',
      'service',
      'reversal',
      'correction',
      'correction_return',
      'reading',
      'cash_in',
      'cash_out',
      'cash_count',
      'shift_open',
      'shift_close',
      'payments',
    ])
    .optional(),
  state: z.enum([...FISCAL.states, UNSENT, SyncState.rejected]).optional(),
  shift: z.coerce.number().int().min(1).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  cashier: z.uuid().optional(),
  provider: z.string().max(32).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type JournalQuery = z.infer<typeof journalQuery>;

export interface JournalEntry {
  operationId: string;
  kind: string;
  number: string | null;
  state: string;
  createdAt: string;
  cashierName: string;
  shiftNumber: number | null;
  totalKop: number | null;
  commissionKop: number | null;
  method: string | null;
  accountNumber: string | null;
  providerCode: string | null;
  /** The provider's name as the catalog has it (the code is for machines). */
  providerName: string | null;
  providerAccount: string | null;
  reversedBy: string | null;
  originalOperationId: string | null;
  error: string | null;
  sync: { state: string; code: string | null; message: string | null } | null;
  forwarding: string | null;
}

export function queryJournal(deps: DeskDeps, f: JournalQuery): { items: JournalEntry[]; total: number } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.q) {
    where.push('(o.number LIKE ? OR o.account_number LIKE ? OR o.provider_account LIKE ?)');
    args.push(`%${f.q}%`, `${f.q}%`, `%${f.q}%`);
  }
  if (f.kind === 'payments') where.push("o.kind IN ('billing', 'thirdparty', 'service')");
  else if (f.kind) {
    where.push('o.kind = ?');
    args.push(f.kind);
  }
  if (f.state === UNSENT) where.push(`x.sync_state = '${SyncState.pending}'`);
  else if (f.state === SyncState.rejected) where.push(`x.sync_state = '${SyncState.rejected}'`);
  else if (f.state) {
    where.push('o.state = ?');
    args.push(f.state);
  }
  if (f.shift) {
    where.push('o.shift_number = ?');
    args.push(f.shift);
  }
  if (f.from) {
    where.push('o.created_at >= ?');
    args.push(new Date(f.from).toISOString());
  }
  if (f.to) {
    where.push('o.created_at < ?');
    args.push(new Date(f.to).toISOString());
  }
  if (f.cashier) {
    where.push('o.cashier_id = ?');
    args.push(f.cashier);
  }
  if (f.provider) {
    where.push('o.provider_code = ?');
    args.push(f.provider);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const from = 'FROM operations o LEFT JOIN ops x ON x.seq = o.seq LEFT JOIN forwarding w ON w.op_id = o.op_id';
  const total = (deps.db.prepare(`SELECT COUNT(*) AS n ${from} ${clause}`).get(...args) as { n: number }).n;
  const rows = deps.db
    .prepare(
      `SELECT o.*, x.sync_state, x.sync_code, x.sync_message, w.state AS fwd,
        (SELECT json_extract(p.data, '$.name') FROM providers p WHERE p.code = o.provider_code) AS provider_name
        ${from} ${clause} ORDER BY o.created_at DESC LIMIT ? OFFSET ?`,
    )
    .all(...args, f.limit, f.offset) as (Record<string, unknown> & { op_id: string })[];
  return {
    total,
    items: rows.map((o) => ({
      operationId: o.op_id,
      kind: o['kind'] as string,
      number: o['number'] as string | null,
      state: o['state'] as string,
      createdAt: o['created_at'] as string,
      cashierName: o['cashier_name'] as string,
      shiftNumber: o['shift_number'] as number | null,
      totalKop: o['total_kop'] as number | null,
      commissionKop: o['commission_kop'] as number | null,
      method: o['method'] as string | null,
      accountNumber: o['account_number'] as string | null,
      providerCode: o['provider_code'] as string | null,
      providerName: (o['provider_name'] as string | null) ?? null,
      providerAccount: o['provider_account'] as string | null,
      reversedBy: o['reversed_by'] as string | null,
      originalOperationId: o['original_op_id'] as string | null,
      error: (o['error_message'] as string | null) ?? null,
      sync: o['sync_state']
        ? { state: o['sync_state'] as string, code: o['sync_code'] as string | null, message: o['sync_message'] as string | null }
        : null,
      forwarding: (o['fwd'] as string | null) ?? (o['kind'] === 'thirdparty' && o['state'] === FiscalState.done ? 'queued' : null),
    })),
  };
}

/** The operations the server refused, with its code and message: the cashier's «Не принято сервером». */
export interface RejectedOp {
  seq: number;
  opId: string;
  type: string;
  code: string | null;
  message: string | null;
  at: string | null;
}

export function rejectedOps(deps: Pick<DeskDeps, 'db'>): RejectedOp[] {
  return deps.db
    .prepare(
      `SELECT seq, op_id AS opId, type, sync_code AS code, sync_message AS message, synced_at AS at FROM ops WHERE sync_state = '${SyncState.rejected}' ORDER BY seq`,
    )
    .all() as RejectedOp[];
}
