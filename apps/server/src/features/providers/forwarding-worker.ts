/**
 * Forwards accepted third-party payments to their providers with OSMP `pay`. The txn_id was derived
 * from the op id and stored when the payment arrived; a worker claims due payments under a lease
 * (FOR UPDATE SKIP LOCKED, after the stamping lock), so several workers or server instances never
 * send one payment at the same time. A temporary result, a timeout or an unreadable answer is
 * retried later with the same txn_id, sum, account and txn_date; a fatal result stops and goes to
 * the review queue; a crash between "sent" and "recorded" is healed by the lease running out and the
 * same txn_id going again, which the provider answers with its stored result.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { lockStamping, nextVersion } from '../../db/versioning.ts';
import { osmpPay, type OsmpAnswer } from './osmp-client.ts';

export interface ForwardingOptions {
  intervalMs?: number;
  batch?: number;
  /** How long a claimed payment is left to its worker before another may take it. */
  leaseMs?: number;
  /** The first retry delay; later ones grow to `maxRetryMs`. */
  retryBaseMs?: number;
  maxRetryMs?: number;
  /** After this many attempts a payment still not final is flagged for a person to look at. */
  stuckAfterAttempts?: number;
  onAttempt?: (result: 'confirmed' | 'failed' | 'retry') => void;
}

interface Claimed {
  op_id: string;
  provider_code: string;
  account: string;
  amount_kop: number;
  txn_id: string;
  txn_date: string;
  attempts: number;
  osmp_url: string | null;
  osmp_user: string | null;
  osmp_password: string | null;
  timeout_ms: number;
}

export class ForwardingWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly opts: Required<Omit<ForwardingOptions, 'onAttempt'>> & Pick<ForwardingOptions, 'onAttempt'>;

  constructor(
    private readonly db: Database,
    private readonly log: FastifyBaseLogger | null,
    options: ForwardingOptions = {},
  ) {
    this.opts = {
      intervalMs: 500,
      batch: 10,
      leaseMs: 60_000,
      retryBaseMs: 5_000,
      maxRetryMs: 30 * 60_000,
      stuckAfterAttempts: 20,
      ...options,
    };
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private tick(): Promise<number> {
    this.running ??= this.runOnce()
      .catch((e: unknown) => {
        this.log?.error({ err: e }, 'forwarding round failed');
        return 0;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /**
   * A payment held for a refund whose reversal never finished is neither refunded nor credited: after
   * a quarter of an hour a person is told, once.
   */
  private async flagLongHolds(): Promise<void> {
    await sql`
      INSERT INTO review_items (id, kind, code, message, op_id, desk_id, context)
      SELECT gen_random_uuid(), 'forwarding', 'forwarding.held_too_long',
             'Платёж снят с передачи поставщику для возврата, но сторно на кассе не завершено: проверьте кассу', op_id, desk_id,
             jsonb_build_object('heldFor', held_for, 'heldAt', held_at)
      FROM forwardings WHERE state = 'held' AND held_at < now() - interval '15 minutes'
      ON CONFLICT (op_id, code) WHERE op_id IS NOT NULL DO NOTHING`.execute(this.db);
  }

  /** Claims due payments and sends each once; returns how many were attempted. */
  async runOnce(): Promise<number> {
    await this.flagLongHolds();
    const claimed = await this.db.transaction().execute(async (trx) => {
      await lockStamping(trx);
      const rows = await sql<Claimed>`
        SELECT f.op_id, f.provider_code, f.account, f.amount_kop, f.txn_id, f.txn_date, f.attempts, p.osmp_url, p.osmp_user, p.osmp_password, p.timeout_ms
        FROM forwardings f JOIN providers p ON p.code = f.provider_code
        WHERE f.state IN ('queued', 'sent') AND f.next_attempt_at <= now()
          AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.op_id = f.op_id AND p.state = 'reversed')
          -- Only once the desk has shown this life of the database everything it holds: after a restore a
          -- refund it made since the backup may still be on its way back (pull.ts noteDeskSync).
          AND EXISTS (SELECT 1 FROM desks d WHERE d.id = f.desk_id AND d.synced_incarnation = (SELECT value FROM server_meta WHERE key = 'incarnation'))
        ORDER BY f.next_attempt_at LIMIT ${this.opts.batch}
        FOR UPDATE OF f SKIP LOCKED`.execute(trx);
      if (rows.rows.length === 0) return [];
      await trx
        .updateTable('forwardings')
        .set({
          state: 'sent',
          attempts: sql`attempts + 1`,
          next_attempt_at: sql`now() + ${`${this.opts.leaseMs} milliseconds`}::interval`,
          updated_at: new Date(),
          version: nextVersion(),
        })
        .where(
          'op_id',
          'in',
          rows.rows.map((r) => r.op_id),
        )
        .execute();
      return rows.rows;
    });
    await Promise.all(claimed.map((c) => this.send(c)));
    return claimed.length;
  }

  private async send(c: Claimed): Promise<void> {
    const answer: OsmpAnswer = c.osmp_url
      ? await osmpPay(
          { url: c.osmp_url, user: c.osmp_user, password: c.osmp_password, timeoutMs: c.timeout_ms },
          { txnId: c.txn_id, txnDate: c.txn_date, account: c.account, amountKop: c.amount_kop },
        )
      : { kind: 'temporary', result: null, comment: 'у поставщика не задан адрес ОСМП' };
    const attempts = c.attempts + 1;
    const retryMs = Math.min(this.opts.retryBaseMs * 2 ** Math.min(attempts - 1, 20), this.opts.maxRetryMs);
    await this.db.transaction().execute(async (trx) => {
      await lockStamping(trx);
      const state = answer.kind === 'ok' ? 'confirmed' : answer.kind === 'fatal' ? 'failed' : 'sent';
      await trx
        .updateTable('forwardings')
        .set({
          state,
          prv_txn: answer.prvTxn ?? null,
          result_code: answer.result,
          comment: answer.comment || null,
          updated_at: new Date(),
          ...(state === 'sent' ? { next_attempt_at: sql`now() + ${`${retryMs} milliseconds`}::interval` } : {}),
          version: nextVersion(),
        })
        .where('op_id', '=', c.op_id)
        .where('state', '=', 'sent')
        .execute();
      if (answer.kind === 'fatal') {
        await trx
          .insertInto('review_items')
          .values({
            id: randomUUID(),
            kind: 'forwarding',
            code: 'forwarding.failed',
            message: `${c.provider_code} отказал в зачислении (код ${answer.result ?? '—'}): ${answer.comment}`,
            op_id: c.op_id,
            desk_id: null,
            context: JSON.stringify({
              provider: c.provider_code,
              account: c.account,
              amountKop: c.amount_kop,
              txnId: c.txn_id,
              result: answer.result,
              comment: answer.comment,
            }),
          })
          .onConflict((oc) => oc.columns(['op_id', 'code']).where('op_id', 'is not', null).doNothing())
          .execute();
      } else if (answer.kind === 'temporary' && attempts === this.opts.stuckAfterAttempts) {
        await trx
          .insertInto('review_items')
          .values({
            id: randomUUID(),
            kind: 'forwarding',
            code: 'forwarding.stuck',
            message: `${c.provider_code}: платёж не подтверждён после ${attempts} попыток (${answer.comment}); передача продолжается`,
            op_id: c.op_id,
            desk_id: null,
            context: JSON.stringify({ provider: c.provider_code, txnId: c.txn_id, attempts, comment: answer.comment }),
          })
          .onConflict((oc) => oc.columns(['op_id', 'code']).where('op_id', 'is not', null).doNothing())
          .execute();
      }
    });
    this.opts.onAttempt?.(answer.kind === 'ok' ? 'confirmed' : answer.kind === 'fatal' ? 'failed' : 'retry');
    this.log?.info(
      { opId: c.op_id, provider: c.provider_code, txnId: c.txn_id, result: answer.result, kind: answer.kind },
      'forwarding attempt',
    );
  }
}
