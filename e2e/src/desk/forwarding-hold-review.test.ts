/**
 * Issue 16, adversarial review (guarantee 3). A reversal retried under the SAME op id after it failed at the register (the
 * reversal dialog keeps its `opId` in useState for its whole life: journal.tsx line 197 — after a paper-out
 * the cashier loads paper and presses «Сторнировать» again). The failure left the hold `release_pending`;
 * a release that did not get through the first time is sent again by the next push (afterPush →
 * releasePending) while the retry's hold for the same reversal id is in flight. Nothing orders the two:
 * - the server's releaseHold (holds.ts:51) releases any hold whose held_for is that reversal id, the
 *   hold just renewed for the retry included;
 * - the desk's releasePending (forwarding-hold.ts:47) then marks the row 'released' whatever its state.
 * The retry prints the return receipt; the payment is back in forwarding and the worker credits it.
 * Real desk code against the real server routes; only the interleaving is chosen.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { exampleBody } from '@paydesk/protocol';
import { pgliteTestDb } from '@paydesk/server/test-db';
import { IDS, testServer, type TestDesk, type TestServer } from '@paydesk/server/fixture';
import { openJournal, type JournalDb } from '@paydesk/desk/src/db/journal-db.ts';
import type { DeskDeps } from '@paydesk/desk/src/deps.ts';
import { ServerAnswer } from '@paydesk/desk/src/features/sync/server-client.ts';
import { beforeRefund, releasePending, reversalSettled } from '@paydesk/desk/src/features/reversals/forwarding-hold.ts';
import type { OperationRow } from '@paydesk/desk/src/features/fiscal/fiscal-runner.ts';

let s: TestServer;
let desk: TestDesk;
let db: JournalDb;

beforeEach(async () => {
  s = await testServer(await pgliteTestDb());
  desk = await s.enroll();
  db = openJournal(':memory:');
});

afterEach(async () => {
  db.close();
  await s.close();
});

describe('ATTACK: a late release un-holds the retry of the same reversal', () => {
  it('the payment is back in forwarding while the desk refunds it in cash', async () => {
    const pay = s.op(desk, 'thirdparty.accepted', { ...exampleBody('thirdparty.accepted'), cashierId: IDS.cashier });
    await s.pushOk(desk, [pay]);
    const reversalOpId = pay.opId.replace(/^.{8}/, 'eeeeeeee');

    let failNextRelease = true;
    let gate: (() => void) | null = null;
    const call = async (path: string, holdId: string): Promise<{ state: string }> => {
      const r = await s.app.inject({
        method: 'POST',
        url: path,
        headers: { authorization: `Bearer ${desk.deskKey}` },
        payload: { holdId },
      });
      if (r.statusCode >= 300) throw new ServerAnswer(r.statusCode, (r.json() as { code?: string }).code ?? null, r.json());
      return r.json() as { state: string };
    };
    const client = {
      holdForwarding: (opId: string, holdId: string) => call(`/api/v1/forwardings/${opId}/hold`, holdId),
      async releaseForwarding(opId: string, holdId: string) {
        if (failNextRelease) {
          failNextRelease = false;
          throw new ServerAnswer(503, 'unavailable', {}); // a moment of trouble on the server
        }
        await new Promise<void>((r) => (gate = r)); // slow: on its way while the retry holds
        return call(`/api/v1/forwardings/${opId}/release`, holdId);
      },
    };
    const original = { op_id: pay.opId, kind: 'thirdparty' } as OperationRow;
    const reversal = { op_id: reversalOpId, kind: 'reversal', original_op_id: pay.opId } as OperationRow;
    const deps = {
      db,
      clock: () => new Date(),
      log: pino({ level: 'silent' }),
      client,
      sync: { state: { online: true }, push: async () => undefined, trigger: () => undefined },
      runner: { get: (id: string) => (id === pay.opId ? original : null) },
    } as unknown as DeskDeps;

    // First attempt: held, then refused at the register (paper out): the hold goes to release_pending.
    await beforeRefund(deps, reversal);
    reversalSettled(deps, reversalOpId, 'failed');
    await releasePending(deps); // the push right after: the release fails this time
    expect((db.prepare('SELECT state FROM forwarding_holds').get() as { state: string }).state).toBe('release_pending');

    // The cashier loads paper and presses again: same dialog, same op id. The next push's release is on its way.
    const late = releasePending(deps);
    await new Promise((r) => setTimeout(r, 20));
    await beforeRefund(deps, reversal); // the server says held: the desk goes on to print the refund
    (gate as unknown as () => void)();
    await late;

    const server = await s.open.db
      .selectFrom('forwardings')
      .select(['state', 'held_for'])
      .where('op_id', '=', pay.opId)
      .executeTakeFirstOrThrow();
    const local = (db.prepare('SELECT state FROM forwarding_holds').get() as { state: string }).state;
    expect(
      { server: server.state, local },
      'refund printed under a hold the server no longer has: the worker forwards the payment',
    ).toEqual({ server: 'held', local: 'held' });
  });
});
