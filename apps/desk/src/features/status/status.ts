/** The desk's state in one answer: what the status bar, the banners and monitoring show. */
import type { DeskStatus, DeskStatusReport } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import pkg from '../../../package.json' with { type: 'json' };

const DAY = 86_400_000;

export function registerWarnings(s: NonNullable<ReturnType<DeskDeps['registerStatus']['get']>>, now: Date): string[] {
  const w: string[] = [];
  if (!s.connected) return ['unavailable'];
  if (!s.paperPresent) w.push('paper_out');
  if (s.coverOpen) w.push('cover_open');
  if (s.receiptOpen) w.push('receipt_open');
  if (s.shift.state === 'expired') w.push('shift_expired');
  if (s.fn.validUntil && new Date(s.fn.validUntil).getTime() - now.getTime() < 30 * DAY) w.push('fn_expiring');
  if (s.ofd.oldestUnsentAt && now.getTime() - new Date(s.ofd.oldestUnsentAt).getTime() > 25 * DAY) w.push('ofd_backlog');
  return w;
}

const CLOCK_TOLERANCE_MS = 5 * 60_000;

function duration(ms: number): string {
  const m = Math.round(Math.abs(ms) / 60_000);
  if (m < 120) return `${m} мин`;
  const h = Math.round(m / 60);
  if (h < 72) return `${h} ч`;
  return `${Math.round(h / 24)} дн.`;
}

/**
 * A PC clock far from the server's, or behind the desk's own last operation (it went back): operation
 * ids and receipt times come from it, so the cashier is told at once what to fix.
 */
export function clockCheck(deps: DeskDeps, now: Date): DeskStatus['clock'] {
  const skew = deps.client.clockSkewMs;
  const last = (deps.db.prepare('SELECT MAX(created_at) AS at FROM operations').get() as { at: string | null }).at;
  const behindJournal = last ? new Date(last).getTime() - now.getTime() : 0;
  let warning: string | null = null;
  if (behindJournal > CLOCK_TOLERANCE_MS)
    warning = `Часы компьютера ушли назад: сейчас они показывают время на ${duration(behindJournal)} раньше последней операции кассы. Исправьте дату и время в Windows.`;
  else if (skew !== null && Math.abs(skew) > CLOCK_TOLERANCE_MS)
    warning = `Часы компьютера ${skew > 0 ? 'спешат' : 'отстают'} от сервера на ${duration(skew)}. Исправьте дату и время в Windows: по ним ставится время платежей.`;
  return { skewMs: skew === null ? null : Math.round(skew), warning };
}

export function deskStatus(deps: DeskDeps): DeskStatus {
  const counts = deps.journal.counts();
  const id = deps.identity.current();
  const reg = deps.registerStatus.get();
  const unresolved = deps.runner.unresolved().length;
  const now = deps.clock();
  const warnings = reg ? registerWarnings(reg, now) : ['unavailable'];
  const state = !reg || !reg.connected ? 'unavailable' : unresolved > 0 ? 'reconciling' : warnings.length > 0 ? 'attention' : 'ready';
  return {
    online: deps.sync.state.online,
    unsentCount: counts.unsent,
    oldestUnsentAt: counts.oldestUnsentAt,
    rejectedCount: counts.rejected,
    lastSyncAt: deps.sync.state.lastSyncAt,
    serverUrl: id?.serverUrl ?? null,
    enrolled: id !== null,
    reference: { ...deps.sync.state.reference },
    shift: {
      open: reg?.shift.state === 'open' || reg?.shift.state === 'expired',
      number: reg?.shift.number ?? null,
      openedAt: reg?.shift.openedAt ?? null,
      expiresAt: reg?.shift.expiresAt ?? null,
    },
    register: {
      driver: deps.register.describe.driver,
      state,
      connected: reg?.connected ?? false,
      paperPresent: reg?.paperPresent ?? false,
      unsentToOfdCount: reg?.ofd.unsentCount ?? 0,
      oldestUnsentToOfdAt: reg?.ofd.oldestUnsentAt ?? null,
      fnValidUntil: reg?.fn.validUntil ?? null,
      drawerKop: reg?.drawerKop ?? null,
      warnings,
    },
    fatal: deps.sync.state.fatal,
    clock: clockCheck(deps, now),
  };
}

/** What the desk reports to the server for the back office's live view. */
export function statusReport(deps: DeskDeps): DeskStatusReport {
  const s = deskStatus(deps);
  const signedIn = deps.db
    .prepare('SELECT u.name FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.expires_at > ? ORDER BY s.created_at DESC LIMIT 1')
    .get(deps.clock().toISOString()) as { name: string } | undefined;
  return {
    unsentCount: s.unsentCount,
    oldestUnsentAt: s.oldestUnsentAt,
    rejectedCount: s.rejectedCount,
    lastSyncAt: s.lastSyncAt,
    shift: s.shift,
    register: {
      driver: s.register.driver,
      connected: s.register.connected,
      paperPresent: s.register.paperPresent,
      unsentToOfdCount: s.register.unsentToOfdCount,
      oldestUnsentToOfdAt: s.register.oldestUnsentToOfdAt,
      fnValidUntil: s.register.fnValidUntil,
      warnings: s.register.warnings,
    },
    cashier: signedIn?.name ?? null,
    // The back office shows which program each desk runs: during an upgrade, which are done.
    version: pkg.version,
  };
}
