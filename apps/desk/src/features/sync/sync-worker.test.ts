/**
 * Issue 17 item 3: an op's sync state as the sync worker moves it (features/journal/lifecycle.ts).
 * Appended pending; the server's answer to a push moves it once, to applied, applied_with_review or
 * rejected; an answer never moves an op already answered; a lost link moves nothing; ops the server
 * lost go back to pending and are answered anew; an outcome outside the lifecycle records nothing.
 * The server here is a fake at the client's edge: it answers each op with the outcome the test set.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { PROTOCOL_VERSION, type PullResponse, type PushRequest, type PushResponse } from '@paydesk/protocol';
import { openJournal, type JournalDb } from '../../db/journal-db.ts';
import { DeskSettings } from '../../desk-settings.ts';
import type { Identity } from '../../identity.ts';
import type { DeskEvent, EventHub } from '../events/event-hub.ts';
import { Journal } from '../journal/journal.ts';
import { LifecycleError, SyncState } from '../journal/lifecycle.ts';
import { Replica } from './replica.ts';
import { LinkError, type ServerClient } from './server-client.ts';
import { SyncWorker } from './sync-worker.ts';

type Answer = { outcome: string; code?: string; message?: string };

/** The server as the worker sees it through its client: push answers what `answers` says (applied by default). */
class FakeServer {
  up = true;
  readonly pushes: PushRequest[] = [];
  readonly answers = new Map<string, Answer>();
  /** Answers for ops not in the push: a server answering again for something it had before. */
  extra: PushResponse['results'] = [];
  /** What a pull says the server holds of this desk's journal. */
  held: { epoch: number; lastSeq: number } | undefined;

  async health(): Promise<boolean> {
    return this.up;
  }

  async push(req: PushRequest): Promise<PushResponse> {
    if (!this.up) throw new LinkError('нет связи');
    this.pushes.push(req);
    const results = req.ops.map((o) => ({
      seq: o.seq,
      opId: o.opId,
      replay: false,
      ...(this.answers.get(o.opId) ?? { outcome: 'applied' }),
    }));
    return { lastSeq: req.ops.at(-1)?.seq ?? 0, version: '7', results: [...results, ...this.extra] as PushResponse['results'] };
  }

  async pull(): Promise<PullResponse> {
    if (!this.up) throw new LinkError('нет связи');
    return { protocolVersion: PROTOCOL_VERSION, cursor: '0', hasMore: false, changes: {}, ...(this.held ? { desk: this.held } : {}) };
  }

  async reportStatus(): Promise<void> {}

  abortAll(): void {}
}

const identity: Identity = {
  deskId: '0190a0b0-0000-7000-8000-0000000000d1',
  pointId: '0190a0b0-0000-7000-8000-0000000000a1',
  epoch: 1,
  name: 'Касса 1',
  serverUrl: 'http://127.0.0.1:1',
  key: 'k'.repeat(32),
};

let db: JournalDb;
let journal: Journal;
let server: FakeServer;
let events: DeskEvent[];
let worker: SyncWorker;

beforeEach(() => {
  db = openJournal(':memory:');
  journal = new Journal(db);
  server = new FakeServer();
  events = [];
  worker = new SyncWorker(
    db,
    journal,
    new Replica(db),
    server as unknown as ServerClient,
    () => identity,
    new DeskSettings(db),
    { publish: (e: DeskEvent) => events.push(e) } as unknown as EventHub,
    () => new Date(),
    pino({ level: 'silent' }),
    async () => ({}),
  );
});

afterEach(async () => {
  await worker.stop();
  db.close();
});

/** Journals `n` cash-ins (one with a local effect, as a payment has) and returns their op ids. */
function journalOps(n: number): string[] {
  const at = new Date();
  return db.transaction(() =>
    Array.from({ length: n }, (_, i) => {
      const opId = uuidv7();
      journal.append('cash.in', opId, { cashierId: 'c', shiftNumber: 1, amountKop: i + 1, at: at.toISOString() }, at);
      db.prepare(
        'INSERT INTO local_charges (op_id, account_number, service_code, period, paid_kop, paid_penalty_kop) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(opId, '1001', 'HEAT', '2026-11', i + 1, 0);
      return opId;
    }),
  )();
}

const stateOf = (opId: string): { sync_state: string; sync_code: string | null } =>
  db.prepare('SELECT sync_state, sync_code FROM ops WHERE op_id = ?').get(opId) as { sync_state: string; sync_code: string | null };

const localCharges = (opId: string): number =>
  (db.prepare('SELECT COUNT(*) AS n FROM local_charges WHERE op_id = ?').get(opId) as { n: number }).n;

describe('an op’s sync state', () => {
  it('is pending until the server answers, then what the server answered', async () => {
    const [a, b, c] = journalOps(3) as [string, string, string];
    expect([a, b, c].map((id) => stateOf(id).sync_state)).toEqual([SyncState.pending, SyncState.pending, SyncState.pending]);
    server.answers.set(b, { outcome: SyncState.appliedWithReview, code: 'review.large_amount' });
    server.answers.set(c, { outcome: SyncState.rejected, code: 'account.unknown', message: 'Нет такого лицевого счёта' });

    await worker.push();

    expect(stateOf(a)).toEqual({ sync_state: SyncState.applied, sync_code: null });
    expect(stateOf(b)).toEqual({ sync_state: SyncState.appliedWithReview, sync_code: 'review.large_amount' });
    expect(stateOf(c)).toEqual({ sync_state: SyncState.rejected, sync_code: 'account.unknown' });
    // The server will never show a rejected op's effect: the desk stops showing it and says so.
    expect(localCharges(c)).toBe(0);
    expect(localCharges(a)).toBe(1);
    expect(events).toContainEqual({
      type: 'rejected',
      data: { seq: 3, opId: c, code: 'account.unknown', message: 'Нет такого лицевого счёта' },
    });
    expect(journal.counts()).toMatchObject({ unsent: 0, rejected: 1 });
    expect(worker.state.online).toBe(true);
  });

  it('moves once: an answer for an op already answered changes nothing', async () => {
    const [a] = journalOps(1) as [string];
    server.answers.set(a, { outcome: SyncState.rejected, code: 'account.unknown' });
    await worker.push();
    const [b] = journalOps(1) as [string];
    server.extra = [{ seq: 1, opId: a, outcome: SyncState.applied, replay: true }];
    await worker.push();
    expect(server.pushes.map((p) => p.ops.map((o) => o.opId))).toEqual([[a], [b]]);
    expect(stateOf(a)).toEqual({ sync_state: SyncState.rejected, sync_code: 'account.unknown' });
    expect(stateOf(b).sync_state).toBe(SyncState.applied);
  });

  it('stays pending while the link is down, and moves with the push after it is back', async () => {
    const [a] = journalOps(1) as [string];
    server.up = false;
    await worker.push();
    expect(stateOf(a).sync_state).toBe(SyncState.pending);
    expect(worker.state.online).toBe(false);
    server.up = true;
    await worker.push();
    expect(stateOf(a).sync_state).toBe(SyncState.applied);
    expect(worker.state.online).toBe(true);
  });

  it('goes back to pending when the server has lost it, whatever it was answered, and is answered anew', async () => {
    const [a, b, c, d] = journalOps(4) as [string, string, string, string];
    server.answers.set(c, { outcome: SyncState.rejected, code: 'account.unknown' });
    server.answers.set(d, { outcome: SyncState.appliedWithReview });
    await worker.push();
    // The server was put back from a backup holding only the first op: a pull says so.
    server.answers.clear();
    server.held = { epoch: identity.epoch, lastSeq: 1 };
    await worker.pull();
    await worker.push();
    expect(server.pushes.at(-1)?.ops.map((o) => o.opId)).toEqual([b, c, d]);
    expect([a, b, c, d].map((id) => stateOf(id))).toEqual([a, b, c, d].map(() => ({ sync_state: SyncState.applied, sync_code: null })));
  });

  it('is not moved by an outcome outside its lifecycle: nothing of that answer is recorded', async () => {
    const [a, b] = journalOps(2) as [string, string];
    server.answers.set(b, { outcome: SyncState.pending });
    await expect(worker.push()).rejects.toThrow(LifecycleError);
    expect([stateOf(a).sync_state, stateOf(b).sync_state]).toEqual([SyncState.pending, SyncState.pending]);
    expect(journal.counts().unsent).toBe(2);
  });
});
