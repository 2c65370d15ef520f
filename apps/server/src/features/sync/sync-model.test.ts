/**
 * The sync protocol as a model-based test (fast-check commands): random sequences of new operations,
 * pushes, duplicates, reordered batches, answers lost after commit, the server failing before commit,
 * and the desk being reinstalled (a new epoch), each checked against a model in which every operation
 * is applied on the server exactly once, whatever happened to the messages.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exampleBody, type PushRequest } from '@paydesk/protocol';
import { opHash } from '@paydesk/protocol/node';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '@paydesk/protocol';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { IDS, testServer, type TestServer } from '../../testing/fixture.ts';
import { enrollDesk, reissueEnrollment } from '../desks/desks.ts';
import { processPush } from './push.ts';

interface JournalOp {
  opId: string;
  body: ReturnType<typeof exampleBody<'service.sold'>>;
  /** The seq this op has in the desk's current epoch; reassigned on re-enrollment until acknowledged. */
  seq: number;
}

interface Model {
  journal: JournalOp[];
  /** Applied on the server (the truth). */
  applied: Set<string>;
  /** What the desk has heard acknowledged. */
  acked: Set<string>;
  epoch: number;
  nextSeq: number;
}

interface Real {
  s: TestServer;
  deskId: string;
  pointId: string;
  epoch: number;
  counter: number;
}

const pending = (m: Model): JournalOp[] => m.journal.filter((o) => !m.acked.has(o.opId));

function request(r: Real, ops: JournalOp[], epoch = r.epoch): PushRequest {
  return {
    protocolVersion: 1,
    deskId: r.deskId,
    epoch,
    ops: ops.map((o) => ({ seq: o.seq, opId: o.opId, type: 'service.sold', body: o.body, hash: opHash(o.body) })),
  } as PushRequest;
}

async function check(r: Real, m: Model): Promise<void> {
  const payments = await r.s.open.db.selectFrom('payments').select('op_id').execute();
  expect(new Set(payments.map((p) => p.op_id))).toEqual(m.applied);
  expect(payments).toHaveLength(m.applied.size);
}

class NewOp implements fc.AsyncCommand<Model, Real> {
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    r.counter++;
    const body = { ...exampleBody('service.sold'), cashierId: IDS.cashier, number: `M-${r.counter}` };
    m.journal.push({ opId: uuidv7(), body, seq: m.nextSeq++ });
  }
  toString = (): string => 'new op';
}

class Push implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly count: number,
    readonly fate: 'answered' | 'lost' | 'crash',
  ) {}
  check = (m: Model): boolean => pending(m).length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const batch = pending(m).slice(0, this.count);
    const push = processPush(r.s.open.db, { deskId: r.deskId, pointId: r.pointId }, request(r, batch), () => {
      if (this.fate === 'crash') throw new Error('the server died before commit');
    });
    if (this.fate === 'crash') {
      await expect(push).rejects.toThrow('before commit');
    } else {
      const res = await push;
      expect(res.results.map((x) => x.opId)).toEqual(batch.map((o) => o.opId));
      for (const o of batch) m.applied.add(o.opId);
      if (this.fate === 'answered') for (const o of batch) m.acked.add(o.opId);
    }
    await check(r, m);
  }
  toString = (): string => `push ${this.count} (${this.fate})`;
}

class PushReordered implements fc.AsyncCommand<Model, Real> {
  check = (m: Model): boolean => pending(m).filter((o) => !m.applied.has(o.opId)).length >= 2;
  async run(m: Model, r: Real): Promise<void> {
    const batch = pending(m)
      .filter((o) => !m.applied.has(o.opId))
      .reverse();
    const err = await processPush(r.s.open.db, { deskId: r.deskId, pointId: r.pointId }, request(r, batch)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('sync.gap');
    await check(r, m);
  }
  toString = (): string => 'push reordered';
}

class Duplicate implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pickIndex: number) {}
  check = (m: Model): boolean => m.journal.some((o) => m.acked.has(o.opId) && o.seq > 0);
  async run(m: Model, r: Real): Promise<void> {
    const acked = m.journal.filter((o) => m.acked.has(o.opId) && o.seq > 0);
    const op = acked[this.pickIndex % acked.length] as JournalOp;
    const res = await processPush(r.s.open.db, { deskId: r.deskId, pointId: r.pointId }, request(r, [op]));
    expect(res.results).toEqual([expect.objectContaining({ opId: op.opId, replay: true })]);
    await check(r, m);
  }
  toString = (): string => `duplicate #${this.pickIndex}`;
}

class Reenroll implements fc.AsyncCommand<Model, Real> {
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const { enrollmentCode } = await reissueEnrollment(r.s.open.db, r.deskId, { type: 'system', id: null }, 1);
    const e = await enrollDesk(r.s.open.db, enrollmentCode, undefined);
    const oldEpoch = r.epoch;
    r.epoch = e.epoch;
    m.epoch = e.epoch;
    // The desk numbers what the server has not acknowledged from 1 in the new epoch; the rest keep no seq.
    let seq = 1;
    for (const o of m.journal) o.seq = m.acked.has(o.opId) ? 0 : seq++;
    m.nextSeq = seq;
    // A copy of the desk still on the old epoch is fenced.
    const stale = pending(m).slice(0, 1);
    if (stale.length > 0) {
      const err = await processPush(r.s.open.db, { deskId: r.deskId, pointId: r.pointId }, request(r, stale, oldEpoch)).then(
        () => null,
        (x: unknown) => x,
      );
      expect((err as AppError).code).toBe('sync.epoch_fenced');
    }
    await check(r, m);
  }
  toString = (): string => 'reinstall (new epoch)';
}

describe('sync protocol against its model', () => {
  it('every operation is applied exactly once whatever happens to the messages', async () => {
    const commands = [
      fc.constant(new NewOp()),
      fc.constant(new NewOp()),
      fc
        .tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom('answered', 'answered', 'lost', 'crash'))
        .map(([n, f]) => new Push(n, f as 'answered' | 'lost' | 'crash')),
      fc.constant(new PushReordered()),
      fc.nat(20).map((i) => new Duplicate(i)),
      fc.constant(new Reenroll()),
    ];
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (cmds) => {
        const s = await testServer(await pgliteTestDb());
        try {
          const desk = await s.enroll();
          const real: Real = { s, deskId: desk.deskId, pointId: IDS.point, epoch: desk.epoch, counter: 0 };
          const model: Model = { journal: [], applied: new Set(), acked: new Set(), epoch: desk.epoch, nextSeq: 1 };
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          // In the end the desk sends everything it has not heard acknowledged: all of it is there once.
          const rest = pending(model);
          if (rest.length > 0) await new Push(rest.length, 'answered').run(model, real);
          expect(model.applied.size).toBe(model.journal.length);
        } finally {
          await s.close();
        }
      }),
      { numRuns: 12, seed: 2026_11_28 },
    );
  }, 240_000);
});
