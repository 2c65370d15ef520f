/**
 * The desk, put together: the journal, the register, the fiscal runner, the sync worker and the HTTP
 * API. On start it settles every operation a crash left unclear before the register takes new work.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { createRegister, VirtualRegister, type RegisterSettings, type VirtualFault } from '@paydesk/fiscal';
import { z } from 'zod';
import { buildDeskApp } from './app.ts';
import { loadRegisterSettings } from './features/settings/register-settings.ts';
import { EnrollPin } from './features/settings/enroll-pin.ts';
import { deskHostNames } from './http/origin.ts';
import { systemClock, type Clock } from './clock.ts';
import { lockDataFolder } from '@paydesk/http-kit';
import { openJournal } from './db/journal-db.ts';
import type { DeskDeps, RegisterHolder } from './deps.ts';
import { DeskSettings } from './desk-settings.ts';
import { IdentityStore } from './identity.ts';
import { AccountStore, refreshHouseKeys } from './features/accounts/account-store.ts';
import { EventHub } from './features/events/event-hub.ts';
import { FiscalRunner, type CrashPoint, type OperationRow } from './features/fiscal/fiscal-runner.ts';
import { registerKinds } from './features/fiscal/kinds.ts';
import { Journal } from './features/journal/journal.ts';
import { RegisterStatusCache } from './features/register/register-status.ts';
import { Replica } from './features/sync/replica.ts';
import { ServerClient } from './features/sync/server-client.ts';
import { SyncWorker, type SyncOptions } from './features/sync/sync-worker.ts';
import { deskStatus, statusReport } from './features/status/status.ts';
import { beforeRefund, releasePending, reversalSettled } from './features/reversals/forwarding-hold.ts';
import { chaosRoutes } from './testing/chaos-hooks.ts';
import { CardCharges, type TerminalCrashPoint } from './features/card/card-charges.ts';
import { createTerminalHolder, loadTerminalSettings, type StoredTerminalSettings } from './features/card/terminal-holder.ts';
import { finishCharged } from './features/card/recovery.ts';
import type { PreparedPayment } from './features/payments/prepare.ts';

export interface DeskOptions {
  dataDir: string;
  port?: number;
  host?: string;
  /** Overrides the register chosen on the settings screen. */
  register?: Exclude<RegisterSettings, { driver: 'virtual' }> | { driver: 'virtual' };
  /** Overrides the card terminal chosen on the settings screen. */
  terminal?: StoredTerminalSettings;
  clock?: Clock;
  uiDir?: string;
  logLevel?: string;
  /** Where the JSON log lines go (stdout when absent): tests read them to prove secrets stay out. */
  logStream?: NodeJS.WritableStream;
  sync?: SyncOptions;
  /** Test controls: fault injection and crash points. Never on in production. */
  testHooks?: boolean;
}

export interface RunningDesk {
  app: FastifyInstance;
  deps: DeskDeps;
  url: string;
  stop(): Promise<void>;
}

function createRegisterHolder(
  dataDir: string,
  settings: DeskOptions['register'],
  clock: Clock,
  log: Logger,
  point: DeskSettings,
): RegisterHolder {
  const chosen = settings ?? { driver: 'virtual' as const };
  if (chosen.driver === 'virtual') {
    const virtual = new VirtualRegister({
      file: join(dataDir, 'register.sqlite'),
      now: clock,
      // A register prints what it was registered with: the point's organisation, place and time zone.
      profile: () => ({
        name: point.get('orgName'),
        inn: point.get('orgInn'),
        address: point.get('settlementAddress'),
        place: point.get('settlementPlace'),
        timeZone: point.timeZone(),
      }),
    });
    return { current: virtual, virtual, describe: { driver: 'virtual' } };
  }
  return {
    current: createRegister(chosen, (message) => log.warn({ driver: chosen.driver }, message)),
    virtual: null,
    describe: { driver: chosen.driver, url: chosen.url },
  };
}

export async function startDesk(options: DeskOptions): Promise<RunningDesk> {
  const release = lockDataFolder(
    options.dataDir,
    (pid) => `Папка данных кассы ${options.dataDir} занята процессом ${pid}: касса уже запущена`,
  );
  const clock = options.clock ?? systemClock;
  const log: Logger = pino(
    { level: options.logLevel ?? 'info', redact: ['deskKey', 'password', 'token'] },
    options.logStream ?? process.stdout,
  );
  const db = openJournal(join(options.dataDir, 'journal.sqlite'));
  const rekeyed = refreshHouseKeys(db);
  if (rekeyed > 0) log.info({ rekeyed }, 'house search keys rebuilt');
  const registerSettings = options.register ?? loadRegisterSettings(db, options.dataDir);
  const settings = new DeskSettings(db);
  const register = createRegisterHolder(options.dataDir, registerSettings, clock, log, settings);
  const journal = new Journal(db);
  const identity = new IdentityStore(db, options.dataDir);
  const enrollPin = new EnrollPin(options.dataDir, log);
  if (!identity.current()) enrollPin.issue();
  const events = new EventHub();
  // The runner's points, and one of the sync worker's: just after the server answered a push.
  const crash: { point: CrashPoint | TerminalCrashPoint | 'after_push_answer' | null; kind: string | null } = { point: null, kind: null };
  const terminal = createTerminalHolder(
    options.dataDir,
    options.terminal ?? loadTerminalSettings(db, options.dataDir),
    register.describe.driver,
    clock,
  );
  const cards = new CardCharges(
    db,
    terminal,
    clock,
    options.testHooks ? (point) => crash.point === point && process.kill(process.pid, 'SIGKILL') : undefined,
  );
  // eslint-disable-next-line prefer-const -- deps is completed after the runner exists.
  let deps: DeskDeps;
  const runner = new FiscalRunner(
    db,
    journal,
    () => register.current,
    clock,
    {
      crashAt: options.testHooks
        ? (point: CrashPoint, row: OperationRow) => {
            if (crash.point === point && (crash.kind === null || crash.kind === row.kind)) process.kill(process.pid, 'SIGKILL');
          }
        : undefined,
      changed: (row) => {
        if (row.kind === 'reversal') reversalSettled(deps, row.op_id, row.state);
        events.publish({ type: 'operation', data: { opId: row.op_id, kind: row.kind, state: row.state } });
        deps.registerStatus.invalidate();
        deps.sync.trigger();
      },
    } as ConstructorParameters<typeof FiscalRunner>[4],
    () => JSON.stringify(register.describe),
  );
  registerKinds(runner, {
    db,
    timeZone: () => settings.timeZone(),
    beforeRefund: (row) => beforeRefund(deps, row),
    chargeCard: async (row) => {
      await cards.pay(row, (JSON.parse(row.request) as PreparedPayment).cardApproval);
    },
    refundCard: async (row) => {
      await cards.refund(row);
    },
    cardOf: (opId) => {
      const a = cards.approved(opId);
      if (!a) return undefined;
      return {
        rrn: a.approval.rrn.slice(0, 20),
        authCode: a.approval.authCode.slice(0, 12),
        maskedPan: a.approval.maskedPan.slice(0, 24),
        source: a.row.terminal === 'standalone' ? 'slip' : 'terminal',
      };
    },
  });
  const registerStatus = new RegisterStatusCache(runner);
  const client = new ServerClient(() => identity.current(), undefined, undefined, clock);
  const replica = new Replica(db);
  const sync = new SyncWorker(
    db,
    journal,
    replica,
    client,
    () => identity.current(),
    settings,
    events,
    clock,
    log,
    async () => statusReport(deps),
    {
      afterPush: () => releasePending(deps),
      ...options.sync,
      ...(options.testHooks ? { onAnswer: () => crash.point === 'after_push_answer' && process.kill(process.pid, 'SIGKILL') } : {}),
    },
  );
  deps = {
    db,
    dataDir: options.dataDir,
    clock,
    log,
    journal,
    runner,
    accounts: new AccountStore(db),
    settings,
    identity,
    client,
    sync,
    events,
    register,
    registerStatus,
    terminal,
    cards,
    enrollPin,
  };

  const app = await buildDeskApp(deps, {
    uiDir: options.uiDir,
    logLevel: options.logLevel ?? 'info',
    ...(options.logStream ? { logStream: options.logStream } : {}),
    hostNames: deskHostNames(
      options.host,
      (process.env['PAYDESK_DESK_HOSTS'] ?? '')
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    ),
    ...(options.testHooks
      ? {
          testRoutes: (a: FastifyInstance) => {
            a.post('/api/test/crash', async (req) => {
              const body = z
                .object({
                  point: z.enum(['before_register', 'after_register', 'after_push_answer', 'before_terminal', 'after_terminal']).nullable(),
                  kind: z.string().nullable().default(null),
                })
                .parse(req.body);
              crash.point = body.point;
              crash.kind = body.kind;
              return { ok: true };
            });
            a.post('/api/test/register-fault', async (req) => {
              register.virtual?.injectFault(req.body as VirtualFault);
              return { ok: true };
            });
            a.post('/api/test/register', async (req) => {
              const b = req.body as { paper?: boolean; cover?: boolean; ofd?: boolean };
              if (b.paper !== undefined) register.virtual?.setPaper(b.paper);
              if (b.cover !== undefined) register.virtual?.setCoverOpen(b.cover);
              if (b.ofd !== undefined) register.virtual?.setOfdReachable(b.ofd);
              registerStatus.invalidate();
              return { ok: true };
            });
            a.get('/api/test/receipts', async () => ({ items: register.virtual?.receipts() ?? [] }));
            a.get('/api/test/terminal', async () => ({ items: terminal.virtual?.operations() ?? [] }));
            a.post('/api/test/terminal', async (req) => {
              const b = req.body as { present?: Parameters<NonNullable<typeof terminal.virtual>['present']> };
              terminal.virtual?.present(...(b.present ?? []));
              return { ok: true };
            });
            a.post('/api/test/sync', async () => {
              await sync.push();
              await sync.pull();
              return deskStatus(deps);
            });
            chaosRoutes(a, db);
          },
        }
      : {}),
  });
  await app.listen({ port: options.port ?? 8081, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 8081);
  sync.start();
  // The desk answers at once — /api/status says it is reconciling — while what a crash left unclear
  // is settled with the register; every register operation waits for that behind the runner's lock.
  const reconciling = runner
    .reconcilePending()
    .then((settled) => {
      if (settled.settled || settled.unresolved)
        log.warn(settled, 'operations left unclear by the last run were reconciled with the register');
    })
    .catch((e: unknown) => log.error({ err: e }, 'reconciliation at start failed'))
    // Then the terminal: a charge a crash left unclear is asked of it, and a card charged without its
    // receipt gets the receipt.
    .then(() => finishCharged(deps))
    .catch((e: unknown) => log.error({ err: e }, 'card charges at start could not be finished'))
    .then(() => registerStatus.refresh());
  let stopping: Promise<void> | null = null;
  return {
    app,
    deps,
    url: `http://127.0.0.1:${port}`,
    stop() {
      stopping ??= (async () => {
        await reconciling;
        await sync.stop();
        events.close();
        await app.close();
        await register.current.close();
        await terminal.current?.close();
        db.close();
        release();
      })();
      return stopping;
    },
  };
}
