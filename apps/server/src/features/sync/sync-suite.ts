/**
 * The sync guarantees, written once and run on PGlite and on a real PostgreSQL: replays return the
 * stored outcome, a gap is refused with the expected seq, the same op id with another body is a
 * conflict, an older epoch is fenced, anomalies are applied and queued, a poison op advances the seq,
 * two pushes of one desk serialise, a lost response is harmless.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleBody, PROTOCOL_VERSION } from '@paydesk/protocol';
import { opHash } from '@paydesk/protocol/node';
import type { OpenDatabase } from '../../db/database.ts';
import { billingBody, IDS, testServer, type TestServer } from '../../testing/fixture.ts';
import { processPush } from './push.ts';
import { applyOp } from './apply-ops.ts';

export function syncSuite(name: string, makeDb: () => Promise<OpenDatabase>): void {
  describe(`sync (${name})`, () => {
    let s: TestServer;
    beforeEach(async () => {
      s = await testServer(await makeDb());
    });
    afterEach(async () => {
      await s.close();
    });

    const count = async (table: 'payments' | 'ops' | 'review_items' | 'payment_lines' | 'readings' | 'billing_feed'): Promise<number> =>
      Number(
        (
          await s.open.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('applies a billing payment, updates the debt, the feed and the desk’s seq', async () => {
      const desk = await s.enroll();
      const op = s.op(desk, 'payment.accepted', billingBody());
      const r = await s.pushOk(desk, [op]);
      expect(r.lastSeq).toBe(1);
      expect(r.results).toEqual([{ seq: 1, opId: op.opId, outcome: 'applied', replay: false }]);
      expect(Number(r.version)).toBeGreaterThan(0);
      const charges = await s.open.db
        .selectFrom('charges')
        .select(['service_code', 'paid_kop', 'paid_penalty_kop'])
        .where('account_number', '=', '1234567')
        .orderBy('service_code')
        .execute();
      expect(charges).toEqual([
        { service_code: 'MAINT', paid_kop: 100_000, paid_penalty_kop: 0 },
        { service_code: 'WATER', paid_kop: 50_000, paid_penalty_kop: 1_234 },
      ]);
      expect(await count('payments')).toBe(1);
      expect(await count('payment_lines')).toBe(2);
      expect(await count('billing_feed')).toBe(1);
      const d = await s.open.db.selectFrom('desks').select('last_seq').where('id', '=', desk.deskId).executeTakeFirstOrThrow();
      expect(d.last_seq).toBe(1);
    });

    it('a replay gets the stored outcome and changes nothing', async () => {
      const desk = await s.enroll();
      const ops = [s.op(desk, 'payment.accepted', billingBody()), s.op(desk, 'cash.in')];
      const first = await s.pushOk(desk, ops);
      const again = await s.pushOk(desk, ops);
      expect(again.lastSeq).toBe(2);
      expect(again.results.map((r) => [r.seq, r.outcome, r.replay])).toEqual([
        [1, 'applied', true],
        [2, 'applied', true],
      ]);
      expect(first.results.map((r) => r.outcome)).toEqual(again.results.map((r) => r.outcome));
      // The desk keeps its local debt correction until it has pulled up to this version: it must
      // cover the replayed payment's change (a zero here made desks drop it too early).
      expect(Number(again.version)).toBeGreaterThanOrEqual(Number(first.version));
      expect(await count('payments')).toBe(1);
      const paid = await s.open.db.selectFrom('charges').select('paid_kop').where('service_code', '=', 'MAINT').executeTakeFirstOrThrow();
      expect(paid.paid_kop).toBe(100_000);
    });

    it('a batch that overlaps what was applied applies only the new part', async () => {
      const desk = await s.enroll();
      const a = s.op(desk, 'cash.in');
      const b = s.op(desk, 'cash.out');
      await s.pushOk(desk, [a]);
      const r = await s.pushOk(desk, [a, b]);
      expect(r.results.map((x) => [x.seq, x.replay])).toEqual([
        [1, true],
        [2, false],
      ]);
      expect(r.lastSeq).toBe(2);
    });

    it('a gap is refused with 409 and the expected seq, and nothing is written', async () => {
      const desk = await s.enroll();
      s.op(desk, 'cash.in');
      const skipped = s.op(desk, 'cash.in');
      const r = await s.push(desk, [skipped]);
      expect(r.statusCode).toBe(409);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json()).toMatchObject({ code: 'sync.gap', expectedSeq: 1 });
      expect(await count('ops')).toBe(0);
    });

    it('the same op id with a different body is a conflict, never an overwrite', async () => {
      const desk = await s.enroll();
      const op = s.op(desk, 'payment.accepted', billingBody());
      await s.pushOk(desk, [op]);
      // The same seq resent with another body: the stored op stands.
      const tampered = {
        ...op,
        body: { ...op.body, totalKop: op.body.totalKop + 100, tenderedKop: 300_000, commissionKop: op.body.commissionKop + 100 },
      };
      tampered.hash = opHash(tampered.body);
      const r1 = await s.pushOk(desk, [tampered]);
      expect(r1.results[0]).toMatchObject({ outcome: 'rejected', code: 'sync.op_conflict', replay: true });
      // The same op id under a new seq with another body.
      const reused = s.op(desk, 'payment.accepted', { ...billingBody(), number: 'К1-999999' });
      const r2 = await s.pushOk(desk, [{ ...reused, opId: op.opId }]);
      expect(r2.results[0]).toMatchObject({ outcome: 'rejected', code: 'sync.op_conflict' });
      expect(r2.lastSeq).toBe(2);
      const p = await s.open.db.selectFrom('payments').select(['total_kop', 'number']).executeTakeFirstOrThrow();
      expect(p).toEqual({ total_kop: op.body.totalKop, number: op.body.number });
      expect(await count('payments')).toBe(1);
      const review = await s.open.db.selectFrom('review_items').select('code').execute();
      expect(review.map((x) => x.code)).toContain('sync.op_conflict');
    });

    it('the same op id with the same body under a new seq is applied once', async () => {
      const desk = await s.enroll();
      const op = s.op(desk, 'payment.accepted', billingBody());
      await s.pushOk(desk, [op]);
      const again = s.op(desk, 'payment.accepted', op.body);
      const r = await s.pushOk(desk, [{ ...again, opId: op.opId }]);
      expect(r.results[0]).toMatchObject({ outcome: 'applied', code: 'sync.duplicate' });
      expect(await count('payments')).toBe(1);
    });

    it('fences an older epoch after the desk is reinstalled', async () => {
      const desk = await s.enroll('Касса 1');
      const op = s.op(desk, 'cash.in');
      await s.pushOk(desk, [op]);
      const reissued = await s.as(s.adminToken)('POST', `/api/v1/desks/${desk.deskId}/enrollment`);
      expect(reissued.statusCode).toBe(201);
      const enrolled = await s.app.inject({
        method: 'POST',
        url: '/api/v1/desks/enroll',
        payload: { enrollmentCode: reissued.json().enrollmentCode },
      });
      expect(enrolled.statusCode).toBe(200);
      const fresh = { deskId: desk.deskId, deskKey: enrolled.json().deskKey as string, epoch: enrolled.json().epoch as number, seq: 0 };
      expect(fresh.epoch).toBe(desk.epoch + 1);
      // The old installation's key is gone with the new enrollment.
      const old = await s.push(desk, [s.op(desk, 'cash.in')]);
      expect(old.statusCode).toBe(401);
      // An op stamped with the old epoch but the new key is fenced.
      const stale = await s.push({ ...fresh, epoch: desk.epoch }, [s.op(fresh, 'cash.in')]);
      expect(stale.statusCode).toBe(409);
      expect(stale.json()).toMatchObject({ code: 'sync.epoch_fenced', currentEpoch: fresh.epoch });
      fresh.seq = 0;
      const ok = await s.pushOk(fresh, [s.op(fresh, 'cash.in')]);
      expect(ok.lastSeq).toBe(1);
    });

    it('records a business anomaly and queues it for review instead of rejecting it', async () => {
      const desk = await s.enroll();
      const closed = s.op(
        desk,
        'payment.accepted',
        billingBody({
          accountNumber: '7654321',
          lines: [{ serviceCode: 'MAINT', period: '2026-10', amountKop: 10_000, penaltyKop: 0 }],
          commissionKop: 0,
          totalKop: 10_000,
          tenderedKop: 10_000,
        }),
      );
      const unknownService = s.op(
        desk,
        'payment.accepted',
        billingBody({
          lines: [{ serviceCode: 'GAS', period: '2026-10', amountKop: 10_000, penaltyKop: 0 }],
          commissionKop: 0,
          totalKop: 10_000,
          tenderedKop: 10_000,
        }),
      );
      const aboveDebt = s.op(
        desk,
        'payment.accepted',
        billingBody({
          lines: [{ serviceCode: 'MAINT', period: '2026-10', amountKop: 150_000, penaltyKop: 0 }],
          commissionKop: 0,
          totalKop: 150_000,
          tenderedKop: 150_000,
        }),
      );
      const r = await s.pushOk(desk, [closed, unknownService, aboveDebt]);
      expect(r.results.map((x) => [x.outcome, x.code])).toEqual([
        ['applied_with_review', 'payment.account_closed'],
        ['applied_with_review', 'payment.unknown_service'],
        ['applied_with_review', 'payment.above_debt'],
      ]);
      expect(await count('payments')).toBe(3);
      const codes = (await s.open.db.selectFrom('review_items').select('code').execute()).map((x) => x.code).sort();
      expect(codes).toEqual(['payment.above_debt', 'payment.account_closed', 'payment.unknown_service']);
    });

    it('a poison op is rejected, shown, and still advances the seq', async () => {
      const desk = await s.enroll();
      const bad = s.op(desk, 'cash.in', { ...exampleBody('cash.in'), amountKop: -5 } as never);
      const good = s.op(desk, 'cash.out');
      const r = await s.pushOk(desk, [bad, good]);
      expect(r.results.map((x) => [x.outcome, x.code])).toEqual([
        ['rejected', 'validation.failed'],
        ['applied', undefined],
      ]);
      expect(r.results[0]?.message).toMatch(/amountKop/);
      expect(r.lastSeq).toBe(2);
      expect((await s.open.db.selectFrom('review_items').select('code').execute()).map((x) => x.code)).toEqual(['sync.rejected']);
    });

    it('two concurrent pushes of one desk are serialised: each op once', async () => {
      const desk = await s.enroll();
      const ops = Array.from({ length: 20 }, () =>
        s.op(
          desk,
          'payment.accepted',
          billingBody({
            lines: [{ serviceCode: 'MAINT', period: '2026-10', amountKop: 100, penaltyKop: 0 }],
            commissionKop: 0,
            totalKop: 100,
            tenderedKop: 100,
          }),
        ),
      );
      const [a, b] = await Promise.all([s.push(desk, ops), s.push(desk, ops)]);
      expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
      const replays = [a.json(), b.json()].map((x: { results: { replay: boolean }[] }) => x.results.filter((y) => y.replay).length).sort();
      expect(replays).toEqual([0, 20]);
      expect(await count('payments')).toBe(20);
      const paid = await s.open.db.selectFrom('charges').select('paid_kop').where('service_code', '=', 'MAINT').executeTakeFirstOrThrow();
      expect(paid.paid_kop).toBe(2_000);
    });

    it('a response lost after commit: the retry gets the stored answer, nothing doubles', async () => {
      const desk = await s.enroll();
      const op = s.op(desk, 'payment.accepted', billingBody());
      const original = await s.pushOk(desk, [op]);
      // The desk never heard this answer and resends the same batch, as it must.
      const retry = await s.pushOk(desk, [op]);
      expect(retry.results[0]).toMatchObject({ outcome: original.results[0]?.outcome, replay: true });
      expect(await count('payments')).toBe(1);
      expect(await count('billing_feed')).toBe(1);
    });

    it('refuses ops of another desk, a corrupted hash, a wrong protocol version; writes nothing', async () => {
      const a = await s.enroll();
      const b = await s.enroll();
      const op = s.op(a, 'cash.in');
      const other = await s.app.inject({
        method: 'POST',
        url: '/api/v1/sync/push',
        headers: { authorization: `Bearer ${b.deskKey}` },
        payload: { protocolVersion: PROTOCOL_VERSION, deskId: a.deskId, epoch: a.epoch, ops: [op] },
      });
      expect(other.statusCode).toBe(403);
      expect(other.json().code).toBe('sync.wrong_desk');
      const corrupted = await s.push(a, [{ ...op, body: { ...op.body, amountKop: 1 } }]);
      expect(corrupted.statusCode).toBe(400);
      expect(corrupted.json().code).toBe('sync.hash_mismatch');
      const v2 = await s.app.inject({
        method: 'POST',
        url: '/api/v1/sync/push',
        headers: { authorization: `Bearer ${a.deskKey}` },
        payload: { protocolVersion: PROTOCOL_VERSION + 1, deskId: a.deskId, epoch: a.epoch, ops: [op] },
      });
      expect(v2.json().code).toBe('sync.protocol_version');
      expect(await count('ops')).toBe(0);
    });

    it('a reversal undoes the payment on the account and in the feed', async () => {
      const desk = await s.enroll();
      const pay = s.op(desk, 'payment.accepted', billingBody());
      const rev = s.op(desk, 'payment.reversed', {
        ...exampleBody('payment.reversed'),
        originalOpId: pay.opId,
        amountKop: pay.body.totalKop,
      });
      const r = await s.pushOk(desk, [pay, rev]);
      expect(r.results.map((x) => x.outcome)).toEqual(['applied', 'applied']);
      const p = await s.open.db.selectFrom('payments').select(['state', 'reversed_by']).executeTakeFirstOrThrow();
      expect(p).toEqual({ state: 'reversed', reversed_by: rev.opId });
      const paid = await s.open.db
        .selectFrom('charges')
        .select(['paid_kop', 'paid_penalty_kop'])
        .where('account_number', '=', '1234567')
        .execute();
      expect(paid.every((c) => c.paid_kop === 0 && c.paid_penalty_kop === 0)).toBe(true);
      const feed = await s.open.db.selectFrom('billing_feed').select(['kind', 'op_id']).orderBy('position').execute();
      expect(feed).toEqual([
        { kind: 'payment', op_id: pay.opId },
        { kind: 'reversal', op_id: rev.opId },
      ]);
      // A second reversal of the same payment is a fact too: recorded and queued.
      const again = s.op(desk, 'payment.reversed', {
        ...exampleBody('payment.reversed'),
        originalOpId: pay.opId,
        amountKop: pay.body.totalKop,
      });
      expect((await s.pushOk(desk, [again])).results[0]).toMatchObject({ outcome: 'applied_with_review', code: 'reversal.duplicate' });
    });

    it('a reading updates the meter’s last reading; a bad one is recorded and queued', async () => {
      const desk = await s.enroll();
      const reading = s.op(desk, 'reading.submitted', {
        ...exampleBody('reading.submitted'),
        meterId: IDS.meter,
        value: '1012,5',
        readAt: '2026-11-20',
        period: '2026-11',
        submittedAt: '2026-11-20T10:00:00+03:00',
        findings: [],
      });
      const r = await s.pushOk(desk, [reading]);
      expect(r.results[0]?.outcome).toBe('applied');
      const m = await s.open.db
        .selectFrom('meters')
        .select(['last_value_milli', 'last_date'])
        .where('id', '=', IDS.meter)
        .executeTakeFirstOrThrow();
      expect(m).toEqual({ last_value_milli: 1_012_500, last_date: '2026-11-20' });
      const jump = s.op(desk, 'reading.submitted', {
        ...exampleBody('reading.submitted'),
        meterId: IDS.meter,
        value: '9000',
        readAt: '2026-11-21',
        period: '2026-11',
        submittedAt: '2026-11-21T10:00:00+03:00',
        findings: [],
        confirmed: [],
      });
      expect((await s.pushOk(desk, [jump])).results[0]).toMatchObject({ outcome: 'applied_with_review', code: 'reading.check_failed' });
      expect(await count('readings')).toBe(2);
    });

    it('a third-party payment is queued for forwarding with a txn_id derived from its op id', async () => {
      const desk = await s.enroll();
      const tp = s.op(desk, 'thirdparty.accepted');
      await s.pushOk(desk, [tp]);
      const f = await s.open.db.selectFrom('forwardings').selectAll().executeTakeFirstOrThrow();
      expect(f).toMatchObject({ op_id: tp.opId, provider_code: 'MTS', account: '9161112233', amount_kop: 30_000, state: 'queued' });
      expect(f.txn_id).toMatch(/^\d{1,19}$/);
    });

    // Issue 16 item 3: one op the server cannot place must not jam the desk's queue.
    const withId = <T extends { opId: string; body: unknown }>(op: T, opId: string): T & { opId: string } => ({ ...op, opId });

    it('a payment whose op id is dated before 2020 (a PC clock reset) is applied, and so are the ops after it', async () => {
      const desk = await s.enroll();
      const early = withId(s.op(desk, 'thirdparty.accepted'), '016a0000-0000-7abc-8def-0123456789ab');
      const after = s.op(desk, 'cash.in');
      const r = await s.push(
        desk,
        [s.op(desk, 'cash.in'), early, after].map((o, i) => ({ ...o, seq: i + 1 })),
      );
      expect(r.statusCode).toBe(200);
      const body = r.json() as { lastSeq: number; results: { opId: string; outcome: string }[] };
      expect(body.lastSeq).toBe(3);
      expect(body.results.find((x) => x.opId === early.opId)?.outcome).toMatch(/^applied/);
      const f = await s.open.db.selectFrom('forwardings').select(['txn_id']).where('op_id', '=', early.opId).executeTakeFirstOrThrow();
      expect(f.txn_id).toMatch(/^[1-9]\d{0,18}$/);
    });

    it('two op ids whose derived txn_ids would collide each get a txn_id of their own', async () => {
      const desk = await s.enroll();
      const a = withId(s.op(desk, 'thirdparty.accepted'), '0190a0b0-1234-7000-8000-000000000001');
      const b = withId(s.op(desk, 'thirdparty.accepted'), '0190a0b0-1234-7000-8000-000000000002');
      await s.pushOk(desk, [a]);
      const r = await s.push(desk, [b]);
      expect(r.statusCode).toBe(200);
      const ids = (
        await s.open.db.selectFrom('forwardings').select(['op_id', 'txn_id']).where('op_id', 'in', [a.opId, b.opId]).execute()
      ).map((x) => x.txn_id);
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(2);
      // Stable: the same op pushed again keeps its txn_id.
      await s.pushOk(desk, [b]);
      const again = await s.open.db.selectFrom('forwardings').select('txn_id').where('op_id', '=', b.opId).executeTakeFirstOrThrow();
      expect(ids).toContain(again.txn_id);
    });

    it('an op whose effects cannot be written is kept whole for review; the rest of the batch is applied', async () => {
      const desk = await s.enroll();
      const ops = [s.op(desk, 'cash.in'), s.op(desk, 'payment.accepted', billingBody()), s.op(desk, 'cash.out')];
      const poison = ops[1] as (typeof ops)[number];
      const r = await processPush(
        s.open.db,
        { deskId: desk.deskId, pointId: IDS.point },
        { protocolVersion: PROTOCOL_VERSION, deskId: desk.deskId, epoch: desk.epoch, ops },
        undefined,
        {
          apply: (ctx, opId, type, body) => {
            if (opId === poison.opId) throw new Error('a bug in the handler');
            return applyOp(ctx, opId, type, body);
          },
        },
      );
      expect(r.lastSeq).toBe(3);
      expect(r.results.map((x) => x.outcome)).toEqual(['applied', 'rejected', 'applied']);
      expect(r.results[1]?.code).toBe('sync.unapplicable');
      const item = await s.open.db
        .selectFrom('review_items')
        .select(['code', 'context'])
        .where('op_id', '=', poison.opId)
        .executeTakeFirstOrThrow();
      expect(item.code).toBe('sync.unapplicable');
      expect(JSON.stringify(item.context)).toContain('"accountNumber":"1234567"');
      expect(await count('payments')).toBe(0);
      expect(await count('ops')).toBe(3);
    });

    it('a payment whose register outcome a senior settled by hand is applied and goes to review', async () => {
      const desk = await s.enroll();
      const body = billingBody();
      const op = s.op(desk, 'payment.accepted', { ...body, fiscal: { ...body.fiscal, settledBy: IDS.cashier } });
      const r = await s.pushOk(desk, [op]);
      expect(r.results[0]).toMatchObject({ outcome: 'applied_with_review', code: 'fiscal.settled_by_hand' });
      expect(await count('payments')).toBe(1);
      const item = await s.open.db.selectFrom('review_items').select('code').where('op_id', '=', op.opId).executeTakeFirstOrThrow();
      expect(item.code).toBe('fiscal.settled_by_hand');
    });

    it('a reversal pushed in a later batch restores the debt it paid (issue 24 item 1)', async () => {
      const desk = await s.enroll();
      const paid = s.op(desk, 'payment.accepted', billingBody());
      const first = await s.pushOk(desk, [paid]);
      const reversal = s.op(desk, 'payment.reversed', {
        ...exampleBody('payment.reversed'),
        cashierId: IDS.cashier,
        originalOpId: paid.opId,
        amountKop: paid.body.totalKop,
      });
      const r = await s.pushOk(desk, [reversal]);
      expect(r.results[0]?.outcome).toBe('applied');
      const charges = await s.open.db
        .selectFrom('charges')
        .select(['service_code', 'paid_kop', 'paid_penalty_kop'])
        .where('account_number', '=', '1234567')
        .orderBy('service_code')
        .execute();
      expect(charges).toEqual([
        { service_code: 'MAINT', paid_kop: 0, paid_penalty_kop: 0 },
        { service_code: 'WATER', paid_kop: 0, paid_penalty_kop: 0 },
      ]);
      // The desks see the debt back: the charges carry a new version.
      const pull = await s.app.inject({
        method: 'GET',
        url: `/api/v1/sync/pull?cursor=${first.version}&limit=100`,
        headers: { authorization: `Bearer ${desk.deskKey}` },
      });
      expect((pull.json() as { changes: { charges?: unknown[] } }).changes.charges?.length).toBe(2);
    });

    it('shift totals that differ between register and journal go to review', async () => {
      const desk = await s.enroll();
      const body = exampleBody('shift.closed');
      body.journalTotals.sales.cashKop += 100;
      const r = await s.pushOk(desk, [s.op(desk, 'shift.opened'), s.op(desk, 'shift.closed', body)]);
      expect(r.results[1]).toMatchObject({ outcome: 'applied_with_review', code: 'shift.totals_mismatch' });
    });

    it('pull: the first pull loads everything, later ones only changes; a payment changes the debt', async () => {
      const desk = await s.enroll();
      const pull = async (
        cursor: string,
        limit = 1000,
      ): Promise<{ cursor: string; hasMore: boolean; changes: Record<string, { version: string }[]> }> => {
        const r = await s.app.inject({
          method: 'GET',
          url: `/api/v1/sync/pull?cursor=${cursor}&limit=${limit}`,
          headers: { authorization: `Bearer ${desk.deskKey}` },
        });
        expect(r.statusCode).toBe(200);
        return r.json();
      };
      const first = await pull('0');
      expect(first.changes['accounts']).toHaveLength(2);
      expect(first.changes['charges']).toHaveLength(2);
      expect(first.changes['meters']).toHaveLength(1);
      expect(first.changes['providers']).toHaveLength(1);
      expect(first.changes['users']?.map((u) => (u as unknown as { login: string }).login)).toContain('admin');
      expect(JSON.stringify(first)).not.toContain('secret-provider-password');
      expect(first.hasMore).toBe(false);
      const empty = await pull(first.cursor);
      expect(Object.keys(empty.changes)).toEqual([]);
      expect(empty.cursor).toBe(first.cursor);
      const pushed = await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody())]);
      const after = await pull(first.cursor);
      expect(after.changes['charges']?.map((c) => (c as unknown as { paidKop: number }).paidKop).sort((x, y) => x - y)).toEqual([
        50_000, 100_000,
      ]);
      expect(Number(after.cursor)).toBeGreaterThanOrEqual(Number(pushed.version));
    });

    it('pull in small pages sees every row exactly once', async () => {
      const desk = await s.enroll();
      const seen = new Set<string>();
      let cursor = '0';
      let pages = 0;
      for (;;) {
        const r = await s.app.inject({
          method: 'GET',
          url: `/api/v1/sync/pull?cursor=${cursor}&limit=2`,
          headers: { authorization: `Bearer ${desk.deskKey}` },
        });
        const page = r.json() as { cursor: string; hasMore: boolean; changes: Record<string, { version: string }[]> };
        const rows = Object.entries(page.changes).flatMap(([k, v]) => v.map((x) => `${k}:${x.version}`));
        expect(rows.length).toBeLessThanOrEqual(2);
        for (const row of rows) {
          expect(seen.has(row)).toBe(false);
          seen.add(row);
        }
        cursor = page.cursor;
        pages++;
        if (!page.hasMore) break;
      }
      expect(pages).toBeGreaterThan(3);
      const total = await s.app.inject({
        method: 'GET',
        url: '/api/v1/sync/pull?cursor=0&limit=1000',
        headers: { authorization: `Bearer ${desk.deskKey}` },
      });
      const all = Object.values((total.json() as { changes: Record<string, unknown[]> }).changes).reduce((n, v) => n + v.length, 0);
      expect(seen.size).toBe(all);
    });
  });
}
