/**
 * One lifecycle of a desk operation: the three state machines its rows go through, named here and
 * nowhere else. The register's part is `operations.state` (fiscal-runner.ts), the server's part is the
 * op's `ops.sync_state` (sync-worker.ts, recovery.ts), and a third-party refund's hold on forwarding is
 * `forwarding_holds.state` (reversals/forwarding-hold.ts). `(new)` is a row not written yet.
 *
 *   operations.state
 *     (new)          → fiscal_pending   the intent, journaled with the device's marks before the register is called
 *     (new)          → done             an operation with no register call (a reading, a cash count)
 *     fiscal_pending → done             the register did it: its answer, or settled by id, by counters, by a senior
 *     fiscal_pending → failed           the device's own "not executed", a refusal right before the call, settled "not done"
 *     failed         → fiscal_pending   tried again under the same op id (attempts + 1)
 *     done                              final: the same op id is answered with it
 *
 *   ops.sync_state
 *     (new)                                    → pending   appended in the transaction that makes the operation done
 *     pending                                  → applied | applied_with_review | rejected   the server's answer to a push
 *     applied | applied_with_review | rejected → pending   sent again: a restore on either side, a new epoch
 *
 *   forwarding_holds.state
 *     (new)                             → held              the server took the payment out of forwarding, right before the return prints
 *     held                              → used              the reversal is done: the pushed reversal cancels the forwarding
 *     held                              → release_pending   the reversal failed: the hold is to be given back
 *     release_pending                   → released          the server gave it back
 *     held | release_pending | released → held              the failed reversal tried again: a new hold, under an id of its own
 *     used                                                  final
 *
 * A state changes only through `check`/`move` below, and every UPDATE that changes one is guarded by
 * its `from` state in SQL, so a row that moved meanwhile is left as it is. The states are plain
 * identifiers: SQL may interpolate them as literals (`state = '${FiscalState.pending}'`), which keeps
 * the partial indexes on them usable.
 */

/** `operations.state`: what the register did with an operation. */
export const FiscalState = { pending: 'fiscal_pending', done: 'done', failed: 'failed' } as const;
export type FiscalState = (typeof FiscalState)[keyof typeof FiscalState];

/** `ops.sync_state`: what the server said of the op (nothing yet: pending). */
export const SyncState = {
  pending: 'pending',
  applied: 'applied',
  appliedWithReview: 'applied_with_review',
  rejected: 'rejected',
} as const;
export type SyncState = (typeof SyncState)[keyof typeof SyncState];

/** `forwarding_holds.state`: a third-party payment held out of forwarding for a cash refund here. */
export const HoldState = { held: 'held', releasePending: 'release_pending', released: 'released', used: 'used' } as const;
export type HoldState = (typeof HoldState)[keyof typeof HoldState];

/** A lifecycle's table: the states a row is written in, and where each state may go. */
export interface Transitions<S extends string> {
  readonly initial: readonly S[];
  readonly next: { readonly [K in S]: readonly S[] };
}

/** A state change the lifecycle does not allow: a bug, never a cashier's mistake. */
export class LifecycleError extends Error {
  override name = 'LifecycleError';
}

export class Lifecycle<S extends string> {
  readonly states: readonly S[];

  constructor(
    /** The column, for messages: "operations.state". */
    readonly name: string,
    readonly transitions: Transitions<S>,
  ) {
    this.states = Object.keys(transitions.next) as S[];
    for (const s of this.states) {
      // Interpolated into SQL as literals: identifiers only.
      if (!/^[a-z_]+$/.test(s)) throw new Error(`${name}: state ${s} is not a plain identifier`);
    }
  }

  is(value: string): value is S {
    return (this.states as readonly string[]).includes(value);
  }

  /** `from` null: a row written in `to`. */
  allows(from: S | null, to: S): boolean {
    return (from === null ? this.transitions.initial : this.transitions.next[from]).includes(to);
  }

  /** Returns `to` (checked, so a server's word comes back typed); throws a LifecycleError for a move not in the table. */
  check(from: S | null, to: string): S {
    if (!this.is(to) || !this.allows(from, to)) throw new LifecycleError(`${this.name}: ${from ?? '(new)'} → ${to} is not allowed`);
    return to;
  }

  /** A checked move, for an UPDATE that sets `to` on a row still in `from`. */
  move<F extends S, T extends S>(from: F, to: T): { from: F; to: T } {
    this.check(from, to);
    return { from, to };
  }

  /** The states that may move to `to`, for an UPDATE guarded by `IN (sqlList(…))`. */
  sources(to: S): S[] {
    return this.states.filter((s) => this.transitions.next[s].includes(to));
  }
}

export const FISCAL = new Lifecycle<FiscalState>('operations.state', {
  initial: [FiscalState.pending, FiscalState.done],
  next: {
    [FiscalState.pending]: [FiscalState.done, FiscalState.failed],
    [FiscalState.done]: [],
    [FiscalState.failed]: [FiscalState.pending],
  },
});

export const SYNC = new Lifecycle<SyncState>('ops.sync_state', {
  initial: [SyncState.pending],
  next: {
    [SyncState.pending]: [SyncState.applied, SyncState.appliedWithReview, SyncState.rejected],
    [SyncState.applied]: [SyncState.pending],
    [SyncState.appliedWithReview]: [SyncState.pending],
    [SyncState.rejected]: [SyncState.pending],
  },
});

export const HOLD = new Lifecycle<HoldState>('forwarding_holds.state', {
  initial: [HoldState.held],
  next: {
    [HoldState.held]: [HoldState.used, HoldState.releasePending, HoldState.held],
    [HoldState.releasePending]: [HoldState.released, HoldState.held],
    [HoldState.released]: [HoldState.held],
    [HoldState.used]: [],
  },
});

/** The ops the server took: their effects reach the replica. */
export const ACCEPTED: readonly SyncState[] = [SyncState.applied, SyncState.appliedWithReview];

/** States as a SQL list of literals: `'a', 'b'`, for `state IN (…)` and CHECK constraints. */
export function sqlList(states: readonly string[]): string {
  return states.map((s) => `'${s}'`).join(', ');
}
