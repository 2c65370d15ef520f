/**
 * Issue 19 item 17: reconnecting took 30–43 s after the server came back. The sync worker with its
 * own defaults (as the desk runs in production), on a clock the test moves: after losing the link it
 * probes within a second or two, then less and less often up to every 30 s while the server stays
 * away, and starts over from a second once it is back; so a server back after an outage of up to
 * 25 s is noticed within about 5 s, and after any outage within 30 s.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { PROTOCOL_VERSION, type PullResponse, type PushResponse } from '@paydesk/protocol';
import { openJournal, type JournalDb } from '../../db/journal-db.ts';
import { DeskSettings } from '../../desk-settings.ts';
import type { Identity } from '../../identity.ts';
import type { DeskEvent, EventHub } from '../events/event-hub.ts';
import { Journal } from '../journal/journal.ts';
import { Replica } from './replica.ts';
import { LinkError, type ServerClient } from './server-client.ts';
import { SyncWorker } from './sync-worker.ts';

/** The server at the client's edge: up or down, and when the desk asked whether it is up. */
class Link {
  up = true;
  probes: number[] = [];

  async health(): Promise<boolean> {
    this.probes.push(performance.now());
    return this.up;
  }

  async push(): Promise<PushResponse> {
    if (!this.up) throw new LinkError('нет связи');
    return { lastSeq: 0, version: '1', results: [] };
  }

  async pull(): Promise<PullResponse> {
    if (!this.up) throw new LinkError('нет связи');
    return { protocolVersion: PROTOCOL_VERSION, cursor: '0', hasMore: false, changes: {} };
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

/** The worker's tick: a probe falls due between two ticks at most this late. */
const TICK = 250;

let db: JournalDb;
let link: Link;
let worker: SyncWorker;
/** When the worker said it went offline and online, on its clock. */
let changes: { online: boolean; at: number }[];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
  // The worker schedules on performance.now(): here it follows the test's clock.
  vi.spyOn(performance, 'now').mockImplementation(() => Date.now());
  db = openJournal(':memory:');
  link = new Link();
  changes = [];
  worker = new SyncWorker(
    db,
    new Journal(db),
    new Replica(db),
    link as unknown as ServerClient,
    () => identity,
    new DeskSettings(db),
    {
      publish: (e: DeskEvent) => {
        if (e.type === 'online') changes.push({ online: (e.data as { online: boolean }).online, at: performance.now() });
      },
    } as unknown as EventHub,
    () => new Date(),
    pino({ level: 'silent' }),
    async () => ({}),
  );
  worker.start();
});

afterEach(async () => {
  await worker.stop();
  db.close();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** Moves the clock until `pred` holds, in ticks; returns the time it took. */
async function until(pred: () => boolean, limitMs: number): Promise<number> {
  const from = performance.now();
  while (!pred()) {
    if (performance.now() - from > limitMs) throw new Error(`not within ${limitMs} ms`);
    await vi.advanceTimersByTimeAsync(50);
  }
  return performance.now() - from;
}

/** Takes the server away and waits for the desk to notice; returns when it went offline. */
async function loseLink(): Promise<number> {
  await until(() => worker.state.online, 5_000);
  link.up = false;
  await until(() => !worker.state.online, 20_000);
  return changes.findLast((c) => !c.online)?.at ?? Number.NaN;
}

describe('reconnecting with the desk’s own defaults (issue 19 item 17)', () => {
  it('probes within 1–2 s of losing the link, then ever less often — at most 1 s plus a fifth of the time down — up to every 30 s', async () => {
    const lost = await loseLink();
    link.probes = [];
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    const times = [lost, ...link.probes];
    const gaps = times.slice(1).map((t, i) => ({ gap: t - (times[i] as number), down: (times[i] as number) - lost }));
    expect(gaps[0]?.gap).toBeLessThanOrEqual(2_000);
    for (const { gap, down } of gaps) expect(gap, `after ${Math.round(down)} ms down`).toBeLessThanOrEqual(1_000 + down / 5 + TICK);
    expect(Math.max(...gaps.map((g) => g.gap))).toBeLessThanOrEqual(30_000 + TICK);
    // A long outage: probes every 30 s, not more often (a dead server is not hammered).
    expect(gaps.at(-1)?.gap).toBeGreaterThanOrEqual(30_000 - TICK);
  });

  it('a server back after an outage of up to 25 s is noticed within about 5 s, and the backoff starts over', async () => {
    const waits: { outage: number; wait: number }[] = [];
    for (let outage = 1_000; outage <= 25_000; outage += 1_500) {
      const lost = await loseLink();
      await vi.advanceTimersByTimeAsync(lost + outage - performance.now());
      link.probes = [];
      link.up = true;
      waits.push({ outage, wait: await until(() => worker.state.online, 60_000) });
    }
    for (const { outage, wait } of waits) expect(wait, `after ${outage} ms away`).toBeLessThanOrEqual(5_500);
    // After a reconnect the next loss is probed at once again.
    const lost = await loseLink();
    link.probes = [];
    await until(() => link.probes.length > 0, 10_000);
    expect((link.probes[0] as number) - lost).toBeLessThanOrEqual(2_000);
  });

  it('after an outage of any length the server is noticed within 30 s', async () => {
    const lost = await loseLink();
    await vi.advanceTimersByTimeAsync(lost + 10 * 60_000 + 7_000 - performance.now());
    link.up = true;
    expect(await until(() => worker.state.online, 60_000)).toBeLessThanOrEqual(30_000 + TICK);
  });
});
