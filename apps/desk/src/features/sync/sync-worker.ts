/**
 * The desk's one sync worker. It pushes the journal in seq order right after each operation when
 * online and at the sync interval otherwise; it moves the acknowledged position only from the
 * server's answer; it pulls reference data at the pull interval; a failed push or probe turns the
 * desk offline, and the first success turns it online and flushes. Offline, it probes after 1 s and
 * then a fifth less often each time (1, 1.2, 1.44 … s) up to every 30 s: a server back after a short
 * outage is noticed within a few seconds (never later than 1 s plus a fifth of the time it was away),
 * one away for long is asked twice a minute, and the schedule starts over once it answers.
 *
 * Seqs on the wire count from 1 in each epoch: after the desk is enrolled again (a new epoch) the
 * ops not yet acknowledged are sent again from seq 1, and the server recognises any it already has
 * by their op ids — nothing is lost and nothing applied twice.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { PROTOCOL_VERSION, type PushRequest } from '@paydesk/protocol';
import { getMeta, setMeta, withoutFlush, type JournalDb } from '../../db/journal-db.ts';
import type { Clock } from '../../clock.ts';
import type { DeskSettings } from '../../desk-settings.ts';
import type { Identity } from '../../identity.ts';
import type { Journal } from '../journal/journal.ts';
import { ACCEPTED, SYNC, SyncState, sqlList } from '../journal/lifecycle.ts';
import type { EventHub } from '../events/event-hub.ts';
import { LinkError, ServerAnswer, type ServerClient } from './server-client.ts';
import type { Replica } from './replica.ts';
import { ackedWireSeq, finishReload, reloading, renumberAfter, resendAfter, startReload } from './recovery.ts';

export interface SyncOptions {
  /** Test hook: called when a push answer has arrived, before it is recorded. */
  onAnswer?: () => void;
  /** After the journal is all sent: work that needs the server's answers (forwarding holds to release). */
  afterPush?: () => Promise<unknown>;
  batchSize?: number;
  pullPageSize?: number;
  /** How often an online desk checks that the server still answers. */
  probeIntervalMs?: number;
  /** Offline: the first wait before asking the server again. */
  minBackoffMs?: number;
  /** Offline: the longest wait between two attempts. */
  maxBackoffMs?: number;
  /** Offline: each wait is the previous one times this. */
  backoffFactor?: number;
}

/**
 * The desk's sync timing as it runs in production (tests pass faster ones). The gentle factor keeps
 * each wait near a fifth of the outage so far: reconnecting took 30–43 s with a doubling from 1 s to
 * 60 s (issue 19 item 17).
 */
export const SYNC_DEFAULTS = {
  probeIntervalMs: 10_000,
  minBackoffMs: 1_000,
  maxBackoffMs: 30_000,
  backoffFactor: 1.2,
} as const satisfies SyncOptions;

export interface SyncWorkerState {
  online: boolean;
  lastSyncAt: string | null;
  lastPullAt: string | null;
  fatal: string | null;
  reference: { loaded: boolean; loading: boolean; rows: number; remaining: number | null };
}

/** Scheduling time that only moves forward: the PC's clock may jump by years, this does not. */
const mono = (): number => performance.now();

export class SyncWorker {
  readonly state: SyncWorkerState = {
    online: false,
    lastSyncAt: null,
    lastPullAt: null,
    fatal: null,
    reference: { loaded: false, loading: false, rows: 0, remaining: null },
  };
  private pushing: Promise<void> | null = null;
  private pulling: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private nextAttemptAt = 0;
  private lastPushAt = 0;
  private lastPullMs = 0;
  private lastProbeAt = 0;
  private probing = false;
  private stopped = false;
  private readonly opts: Required<SyncOptions>;

  constructor(
    private readonly db: JournalDb,
    private readonly journal: Journal,
    private readonly replica: Replica,
    private readonly client: ServerClient,
    private readonly identity: () => Identity | null,
    private readonly settings: DeskSettings,
    private readonly events: EventHub,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly statusReport: () => Promise<unknown>,
    options: SyncOptions = {},
  ) {
    this.opts = {
      onAnswer: () => undefined,
      afterPush: async () => undefined,
      batchSize: 500,
      pullPageSize: 5000,
      ...SYNC_DEFAULTS,
      ...options,
    };
    this.backoffMs = this.opts.minBackoffMs;
    this.state.reference.loaded = getMeta(db, 'pull_complete') === '1';
    this.state.lastSyncAt = getMeta(db, 'last_sync_at');
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.tick(), 250);
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([this.pushing, this.pulling]);
  }

  /** After each operation: push now when online. */
  trigger(): void {
    if (this.state.online) void this.push();
  }

  private async tick(): Promise<void> {
    if (this.stopped || !this.identity() || this.state.fatal) return;
    const now = mono();
    const syncMs = this.settings.get('syncIntervalSeconds') * 1000;
    const pullMs = this.settings.get('pullIntervalSeconds') * 1000;
    if (!this.state.online) {
      if (now < this.nextAttemptAt) return;
      this.nextAttemptAt = now + this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * this.opts.backoffFactor, this.opts.maxBackoffMs);
      await this.probe();
      return;
    }
    if (now - this.lastPushAt >= syncMs) void this.push();
    if (now - this.lastPullMs >= pullMs || !this.state.reference.loaded) void this.pull();
    if (now - this.lastProbeAt >= this.opts.probeIntervalMs && !this.probing) {
      // A push or a pull may hang on a dead link until its timeout; the probe notices sooner.
      this.lastProbeAt = now;
      this.probing = true;
      const ok = await this.client.health().finally(() => (this.probing = false));
      if (!ok) {
        this.goOffline('сервер не отвечает на проверку');
        this.client.abortAll();
      }
    }
  }

  /** Offline: one short attempt to reach the server; on success, flush and refresh at once. */
  private async probe(): Promise<void> {
    if (!(await this.client.health())) return;
    this.goOnline();
    await this.push();
    void this.pull();
  }

  private goOnline(): void {
    if (!this.state.online) {
      this.state.online = true;
      this.log.info('server reachable: online');
      this.events.publish({ type: 'online', data: { online: true } });
    }
    this.backoffMs = this.opts.minBackoffMs;
    this.nextAttemptAt = 0;
  }

  private goOffline(reason: string): void {
    if (this.state.online) {
      this.state.online = false;
      this.log.warn({ reason }, 'server unreachable: offline');
      this.events.publish({ type: 'online', data: { online: false } });
    }
    this.nextAttemptAt = mono() + this.backoffMs;
  }

  /** Pushes every pending op, batch by batch. One push at a time. */
  push(): Promise<void> {
    this.pushing ??= this.pushAll().finally(() => {
      this.pushing = null;
    });
    return this.pushing;
  }

  private seqBase(): number {
    return Number(getMeta(this.db, 'seq_base') ?? '1');
  }

  private async pushAll(): Promise<void> {
    const id = this.identity();
    if (!id || this.state.fatal) return;
    this.lastPushAt = mono();
    for (;;) {
      const ops = this.journal.pending(this.opts.batchSize);
      if (ops.length === 0) {
        if (!this.state.online && (await this.client.health())) this.goOnline();
        if (this.state.online) await this.opts.afterPush().catch((e: unknown) => this.log.warn({ err: e }, 'after-push work failed'));
        return;
      }
      const base = this.seqBase();
      const req: PushRequest = {
        protocolVersion: PROTOCOL_VERSION,
        deskId: id.deskId,
        epoch: id.epoch,
        ops: ops.map((o) => ({ seq: o.seq - base + 1, opId: o.opId, type: o.type, body: o.body, hash: o.hash })),
      };
      let answer;
      try {
        answer = await this.client.push(req);
      } catch (e) {
        if (e instanceof LinkError) {
          this.goOffline(e.message);
          return;
        }
        if (e instanceof ServerAnswer) {
          this.handleRefusal(e, base);
          if (this.state.fatal) return;
          continue;
        }
        throw e;
      }
      this.opts.onAnswer();
      this.goOnline();
      const at = this.record(answer, base);
      this.state.lastSyncAt = at;
      this.events.publish({ type: 'status', data: { unsent: this.journal.counts().unsent } });
    }
  }

  /** What the server said about each op, recorded next to the op; only its answer moves the position. */
  private record(
    answer: {
      lastSeq: number;
      results: { seq: number; opId: string; outcome: string; code?: string | undefined; message?: string | undefined }[];
      version: string;
    },
    base: number,
  ): string {
    const from = SyncState.pending;
    const update = this.db.prepare(
      `UPDATE ops SET sync_state = ?, sync_code = ?, sync_message = ?, synced_at = ?, ack_version = ? WHERE seq = ? AND op_id = ? AND sync_state = '${from}'`,
    );
    const dropCharges = this.db.prepare('DELETE FROM local_charges WHERE op_id = ?');
    const dropReadings = this.db.prepare('DELETE FROM local_readings WHERE op_id = ?');
    const at = this.clock().toISOString();
    const rejected: { seq: number; opId: string; code: string | null; message: string | null }[] = [];
    // An answer lost in a power cut only means these ops go again; the server answers them from its record.
    withoutFlush(this.db, () => {
      for (const r of answer.results) {
        const seq = r.seq + base - 1;
        const to = SYNC.check(from, r.outcome);
        const changed = update.run(to, r.code ?? null, r.message ?? null, at, Number(answer.version), seq, r.opId).changes;
        if (changed && to === SyncState.rejected) {
          // The server will never show this op's effect: stop showing it here.
          dropCharges.run(r.opId);
          dropReadings.run(r.opId);
          rejected.push({ seq, opId: r.opId, code: r.code ?? null, message: r.message ?? null });
        }
      }
      setMeta(this.db, 'last_sync_at', at);
      this.dropReflected(Number(getMeta(this.db, 'pull_cursor') ?? '0'));
    });
    for (const r of rejected) {
      this.log.warn(r, 'operation rejected by the server');
      this.events.publish({ type: 'rejected', data: r });
    }
    return at;
  }

  private handleRefusal(e: ServerAnswer, base: number): void {
    if (e.code === 'sync.seq_reused' && typeof e.body['lastSeq'] === 'number') {
      // This desk's journal was put back from an older copy: its new ops go after what the server has.
      const lastNumber = typeof e.body['lastNumber'] === 'string' ? e.body['lastNumber'] : null;
      const r = renumberAfter(this.db, e.body['lastSeq'], lastNumber);
      this.log.warn(
        { serverLastSeq: e.body['lastSeq'], lastNumber, renumbered: r },
        'journal restored from an older copy: unsent ops renumbered after the server',
      );
      if (!r) this.fail('Сервер сообщил, что номера операций кассы заняты, но неотправленных операций нет');
      return;
    }
    if (e.code === 'sync.gap' && typeof e.body['expectedSeq'] === 'number') {
      // The server is behind this desk (restored from a backup): send again from what it expects.
      this.log.warn({ expectedSeq: e.body['expectedSeq'], base }, 'server expects an earlier seq: resending');
      const n = resendAfter(this.db, e.body['expectedSeq'] - 1, this.clock(), this.settings.get('resendWindowDays'));
      if (n === 0 && this.journal.pending(1).length === 0)
        this.fail(`Сервер ждёт операцию ${String(e.body['expectedSeq'])}, а отправлять кассе нечего`);
      return;
    }
    if (e.code === 'sync.epoch_fenced')
      return this.fail('Эта касса переустановлена на другом компьютере: отправка остановлена. Обратитесь к администратору.');
    if (e.status === 401)
      return this.fail('Сервер не принимает ключ этой кассы (отозван или касса перерегистрирована). Обратитесь к администратору.');
    this.fail(`Сервер отверг отправку: ${typeof e.body['detail'] === 'string' ? e.body['detail'] : (e.code ?? String(e.status))}`);
  }

  private fail(message: string): void {
    this.state.fatal = message;
    this.state.online = false;
    this.log.error({ message }, 'sync stopped');
    this.events.publish({ type: 'online', data: { online: false } });
  }

  /** Clears a stop after the desk was enrolled again (IdentityStore.save has rebased the seqs). */
  resetAfterEnrollment(): void {
    this.state.fatal = null;
    this.nextAttemptAt = 0;
  }

  /** Pulls reference data page by page until there is no more. One pull at a time. */
  pull(): Promise<void> {
    this.pulling ??= this.pullAll().finally(() => {
      this.pulling = null;
    });
    return this.pulling;
  }

  /**
   * What a pull page says about the server itself: a new incarnation (restored from a backup) makes
   * the desk reload its replica; fewer of this desk's ops than it has acknowledged makes it send the
   * rest again. Returns true when the pull must start over from the beginning.
   */
  private checkServer(page: { incarnation?: string | undefined; desk?: { epoch: number; lastSeq: number } | undefined }): boolean {
    let restart = false;
    if (page.incarnation) {
      const known = getMeta(this.db, 'server_incarnation');
      if (known !== page.incarnation) {
        setMeta(this.db, 'server_incarnation', page.incarnation);
        if (known !== null && !reloading(this.db)) {
          this.log.warn({ from: known, to: page.incarnation }, 'the server was restored from a backup: reloading reference data');
          startReload(this.db);
          restart = true;
        }
      }
    }
    const id = this.identity();
    if (page.desk && id && page.desk.epoch === id.epoch && page.desk.lastSeq < ackedWireSeq(this.db)) {
      const n = resendAfter(this.db, page.desk.lastSeq, this.clock(), this.settings.get('resendWindowDays'));
      this.log.warn(
        { serverLastSeq: page.desk.lastSeq, resent: n },
        'the server holds fewer of this desk’s ops than it acknowledged: sending them again',
      );
      if (n > 0) void this.push();
    }
    return restart;
  }

  /** What this desk holds acknowledged in its current epoch: the server's proof that it has it all. */
  private held(): { epoch: number; acked: number } | undefined {
    const id = this.identity();
    return id ? { epoch: id.epoch, acked: ackedWireSeq(this.db) } : undefined;
  }

  private async pullAll(): Promise<void> {
    if (!this.identity() || this.state.fatal) return;
    this.lastPullMs = mono();
    try {
      await this.pullPages();
    } catch (e) {
      // The server's versions went back (a restore): whatever this desk holds above them is gone there.
      this.log.warn({ body: (e as ServerAnswer).body }, 'pull cursor ahead of the server: reloading reference data');
      startReload(this.db);
      await this.pullPages().catch((again: unknown) => this.log.error({ err: again }, 'reload after a server restore failed'));
    }
  }

  private async pullPages(): Promise<void> {
    let cursor = getMeta(this.db, 'pull_cursor') ?? '0';
    const first = !this.state.reference.loaded;
    if (first) this.state.reference.loading = true;
    try {
      let next = this.client.pull(cursor, this.opts.pullPageSize, this.held());
      for (;;) {
        let page = await next;
        if (this.checkServer(page)) {
          cursor = '0';
          page = await this.client.pull(cursor, this.opts.pullPageSize, this.held());
        }
        // The server cuts the next page while this one is written here: the two use both cores.
        if (page.hasMore) {
          next = this.client.pull(page.cursor, this.opts.pullPageSize, this.held());
          next.catch(() => undefined);
        }
        // A page and its cursor together, unflushed: after a power cut the desk pulls the page again.
        const rows = withoutFlush(this.db, () => {
          const n = this.replica.apply(page.changes);
          setMeta(this.db, 'pull_cursor', page.cursor);
          if (!page.hasMore) setMeta(this.db, 'pull_complete', '1');
          return n;
        });
        cursor = page.cursor;
        this.state.reference.rows += rows;
        this.state.reference.remaining = page.hasMore ? (page.remaining ?? null) : 0;
        if (first || page.hasMore)
          this.events.publish({
            type: 'reference',
            data: { loading: page.hasMore, rows: this.state.reference.rows, remaining: this.state.reference.remaining },
          });
        if (!page.hasMore) break;
      }
      this.goOnline();
      if (reloading(this.db)) {
        const dropped = finishReload(this.db);
        this.log.warn({ dropped }, 'reference data reloaded from the server');
      }
      this.dropReflected(Number(cursor));
      this.state.reference.loaded = true;
      this.state.lastPullAt = this.clock().toISOString();
      void this.statusReport()
        .then((s) => this.client.reportStatus(s))
        .catch((e: unknown) => this.log.debug({ err: e }, 'status report not sent: the next heartbeat sends a fresh one'));
    } catch (e) {
      if (e instanceof ServerAnswer && e.code === 'sync.cursor_ahead') throw e;
      if (e instanceof LinkError) this.goOffline(e.message);
      else if (e instanceof ServerAnswer) this.handleRefusal(e, this.seqBase());
      else this.log.error({ err: e }, 'pull failed');
    } finally {
      this.state.reference.loading = false;
    }
  }

  /**
   * Local effects the replica now shows by itself are dropped, so nothing is counted twice; found from
   * the few local rows, not by walking the whole journal.
   */
  private dropReflected(cursor: number): void {
    withoutFlush(this.db, () => {
      for (const table of ['local_charges', 'local_readings']) {
        this.db
          .prepare(
            `DELETE FROM ${table} WHERE EXISTS (SELECT 1 FROM ops o WHERE o.op_id = ${table}.op_id AND o.sync_state IN (${sqlList(ACCEPTED)}) AND o.ack_version <= ?)`,
          )
          .run(cursor);
      }
    });
  }
}
