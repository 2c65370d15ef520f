/**
 * The system under fire, every part real: a throwaway PostgreSQL cluster, the server as a process,
 * the OSMP simulator, and N desks as processes (each with its virtual register) reaching the server
 * through a TCP fault proxy of their own. Any process can be killed and started again on its data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Api, DEMO_PASSWORD, seed, type Town } from '@paydesk/demo';
import { startProviderSim, type ProviderSim } from '@paydesk/provider-sim';
import { DEMO_CONFIG } from '@paydesk/provider-sim/demo-config';
import { freePort, startFaultProxy, startProcess, startTempPostgres, waitForHttp, type FaultProxy, type Proc, type TempPostgres } from '@paydesk/testkit';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER_BIN = join(ROOT, 'apps/server/bin/paydesk-server.mjs');
const DESK_BIN = join(ROOT, 'apps/desk/bin/paydesk-desk.mjs');

export class ServerNode {
  proc: Proc | null = null;
  starts = 0;

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proc = startProcess(process.execPath, [SERVER_BIN, 'serve', '--port', String(this.port)], { env: this.env });
    await waitForHttp(`${this.url}/health`, this.proc, 60_000);
    this.starts++;
  }

  async kill(): Promise<void> {
    await this.proc?.kill('SIGKILL');
    this.proc = null;
  }
}

export class DeskNode {
  proc: Proc | null = null;
  starts = 0;
  /** Set while the harness restarts it on purpose, so the workload does not count it as lost. */
  restarting = false;

  constructor(
    readonly index: number,
    readonly dataDir: string,
    readonly port: number,
    readonly proxy: FaultProxy,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get name(): string {
    return `Касса ${this.index + 1}`;
  }

  async start(): Promise<void> {
    this.proc = startProcess(process.execPath, [DESK_BIN, 'serve', '--port', String(this.port), '--data', this.dataDir], {
      env: { PAYDESK_TEST_HOOKS: '1', PAYDESK_SYNC_PROBE_MS: '300', PAYDESK_LOG_LEVEL: 'warn', PAYDESK_DESK_UI_DIR: '/nonexistent' },
    });
    await waitForHttp(`${this.url}/api/status`, this.proc, 60_000);
    this.starts++;
  }

  alive(): boolean {
    return this.proc !== null && this.proc.child.exitCode === null && this.proc.child.signalCode === null;
  }

  async kill(): Promise<void> {
    await this.proc?.kill('SIGKILL');
    this.proc = null;
  }
}

export interface Stack {
  pg: TempPostgres;
  dbUrl: string;
  server: ServerNode;
  sim: ProviderSim;
  desks: DeskNode[];
  admin: Api;
  town: Town;
  workDir: string;
  close(): Promise<void>;
}

export async function startStack(options: { desks: number; townSize: number; log: (line: string) => void }): Promise<Stack> {
  const { log } = options;
  const workDir = mkdtempSync(join(tmpdir(), 'paydesk-chaos-'));
  const pg = await startTempPostgres({ fsync: true });
  const dbUrl = pg.url;
  log(`PostgreSQL: ${pg.url}`);
  const sim = await startProviderSim(DEMO_CONFIG, await freePort());
  const server = new ServerNode(await freePort(), {
    DATABASE_URL: dbUrl, PAYDESK_ADMIN_PASSWORD: DEMO_PASSWORD, PAYDESK_LOG_LEVEL: 'warn', PAYDESK_ADMIN_UI_DIR: '/nonexistent',
    PAYDESK_FORWARD_INTERVAL_MS: '200', PAYDESK_FORWARD_LEASE_MS: '4000', PAYDESK_FORWARD_RETRY_MS: '300', PAYDESK_FORWARD_MAX_RETRY_MS: '2000',
  });
  await server.start();
  log(`Сервер: ${server.url}`);
  const admin = new Api(server.url);
  await admin.login('admin', DEMO_PASSWORD);
  const town = await seed(admin, { simUrl: sim.url, dataDir: workDir, log, townSize: options.townSize });
  for (const [key, value] of Object.entries({ pullIntervalSeconds: 5, syncIntervalSeconds: 5 })) await admin.call('PUT', '/api/v1/settings', { scope: 'global', key, value });

  const desks: DeskNode[] = [];
  for (let i = 0; i < options.desks; i++) {
    const proxy = await startFaultProxy('127.0.0.1', server.port);
    const desk = new DeskNode(i, join(workDir, `desk-${i + 1}`), await freePort(), proxy);
    const created = await admin.call<{ enrollmentCode: string }>('POST', '/api/v1/desks', { name: desk.name });
    const enroll = startProcess(process.execPath, [DESK_BIN, 'enroll', '--server', proxy.url, '--code', created.enrollmentCode, '--data', desk.dataDir]);
    if ((await enroll.exited) !== 0) throw new Error(`enrollment of ${desk.name} failed:\n${enroll.output()}`);
    await desk.start();
    desks.push(desk);
  }
  log(`Кассы: ${desks.map((d) => d.url).join(', ')}`);
  return {
    pg, dbUrl, server, sim, desks, admin, town, workDir,
    async close() {
      for (const d of desks) {
        await d.kill();
        await d.proxy.close();
      }
      await server.kill();
      await sim.stop();
      pg.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
