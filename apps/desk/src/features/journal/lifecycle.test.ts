/**
 * Issue 17 item 3: the three state machines of an operation as one table. Every move the desk makes is
 * in it, nothing else is, and the names agree with the journal's schema and the desk API's views.
 */
import { describe, expect, it } from 'vitest';
import { opOutcome, paymentView } from '@paydesk/protocol';
import { openJournal } from '../../db/journal-db.ts';
import { FISCAL, FiscalState, HOLD, HoldState, Lifecycle, LifecycleError, SYNC, SyncState, sqlList } from './lifecycle.ts';

/** Every (from, to) pair of a lifecycle, `from` null for a row being written. */
function pairs<S extends string>(lc: Lifecycle<S>): [S | null, S][] {
  return [null, ...lc.states].flatMap((from) => lc.states.map((to): [S | null, S] => [from, to]));
}

function allowed<S extends string>(lc: Lifecycle<S>): string[] {
  return pairs(lc)
    .filter(([from, to]) => lc.allows(from, to))
    .map(([from, to]) => `${from ?? '(new)'} → ${to}`);
}

describe('operations.state', () => {
  it('allows exactly: written pending or done, pending → done | failed, failed → pending (retry under the same id)', () => {
    expect(allowed(FISCAL).sort()).toEqual(
      ['(new) → fiscal_pending', '(new) → done', 'fiscal_pending → done', 'fiscal_pending → failed', 'failed → fiscal_pending'].sort(),
    );
  });

  it('refuses the rest, naming the column and the move', () => {
    expect(() => FISCAL.check(FiscalState.done, FiscalState.failed)).toThrow(LifecycleError);
    expect(() => FISCAL.check(FiscalState.done, FiscalState.pending)).toThrow('operations.state: done → fiscal_pending is not allowed');
    expect(() => FISCAL.check(FiscalState.failed, FiscalState.done)).toThrow(LifecycleError);
    expect(() => FISCAL.check(null, FiscalState.failed)).toThrow('operations.state: (new) → failed is not allowed');
    expect(() => FISCAL.move(FiscalState.pending, FiscalState.pending)).toThrow(LifecycleError);
  });

  it('a checked move gives back its states', () => {
    expect(FISCAL.move(FiscalState.pending, FiscalState.done)).toEqual({ from: 'fiscal_pending', to: 'done' });
    expect(FISCAL.check(FiscalState.failed, FiscalState.pending)).toBe('fiscal_pending');
  });
});

describe('ops.sync_state', () => {
  it('allows exactly: written pending, pending → the server’s answer, any answer → pending (sent again)', () => {
    expect(allowed(SYNC).sort()).toEqual(
      [
        '(new) → pending',
        'pending → applied',
        'pending → applied_with_review',
        'pending → rejected',
        'applied → pending',
        'applied_with_review → pending',
        'rejected → pending',
      ].sort(),
    );
    expect(SYNC.sources(SyncState.pending).sort()).toEqual(['applied', 'applied_with_review', 'rejected']);
  });

  it('refuses an answer to an answered op, and a word that is no state', () => {
    expect(() => SYNC.check(SyncState.applied, SyncState.rejected)).toThrow(LifecycleError);
    expect(() => SYNC.check(SyncState.rejected, SyncState.applied)).toThrow(LifecycleError);
    expect(() => SYNC.check(SyncState.pending, SyncState.pending)).toThrow(LifecycleError);
    expect(() => SYNC.check(null, SyncState.applied)).toThrow(LifecycleError);
    expect(() => SYNC.check(SyncState.pending, 'accepted')).toThrow('ops.sync_state: pending → accepted is not allowed');
  });

  it('every outcome the server may answer a push with is a move from pending', () => {
    for (const outcome of opOutcome.options) expect(SYNC.check(SyncState.pending, outcome)).toBe(outcome);
  });
});

describe('forwarding_holds.state', () => {
  it('allows exactly: written held, held → used | release_pending, release_pending → released, a retry holding again', () => {
    expect(allowed(HOLD).sort()).toEqual(
      [
        '(new) → held',
        'held → used',
        'held → release_pending',
        'held → held',
        'release_pending → released',
        'release_pending → held',
        'released → held',
      ].sort(),
    );
  });

  it('refuses to hold again a hold a done reversal used, or to release one not asked to be', () => {
    expect(() => HOLD.check(HoldState.used, HoldState.held)).toThrow('forwarding_holds.state: used → held is not allowed');
    expect(() => HOLD.check(HoldState.used, HoldState.releasePending)).toThrow(LifecycleError);
    expect(() => HOLD.check(HoldState.held, HoldState.released)).toThrow(LifecycleError);
    expect(() => HOLD.check(HoldState.released, HoldState.used)).toThrow(LifecycleError);
    expect(() => HOLD.check(null, HoldState.releasePending)).toThrow(LifecycleError);
  });
});

describe('the names', () => {
  it('are the ones the desk API shows', () => {
    expect([...FISCAL.states].sort()).toEqual([...paymentView.shape.state.options].sort());
    const sync = paymentView.shape.sync.unwrap().unwrap().shape.state.options;
    expect([...SYNC.states].sort()).toEqual([...sync].sort());
  });

  it('are what the journal’s schema accepts, and nothing else', () => {
    const db = openJournal(':memory:');
    const at = '2026-12-03T12:00:00.000Z';
    const op = (state: string) => () =>
      db
        .prepare(
          'INSERT INTO operations (op_id, kind, state, request, cashier_id, cashier_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(`op-${state}`, 'service', state, '{}', 'c', 'Кассир', at, at);
    for (const s of FISCAL.states) expect(op(s)).not.toThrow();
    expect(op('pending')).toThrow(/CHECK/);
    const hold = (state: string) => () =>
      db
        .prepare('INSERT INTO forwarding_holds (op_id, reversal_op_id, hold_id, state, updated_at) VALUES (?, ?, ?, ?, ?)')
        .run('p', `r-${state}`, 'h', state, at);
    for (const s of HOLD.states) expect(hold(s)).not.toThrow();
    expect(hold('done')).toThrow(/CHECK/);
    db.prepare("INSERT INTO ops (seq, op_id, type, body, hash, created_at) VALUES (1, 'x', 'cash.in', '{}', 'h', ?)").run(at);
    expect(db.prepare('SELECT sync_state FROM ops').get()).toEqual({ sync_state: SyncState.pending });
    for (const s of SYNC.states) expect(() => db.prepare('UPDATE ops SET sync_state = ?').run(s)).not.toThrow();
    expect(() => db.prepare('UPDATE ops SET sync_state = ?').run('done')).toThrow(/CHECK/);
    db.close();
  });

  it('read as SQL literals', () => {
    expect(sqlList([SyncState.applied, SyncState.appliedWithReview])).toBe("'applied', 'applied_with_review'");
    expect(() => new Lifecycle('x', { initial: [], next: { "it's": [] } })).toThrow(/plain identifier/);
  });
});
