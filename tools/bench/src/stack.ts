/**
 * What the benchmarks run on: a throwaway PostgreSQL cluster from the installed binaries, the server
 * as its own process (so clients and server use both cores as in production), desks as processes.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Api, DEMO_PASSWORD, seed } from '@paydesk/demo';
import { freePort, startProcess, startTempPostgres, waitForHttp, type Proc, type TempPostgres } from '@paydesk/testkit';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SERVER_BIN = join(ROOT, 'apps/server/bin/paydesk-server.mjs');
export const DESK_BIN = join(ROOT, 'apps/desk/bin/paydesk-desk.mjs');

/** PAYDESK_BENCH_CPU_PROF=<dir>: the server and desk processes write V8 CPU profiles there on exit. */
const PROFILE = process.env['PAYDESK_BENCH_CPU_PROF'] ? ['--cpu-prof', '--cpu-prof-dir', process.env['PAYDESK_BENCH_CPU_PROF']] : [];

export interface BenchServer {
  url: string;
  port: number;
  proc: Proc;
  admin: Api;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface BenchStack {
  pg: TempPostgres;
  dbUrl: string;
  db: pg.Client;
  server: BenchServer;
  work: string;
  env: Record<string, string>;
  /** Desks started for the benchmarks: stopped by close whatever happened. */
  desks: BenchDesk[];
  close(): Promise<void>;
}

export async function startBenchStack(log: (line: string) => void): Promise<BenchStack> {
  const work = mkdtempSync(join(tmpdir(), 'paydesk-bench-'));
  // PostgreSQL's own process reads the COPY baseline's files from here.
  chmodSync(work, 0o755);
  const pgc = await startTempPostgres({ sharedBuffers: '256MB' });
  const env = {
    DATABASE_URL: pgc.url,
    PAYDESK_ADMIN_PASSWORD: DEMO_PASSWORD,
    PAYDESK_LOG_LEVEL: 'error',
    PAYDESK_ADMIN_UI_DIR: '/nonexistent',
    PAYDESK_DB_POOL_SIZE: '20',
    PAYDESK_BODY_LIMIT: String(64 * 1024 * 1024),
    PAYDESK_WORKERS: 'none',
  };
  const port = await freePort();
  const start = async (): Promise<Proc> => {
    const proc = startProcess(process.execPath, [...PROFILE, SERVER_BIN, 'serve', '--port', String(port)], { env });
    await waitForHttp(`http://127.0.0.1:${port}/health`, proc, 60_000);
    return proc;
  };
  const server: BenchServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    proc: await start(),
    admin: new Api(`http://127.0.0.1:${port}`),
    async restart() {
      await server.proc.kill('SIGTERM');
      server.proc = await start();
    },
    async stop() {
      await server.proc.kill('SIGTERM');
    },
  };
  await server.admin.login('admin', DEMO_PASSWORD);
  await seed(server.admin, { simUrl: 'http://127.0.0.1:9', dataDir: work, log: () => undefined, townSize: 50 });
  log(`PostgreSQL ${pgc.url}, сервер ${server.url}`);
  const db = new pg.Client({ connectionString: pgc.url });
  await db.connect();
  const desks: BenchDesk[] = [];
  return {
    pg: pgc,
    dbUrl: pgc.url,
    db,
    server,
    work,
    env,
    desks,
    async close() {
      for (const d of desks) await d.stop();
      await db.end();
      await server.stop();
      pgc.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

export interface BenchDesk {
  url: string;
  proc: Proc;
  dir: string;
  token: string;
  /** Signs the cashier in; the desk knows its cashiers only after its first pull. */
  login(): Promise<void>;
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** A desk enrolled with the server (through `serverUrl`, which may be a fault proxy), started and signed in. */
export async function startBenchDesk(stack: BenchStack, name: string, serverUrl = stack.server.url): Promise<BenchDesk> {
  const dir = join(stack.work, name.replace(/\W+/g, '-'));
  const created = await stack.server.admin.call<{ enrollmentCode: string }>('POST', '/api/v1/desks', { name });
  const enroll = startProcess(process.execPath, [
    DESK_BIN,
    'enroll',
    '--server',
    serverUrl,
    '--code',
    created.enrollmentCode,
    '--data',
    dir,
  ]);
  if ((await enroll.exited) !== 0) throw new Error(enroll.output());
  const port = await freePort();
  const proc = startProcess(process.execPath, [...PROFILE, DESK_BIN, 'serve', '--port', String(port), '--data', dir], {
    env: { PAYDESK_LOG_LEVEL: 'error', PAYDESK_DESK_UI_DIR: '/nonexistent', PAYDESK_REGISTER: 'virtual' },
  });
  const url = `http://127.0.0.1:${port}`;
  const desk: BenchDesk = {
    url,
    proc,
    dir,
    token: '',
    async call<T>(method: string, path: string, body?: unknown) {
      const r = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${desk.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      return { status: r.status, body: (text ? JSON.parse(text) : {}) as T };
    },
    async login() {
      const r = await desk.call<{ token: string }>('POST', '/api/session', { login: 'cashier', password: DEMO_PASSWORD });
      if (r.status !== 200) throw new Error(`desk sign-in: ${r.status} ${JSON.stringify(r.body)}`);
      desk.token = r.body.token;
    },
    async stop() {
      await proc.kill('SIGTERM');
    },
  };
  stack.desks.push(desk);
  await waitForHttp(`${url}/api/status`, proc, 60_000);
  return desk;
}

/** Waits for a desk's status to satisfy a condition; returns the milliseconds it took. */
export async function waitDesk(
  desk: BenchDesk,
  what: string,
  pred: (s: { unsentCount: number; reference: { loaded: boolean; rows: number } }) => boolean,
  timeoutMs: number,
): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const s = (await desk.call<{ unsentCount: number; reference: { loaded: boolean; rows: number } }>('GET', '/api/status')).body;
    if (pred(s)) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`desk: timed out waiting for ${what}: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
