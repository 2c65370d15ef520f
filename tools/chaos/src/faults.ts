/**
 * The fault scheduler: every few seconds one fault, taken from a shuffled round of every kind (so a
 * run long enough injects each at least once), then at random. Faults with a duration heal
 * themselves; a monitor restarts any process that died, whoever killed it.
 *
 * Besides what breaks processes, links and devices, some faults are scenes a cashier plays (two tabs
 * reversing one payment, a dialog reopened under a new op id, a top-up refunded while it is
 * forwarded): the scheduler asks a desk's driver to play one. Restores need a copy taken earlier:
 * copies of every journal and dumps of the server's database are taken in the background every so
 * often, and a restore puts back the newest one old enough (minutes in the long profile).
 */
import { join } from 'node:path';
import pg from 'pg';
import { canRestoreServer, copyJournal, dumpServer, putJournalBack, putServerBack } from './restore.ts';
import { deskHook } from './register-control.ts';
import type { Rng } from './rng.ts';
import { DB_NAME, type DeskNode, type Stack } from './stack.ts';
import type { DeskDriver, Scenario } from './workload.ts';

export const FAULT_KINDS = [
  'server_kill',
  'desk_kill',
  'desk_crash_before_register',
  'desk_crash_after_register',
  'desk_crash_after_push_answer',
  'link_blackhole',
  'link_reset',
  'link_drop_responses',
  'link_delay',
  'register_paper_out',
  'register_paper_out_after',
  'register_lose_answer',
  'register_unavailable',
  'provider_errors',
  // Issue 16: the cashier's scenes, the clock, restores, a catalog edit; a device hanging after printing.
  'reversal_concurrent',
  'reversal_retry_new_id',
  'payment_retry_new_id',
  'thirdparty_reversal_race',
  'desk_clock_back',
  'desk_clock_forward',
  'desk_journal_restore',
  'server_db_restore',
  // PostgreSQL ending the server's connections (a restart, a failover, an administrator): the server lives on.
  'db_connections_dropped',
  'catalog_edit',
  'register_hang_after_print',
  // Issue 25: KKMServer as it really behaves, on the desk that drives one.
  'kkm_restart',
  'kkm_evict',
  'kkm_stick',
  'kkm_paper_out_after',
  // Issue 21: the card terminal — an answer lost after the card was charged (and, through KKMServer,
  // forgotten), a decline, the desk killed right before and right after the terminal.
  'terminal_lose_answer',
  'terminal_decline',
  'desk_crash_before_terminal',
  'desk_crash_after_terminal',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const KKM_KINDS = new Set<FaultKind>(['kkm_restart', 'kkm_evict', 'kkm_stick', 'kkm_paper_out_after']);
/** Faults only the virtual register can do (a device silent for its next calls after printing). */
const VIRTUAL_ONLY = new Set<FaultKind>(['register_hang_after_print', 'reversal_retry_new_id', 'payment_retry_new_id']);
const SCENES = new Set<FaultKind>(['reversal_concurrent', 'reversal_retry_new_id', 'payment_retry_new_id', 'thirdparty_reversal_race']);

const YEAR = 365 * 86_400_000;
const DAY = 86_400_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RestoreTiming {
  /** Copies of the journals and dumps of the server's database are taken this often. */
  copyEveryMs: number;
  /** A restore puts back a copy at least this old. */
  minCopyAgeMs: number;
}

/** What the restores did, for the invariants: a journal restored lacks what it journaled after its copy. */
export interface RestoreLog {
  journals: { desk: number; copyAt: number; restoredAt: number }[];
  server: { dumpAt: number; restoredAt: number }[];
}

export class FaultScheduler {
  readonly injected: Record<string, number> = {};
  readonly kinds: FaultKind[];
  readonly restores: RestoreLog = { journals: [], server: [] };
  /** What a process did under a fault that it must survive (the server ending with its database's connections). */
  readonly violations: string[] = [];
  dbDrops = 0;
  private running = false;
  private loop: Promise<void> | null = null;
  private monitor: Promise<void> | null = null;
  private healing: Promise<unknown>[] = [];
  /** Journal copies per desk, and dumps of the server, oldest first. */
  private readonly copies = new Map<number, { file: string; at: number }[]>();
  private dumps: { file: string; at: number }[] = [];
  private copying: Promise<void> | null = null;
  private catalogEdits = 0;

  constructor(
    private readonly stack: Stack,
    private readonly drivers: DeskDriver[],
    private readonly rnd: Rng,
    private readonly everyMs: [number, number],
    private readonly timing: RestoreTiming,
    private readonly log: (line: string) => void,
  ) {
    const hasKkm = stack.desks.some((d) => d.kkm);
    const hasVirtual = stack.desks.some((d) => !d.kkm);
    const serverRestores = (this.serverRestores = canRestoreServer());
    if (!serverRestores) log('Восстановление базы сервера не проверяется: нет pg_dump и pg_restore (PostgreSQL из npm их не содержит)');
    this.kinds = FAULT_KINDS.filter(
      (k) => (hasKkm || !KKM_KINDS.has(k)) && (hasVirtual || !VIRTUAL_ONLY.has(k)) && (serverRestores || k !== 'server_db_restore'),
    );
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
    this.monitor = this.watch();
    this.copying = this.copyLoop();
  }

  /** Stops injecting, heals every standing fault and waits until every process is up again. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.copying;
    await Promise.all(this.healing);
    const { stack } = this;
    for (const [i, d] of stack.desks.entries()) {
      d.proxy.setMode('pass');
      d.proxy.setDelay(0);
      await deskHook(d.url, '/api/test/crash', { point: null, kind: null });
      await deskHook(d.url, '/api/test/clock', { offsetMs: 0 });
      await this.drivers[i]?.register.heal();
    }
    stack.sim.setFaults({});
    this.monitorStop = true;
    await this.monitor;
    if (!stack.server.proc) await stack.server.start();
    for (const d of stack.desks) if (!d.alive()) await this.restartDesk(d.index);
    // A crash point armed but never reached must not fire during the checks.
    for (const d of stack.desks) await deskHook(d.url, '/api/test/crash', { point: null, kind: null });
  }

  private monitorStop = false;

  private async watch(): Promise<void> {
    while (!this.monitorStop) {
      for (const d of this.stack.desks) {
        if (!d.alive() && !d.restarting) await this.restartDesk(d.index);
      }
      await sleep(250);
    }
  }

  private async restartDesk(i: number, pauseMs = 0): Promise<void> {
    const d = this.stack.desks[i];
    if (!d || d.restarting) return;
    d.restarting = true;
    try {
      await d.kill();
      await sleep(pauseMs);
      await d.start();
    } finally {
      d.restarting = false;
    }
  }

  /** Backups, as an administrator schedules them: every journal and the server's database, every so often. */
  private async copyLoop(): Promise<void> {
    while (this.running) {
      for (const d of this.stack.desks) {
        if (!this.running) return;
        if (!d.alive() || d.restarting) continue;
        const file = join(this.stack.workDir, `journal-copy-${d.index + 1}-${Date.now()}.sqlite`);
        const at = Date.now();
        try {
          await copyJournal(d, file);
          this.copies.set(d.index, [...(this.copies.get(d.index) ?? []), { file, at }].slice(-6));
        } catch {
          // The desk died under the copy: the next round takes one.
        }
      }
      if (this.serverRestores && !this.restoringServer) {
        const file = join(this.stack.workDir, `server-dump-${Date.now()}.pgdump`);
        const at = Date.now();
        this.dumping = dumpServer(this.stack, file);
        try {
          await this.dumping;
          this.dumps = [...this.dumps, { file, at }].slice(-6);
        } catch (e) {
          this.log(`дамп сервера не снят: ${(e as Error).message}`);
        } finally {
          this.dumping = null;
        }
      }
      await sleep(this.timing.copyEveryMs);
    }
  }

  private restoringServer = false;

  /** Every connection of the server's database ended by PostgreSQL; the server must go on as it was. */
  private async dropDbConnections(): Promise<void> {
    if (this.restoringServer || !this.stack.server.alive()) return;
    const starts = this.stack.server.starts;
    const admin = new pg.Client({ connectionString: this.stack.adminDbUrl });
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [DB_NAME]);
    } finally {
      await admin.end();
    }
    this.dbDrops++;
    await sleep(1_000);
    if (!this.stack.server.alive() && this.stack.server.starts === starts) {
      this.violations.push('сервер завершился, когда PostgreSQL разорвал соединения с его базой');
      await this.stack.server.start();
    }
  }
  private readonly serverRestores: boolean;
  private dumping: Promise<void> | null = null;

  /** The newest of the copies at least as old as the profile asks, and (when given) taken after `after`. */
  private oldEnough<T extends { at: number }>(list: T[], after = 0): T | null {
    const now = Date.now();
    return list.filter((c) => now - c.at >= this.timing.minCopyAgeMs && c.at > after).at(-1) ?? null;
  }

  private async run(): Promise<void> {
    let round: FaultKind[] = [];
    while (this.running) {
      await sleep(this.rnd.int(...this.everyMs));
      if (!this.running) break;
      if (round.length === 0) round = [...this.kinds].sort(() => this.rnd.next() - 0.5);
      const kind = round.pop() as FaultKind;
      try {
        if ((await this.inject(kind)) === 'deferred') {
          // Not possible yet (no copy old enough, the desk not quiet): later in this round.
          round.unshift(kind);
          continue;
        }
        this.injected[kind] = (this.injected[kind] ?? 0) + 1;
      } catch (e) {
        this.log(`сбой ${kind} не внесён: ${(e as Error).message}`);
      }
    }
  }

  private later(ms: number, heal: () => void | Promise<void>): void {
    this.healing.push(sleep(ms).then(heal));
  }

  private pick(kind: FaultKind): DeskNode {
    const { desks } = this.stack;
    const fit = desks.filter((d) => (KKM_KINDS.has(kind) ? d.kkm !== null : VIRTUAL_ONLY.has(kind) ? d.kkm === null : true));
    return this.rnd.pick(fit.length > 0 ? fit : desks);
  }

  private async inject(kind: FaultKind): Promise<'deferred' | void> {
    const { stack, rnd } = this;
    const desk = this.pick(kind);
    const driver = this.drivers[desk.index] as DeskDriver;
    const register = driver.register;
    if (SCENES.has(kind)) {
      driver.arm(kind as Scenario);
      if (kind === 'thirdparty_reversal_race') {
        // The provider slow or failing for a while, so some top-ups are 'sent' when refunded.
        stack.sim.setFaults({ slow: 0.4, slowMs: 3_000, temporary: 0.3 });
        this.later(8_000, () => stack.sim.setFaults({}));
      }
      return;
    }
    switch (kind) {
      case 'server_kill':
        await stack.server.kill();
        await sleep(rnd.int(500, 3_000));
        await stack.server.start();
        return;
      case 'desk_kill':
        await this.restartDesk(desk.index, rnd.int(200, 1_500));
        return;
      case 'desk_crash_before_register':
      case 'desk_crash_after_register':
        // The desk dies at that point of its next payment; the monitor starts it again.
        await deskHook(desk.url, '/api/test/crash', {
          point: kind === 'desk_crash_before_register' ? 'before_register' : 'after_register',
          kind: null,
        });
        return;
      case 'desk_crash_before_terminal':
      case 'desk_crash_after_terminal':
        await deskHook(desk.url, '/api/test/crash', {
          point: kind === 'desk_crash_before_terminal' ? 'before_terminal' : 'after_terminal',
          kind: null,
        });
        return;
      case 'terminal_lose_answer':
        await register.card(desk.kkm ? rnd.pick(['forget', 'timeout_error', 'lose_answer'] as const) : 'lose_answer');
        return;
      case 'terminal_decline':
        await register.card('decline');
        return;
      case 'desk_crash_after_push_answer':
        await deskHook(desk.url, '/api/test/crash', { point: 'after_push_answer', kind: null });
        return;
      case 'link_blackhole':
        desk.proxy.setMode('blackhole');
        this.later(rnd.int(2_000, 6_000), () => {
          desk.proxy.setMode('pass');
          desk.proxy.cutAll();
        });
        return;
      case 'link_reset':
        desk.proxy.setMode('reset');
        this.later(rnd.int(1_000, 4_000), () => desk.proxy.setMode('pass'));
        return;
      case 'link_drop_responses':
        desk.proxy.dropResponses(rnd.int(1, 3));
        return;
      case 'link_delay':
        desk.proxy.setDelay(rnd.int(200, 1_500));
        this.later(5_000, () => desk.proxy.setDelay(0));
        return;
      case 'register_paper_out':
        await register.paper(false);
        this.later(rnd.int(2_000, 4_000), () => register.paper(true));
        return;
      case 'register_paper_out_after':
      case 'kkm_paper_out_after':
        await register.paperOutAfter();
        this.later(3_000, () => register.paper(true));
        return;
      case 'register_lose_answer':
        await register.loseAnswer();
        return;
      case 'register_hang_after_print':
        await register.hangAfterPrint(rnd.int(2, 6));
        return;
      case 'register_unavailable':
        await register.unavailable(rnd.int(1, 3));
        return;
      case 'provider_errors':
        stack.sim.setFaults({ temporary: 0.3, pending: 0.1, slow: 0.1, slowMs: 11_000, loseAnswer: 0.1 });
        this.later(8_000, () => stack.sim.setFaults({}));
        return;
      case 'desk_clock_back':
      case 'desk_clock_forward': {
        // A dead CMOS battery sets the PC years back; a cashier moves the date a day forward by hand.
        const offsetMs = kind === 'desk_clock_back' ? -rnd.int(2, 9) * YEAR : DAY + rnd.int(0, 3_600_000);
        await deskHook(desk.url, '/api/test/clock', { offsetMs });
        this.later(rnd.int(4_000, 10_000), () => deskHook(desk.url, '/api/test/clock', { offsetMs: 0 }));
        return;
      }
      case 'desk_journal_restore':
        return this.restoreJournal();
      case 'server_db_restore':
        return this.restoreServer();
      case 'db_connections_dropped':
        return this.dropDbConnections();
      case 'catalog_edit':
        return this.editCatalog();
      case 'kkm_restart': {
        const kkm = desk.kkm;
        if (!kkm) return;
        if (rnd.chance(0.5)) {
          // Restarted while commands run: the device slow, so some are held, queued or running.
          kkm.sim.slow(rnd.int(800, 2_000));
          await sleep(rnd.int(500, 3_000));
          kkm.sim.restart();
          this.later(3_000, () => kkm.sim.slow(0));
        } else {
          // Restarted right as a receipt was made: its answer never leaves, and the command is forgotten.
          kkm.sim.dropNextAnswer((req) => {
            const b = req.body as { Command?: unknown; IsFiscalCheck?: unknown };
            if (b.Command !== 'RegisterCheck' || b.IsFiscalCheck !== true) return false;
            kkm.sim.restart();
            return true;
          });
        }
        return;
      }
      case 'kkm_evict': {
        const kkm = desk.kkm;
        if (!kkm) return;
        // A receipt's answer lost, and other clients' commands push it out of the 100-entry memory
        // before the desk asks what became of it.
        kkm.sim.dropNextAnswer((req) => {
          const b = req.body as { Command?: unknown; IsFiscalCheck?: unknown };
          if (b.Command !== 'RegisterCheck' || b.IsFiscalCheck !== true) return false;
          kkm.sim.evict();
          return true;
        });
        return;
      }
      case 'kkm_stick': {
        const kkm = desk.kkm;
        if (!kkm) return;
        kkm.sim.stick();
        this.later(rnd.int(3_000, 9_000), () => kkm.sim.unstick());
        return;
      }
    }
  }

  /** A journal put back from a copy, once the desk has sent everything (what it restores is a copy of a desk that worked online). */
  private async restoreJournal(): Promise<'deferred' | void> {
    const ready = this.stack.desks.filter((d) => this.oldEnough(this.copies.get(d.index) ?? []) && d.alive() && !d.restarting);
    if (ready.length === 0) return 'deferred';
    const desk = this.rnd.pick(ready);
    const copy = this.oldEnough(this.copies.get(desk.index) ?? []) as { file: string; at: number };
    const driver = this.drivers[desk.index] as DeskDriver;
    desk.held = true;
    try {
      await driver.idle();
      const quiet = await waitFor(25_000, async () => {
        if (driver.unanswered > 0 || !desk.alive()) return false;
        const s = (await (
          await fetch(`${desk.url}/api/test/sync`, { method: 'POST', signal: AbortSignal.timeout(10_000) }).catch(() => null)
        )
          ?.json()
          .catch(() => null)) as { unsentCount?: number; register?: { state?: string } } | null;
        return s?.unsentCount === 0 && s.register?.state !== 'reconciling' && (await this.serverHoldsJournal(desk));
      });
      if (!quiet) {
        this.log(`${desk.name}: не отправила всё за 25 с — журнал восстановим позже`);
        return 'deferred';
      }
      desk.restarting = true;
      await putJournalBack(desk, copy.file);
      this.restores.journals.push({ desk: desk.index, copyAt: copy.at, restoredAt: Date.now() });
      this.log(`${desk.name}: журнал восстановлен из копии ${((Date.now() - copy.at) / 1000).toFixed(0)}-секундной давности`);
      // Copies from before this restore describe a journal that no longer is.
      this.copies.delete(desk.index);
    } finally {
      desk.restarting = false;
      desk.held = false;
    }
  }

  /**
   * Whether the server holds every operation the desk's journal has done: "sent everything" is not
   * enough after a server restore, until the desk has sent again what the server lost.
   */
  private async serverHoldsJournal(desk: DeskNode): Promise<boolean> {
    try {
      const login = await fetch(`${desk.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'cashier', password: 'paydesk-demo' }),
        signal: AbortSignal.timeout(5_000),
      });
      const token = ((await login.json()) as { token: string }).token;
      const ids: string[] = [];
      for (let offset = 0; ; offset += 500) {
        const r = await fetch(`${desk.url}/api/payments?limit=500&offset=${offset}`, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(10_000),
        });
        const page = (await r.json()) as { items: { operationId: string; state: string }[]; total: number };
        ids.push(...page.items.filter((i) => i.state === 'done').map((i) => i.operationId));
        if (page.items.length === 0 || offset + 500 >= page.total) break;
      }
      const db = new pg.Client({ connectionString: this.stack.dbUrl });
      await db.connect();
      try {
        const held = await db.query<{ n: string }>('SELECT count(DISTINCT op_id) AS n FROM ops WHERE op_id = ANY($1::uuid[])', [ids]);
        return Number(held.rows[0]?.n ?? 0) === ids.length;
      } finally {
        await db.end();
      }
    } catch {
      return false;
    }
  }

  /** The server's database put back from a dump: killed, dropped, created, restored, started. */
  private async restoreServer(): Promise<'deferred' | void> {
    // A dump older than a journal restore lacks what the server received since, and that journal no
    // longer has what it journaled after its copy: an op in both gaps would exist nowhere but on the
    // register's tape, which no product can bring back. Only a dump taken after the last journal restore is put back.
    const lastJournalRestore = Math.max(0, ...this.restores.journals.map((r) => r.restoredAt));
    const dump = this.oldEnough(this.dumps, lastJournalRestore);
    if (!dump) return 'deferred';
    this.restoringServer = true;
    await this.dumping?.catch(() => undefined);
    try {
      await putServerBack(this.stack, dump.file);
    } finally {
      this.restoringServer = false;
    }
    this.restores.server.push({ dumpAt: dump.at, restoredAt: Date.now() });
    this.log(`Сервер: база восстановлена из дампа ${((Date.now() - dump.at) / 1000).toFixed(0)}-секундной давности`);
    // Dumps from before this restore describe a database that no longer is.
    this.dumps = [];
  }

  /** An administrator edits a provider: one field that is not money (its name or its timeout). */
  private async editCatalog(): Promise<void> {
    const { admin } = this.stack;
    const code = this.rnd.pick(['MTS', 'BEELINE', 'DOMOFON', 'NETLINE']);
    const n = ++this.catalogEdits;
    const patch = this.rnd.chance(0.5) ? { name: `${code} (правка ${n})` } : { timeoutMs: this.rnd.int(5_000, 20_000) };
    try {
      await admin.call('PATCH', `/api/v1/providers/${code}`, patch);
    } catch {
      // The admin's session may be gone with a restored database: log in again, as they would.
      await admin.login('admin', 'paydesk-demo');
      await admin.call('PATCH', `/api/v1/providers/${code}`, patch);
    }
  }
}

async function waitFor(timeoutMs: number, ok: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok()) return true;
    await sleep(300);
  }
  return false;
}
