/**
 * A real server and real desks for integration tests, talking HTTP over loopback. The server runs in
 * this process on an in-memory PGlite (it can be stopped and started again on the same port and
 * data); desks run in this process too, or as child processes for crash tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@paydesk/server/app';
import { addUser } from '@paydesk/server/users';
import { createDesk } from '@paydesk/server/desks';
import { putSetting } from '@paydesk/server/settings';
import { pgliteTestDb } from '@paydesk/server/test-db';
import { openDatabase } from '@paydesk/server/database';
import { seedCatalog, IDS } from '@paydesk/server/fixture';
import { freePort } from '@paydesk/testkit';
import type { OpenDatabase } from '@paydesk/server/database';
import { enrollWithServer, IdentityStore, openJournal, startDesk, type DeskOptions, type RunningDesk } from '@paydesk/desk';

export { IDS };

export interface TestStackServer {
  url: string;
  port: number;
  open: OpenDatabase;
  stop(): Promise<void>;
  /** Starts the server again on the same port and data (after stop). */
  start(): Promise<void>;
  close(): Promise<void>;
  enrollmentCode(name?: string): Promise<string>;
  /** A copy of the server's database as it is now, as a backup would take it. */
  snapshot(): Promise<Blob>;
  /** Stops the server, puts the database back as the snapshot had it, and starts it again. */
  restore(snapshot: Blob): Promise<void>;
}

export async function startTestServer(options: { adminUiDir?: string; onlineWindowSeconds?: number } = {}): Promise<TestStackServer> {
  const open = await pgliteTestDb();
  await seedCatalog(open);
  const actor = { type: 'system' as const, id: null };
  for (const [key, value] of Object.entries({
    agentPhone: '+78001000000',
    operatorPhone: '+78001000001',
    settlementAddress: 'г. Энск, ул. Ленина, 1',
    settlementPlace: 'Пункт приёма платежей',
    orgName: 'ООО «Расчётный центр»',
    orgInn: '7707083893',
    taxSystem: 'usn_income',
    pullIntervalSeconds: 5,
    syncIntervalSeconds: 5,
  })) {
    await putSetting(open.db, 'global', null, key as 'agentPhone', value, actor);
  }
  await addUser(open.db, { login: 'cashier', name: 'Иванова А.А.', role: 'cashier', password: 'paydesk-demo' }, actor);
  await addUser(open.db, { login: 'senior', name: 'Петров П.П.', role: 'senior_cashier', password: 'paydesk-demo' }, actor);
  await addUser(open.db, { login: 'admin', name: 'Администратор', role: 'admin', password: 'paydesk-demo' }, actor);
  const port = await freePort();
  let app: FastifyInstance | null = null;
  const server: TestStackServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    open,
    async start() {
      const built = await buildApp({
        db: server.open.db,
        config: {
          logLevel: 'silent',
          sessionHours: 12,
          enrollmentHours: 24,
          bodyLimitBytes: 8 * 1024 * 1024,
          trustProxy: false,
          ...options,
        },
      });
      app = built.app;
      await app.listen({ port, host: '127.0.0.1' });
    },
    async stop() {
      if (app) {
        app.server.closeAllConnections();
        await app.close();
      }
      app = null;
    },
    async close() {
      await server.stop();
      await server.open.close();
    },
    async enrollmentCode(name = 'Касса 1') {
      return (await createDesk(server.open.db, { name, pointId: IDS.point }, actor, 24)).enrollmentCode;
    },
    async snapshot() {
      const pglite = server.open.pglite;
      if (!pglite) throw new Error('snapshots need the PGlite server');
      return pglite.dumpDataDir('none');
    },
    async restore(snapshot) {
      await server.stop();
      await server.open.close();
      server.open = await openDatabase({ loadDataDir: snapshot });
      await server.start();
    },
  };
  await server.start();
  return server;
}

/** A desk data folder enrolled with the server, ready for startDesk or a desk process. */
export async function enrolledDataDir(server: TestStackServer, name = 'Касса 1', code?: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'paydesk-desk-'));
  const db = openJournal(join(dir, 'journal.sqlite'));
  try {
    new IdentityStore(db, dir).save(server.url, await enrollWithServer(server.url, code ?? (await server.enrollmentCode(name))));
  } finally {
    db.close();
  }
  return dir;
}

export const FAST_SYNC = { probeIntervalMs: 200, minBackoffMs: 100, maxBackoffMs: 500 };

export async function startTestDesk(
  server: TestStackServer,
  options: Partial<DeskOptions> & { dataDir?: string } = {},
): Promise<RunningDesk & { dataDir: string; api: DeskApi }> {
  const dataDir = options.dataDir ?? (await enrolledDataDir(server));
  const desk = await startDesk({ port: 0, logLevel: 'silent', testHooks: true, sync: FAST_SYNC, ...options, dataDir });
  return { ...desk, dataDir, api: new DeskApi(desk.url) };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The desk's HTTP API as the UI calls it. */
export class DeskApi {
  token: string | null = null;

  constructor(readonly url: string) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const r = await fetch(new URL(path, this.url), {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async ok<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call<T>(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async login(login = 'cashier', password = 'paydesk-demo'): Promise<void> {
    this.token = (await this.ok<{ token: string }>('POST', '/api/session', { login, password })).token;
  }

  status(): Promise<Record<string, unknown> & { online: boolean; unsentCount: number; reference: { loaded: boolean } }> {
    return this.ok('GET', '/api/status');
  }

  /** Waits until a payment's view satisfies a condition (the desk settles a crash's leftovers after it answers). */
  async waitForPayment(
    opId: string,
    pred: (p: { state: string; card?: { rrn: string } | null }) => boolean,
    timeoutMs = 20_000,
  ): Promise<{ state: string; card?: { rrn: string } | null }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = await this.ok<{ state: string; card?: { rrn: string } | null }>('GET', `/api/payments/${opId}`);
      if (pred(p)) return p;
      if (Date.now() > deadline) throw new Error(`timed out waiting for payment ${opId}: ${JSON.stringify(p)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits until a condition on the desk's status holds. */
  async waitFor(
    what: string,
    pred: (s: Awaited<ReturnType<DeskApi['status']>>) => boolean,
    timeoutMs = 20_000,
  ): Promise<Awaited<ReturnType<DeskApi['status']>>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.status();
      if (pred(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
