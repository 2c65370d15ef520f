/**
 * The system under fire, every part real: a throwaway PostgreSQL cluster, the server as a process,
 * the OSMP simulator, and N desks as processes reaching the server through a TCP fault proxy of their
 * own. Each desk has its virtual register, except one (when asked) that drives a KKMServer simulator
 * running in this process over a virtual device of its own, as a real desk drives a KKMServer on the
 * cashier's PC. Any process can be killed and started again on its data; a desk's journal and the
 * server's database can be copied and put back later (restore.ts).
 */
import { startAcquiringSim, type AcquiringSim } from '@paydesk/acquiring-sim';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { VirtualRegister } from '@paydesk/fiscal';
import { startKkmSimulator, type KkmSimulator } from '@paydesk/fiscal/testing';
import { Api, DEMO_PASSWORD, seed, type Town } from '@paydesk/demo';
import { startProviderSim, type ProviderSim } from '@paydesk/provider-sim';
import { DEMO_CONFIG } from '@paydesk/provider-sim/demo-config';
import {
  freePort,
  startFaultProxy,
  startProcess,
  startTempPostgres,
  waitForHttp,
  type FaultProxy,
  type Proc,
  type TempPostgres,
} from '@paydesk/testkit';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER_BIN = join(ROOT, 'apps/server/bin/paydesk-server.mjs');
const DESK_BIN = join(ROOT, 'apps/desk/bin/paydesk-desk.mjs');
/** The server's own database in the cluster, so it can be dropped and restored from a dump. */
export const DB_NAME = 'paydesk';

/** Keeps everything a process says, across its restarts, in one file (kept when a run fails). */
function keepOutput(proc: Proc, file: string): void {
  appendFileSync(file, `\n==== start ${new Date().toISOString()} pid ${proc.child.pid ?? '?'}\n`);
  const write = (c: Buffer): void => appendFileSync(file, c);
  proc.child.stdout?.on('data', write);
  proc.child.stderr?.on('data', write);
}

export class ServerNode {
  proc: Proc | null = null;
  starts = 0;

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proc = startProcess(process.execPath, [SERVER_BIN, 'serve', '--port', String(this.port)], { env: this.env });
    keepOutput(this.proc, this.logFile);
    await waitForHttp(`${this.url}/health`, this.proc, 60_000);
    this.starts++;
  }

  async kill(): Promise<void> {
    await this.proc?.kill('SIGKILL');
    this.proc = null;
  }

  alive(): boolean {
    return this.proc !== null && this.proc.child.exitCode === null && this.proc.child.signalCode === null;
  }
}

/** The KKMServer a desk drives, with the device behind it whose tape the invariants read. */
export interface KkmRig {
  sim: KkmSimulator;
  device: VirtualRegister;
  /** The card terminal behind KKMServer (its acquiring commands), with the bank's ledger. */
  terminal: AcquiringSim;
}

export class DeskNode {
  proc: Proc | null = null;
  starts = 0;
  /** Set while the harness restarts it on purpose, so the workload does not count it as lost. */
  restarting = false;
  /** Set while the harness needs the desk quiet (a journal restore): the cashier takes no new work. */
  held = false;

  constructor(
    readonly index: number,
    readonly dataDir: string,
    readonly port: number,
    readonly proxy: FaultProxy,
    /** Set for the desk on the KKMServer driver. */
    readonly kkm: KkmRig | null,
    private readonly logFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get name(): string {
    return `Касса ${this.index + 1}`;
  }

  get journalFile(): string {
    return join(this.dataDir, 'journal.sqlite');
  }

  async start(): Promise<void> {
    const register: Record<string, string> = this.kkm
      ? {
          PAYDESK_REGISTER: 'kkmserver',
          PAYDESK_REGISTER_URL: this.kkm.sim.url,
          PAYDESK_TERMINAL: 'kkmserver',
          PAYDESK_TERMINAL_URL: this.kkm.terminal.url,
        }
      : {};
    this.proc = startProcess(process.execPath, [DESK_BIN, 'serve', '--port', String(this.port), '--data', this.dataDir], {
      env: {
        PAYDESK_TEST_HOOKS: '1',
        PAYDESK_SYNC_PROBE_MS: '300',
        PAYDESK_LOG_LEVEL: 'warn',
        PAYDESK_DESK_UI_DIR: '/nonexistent',
        ...register,
      },
    });
    keepOutput(this.proc, this.logFile);
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
  /** The server's database. */
  dbUrl: string;
  /** The cluster's maintenance database, to drop and create the server's. */
  adminDbUrl: string;
  server: ServerNode;
  sim: ProviderSim;
  desks: DeskNode[];
  admin: Api;
  town: Town;
  workDir: string;
  /** Every process's output, one file each. */
  logDir: string;
  close(): Promise<void>;
}

export async function startStack(options: {
  desks: number;
  kkmDesks: number;
  townSize: number;
  log: (line: string) => void;
}): Promise<Stack> {
  const { log } = options;
  const workDir = mkdtempSync(join(tmpdir(), 'paydesk-chaos-'));
  const logDir = join(workDir, 'logs');
  mkdirSync(logDir);
  const pgc = await startTempPostgres({ fsync: true });
  const adminDbUrl = pgc.url;
  const maintenance = new pg.Client({ connectionString: adminDbUrl });
  await maintenance.connect();
  await maintenance.query(`CREATE DATABASE ${DB_NAME}`);
  await maintenance.end();
  const dbUrl = adminDbUrl.replace(/\/postgres$/, `/${DB_NAME}`);
  log(`PostgreSQL: ${dbUrl}`);
  const sim = await startProviderSim(DEMO_CONFIG, await freePort());
  const server = new ServerNode(
    await freePort(),
    {
      DATABASE_URL: dbUrl,
      PAYDESK_ADMIN_PASSWORD: DEMO_PASSWORD,
      PAYDESK_LOG_LEVEL: 'warn',
      PAYDESK_ADMIN_UI_DIR: '/nonexistent',
      PAYDESK_FORWARD_INTERVAL_MS: '200',
      PAYDESK_FORWARD_LEASE_MS: '4000',
      PAYDESK_FORWARD_RETRY_MS: '300',
      PAYDESK_FORWARD_MAX_RETRY_MS: '2000',
    },
    join(logDir, 'server.log'),
  );
  await server.start();
  log(`Сервер: ${server.url}`);
  const admin = new Api(server.url);
  await admin.login('admin', DEMO_PASSWORD);
  const town = await seed(admin, { simUrl: sim.url, dataDir: workDir, log, townSize: options.townSize });
  for (const [key, value] of Object.entries({ pullIntervalSeconds: 5, syncIntervalSeconds: 5 }))
    await admin.call('PUT', '/api/v1/settings', { scope: 'global', key, value });

  const desks: DeskNode[] = [];
  const rigs: KkmRig[] = [];
  for (let i = 0; i < options.desks; i++) {
    const proxy = await startFaultProxy('127.0.0.1', server.port);
    // The last desks drive a KKMServer: its device counts in floating point, as real ones do.
    let kkm: KkmRig | null = null;
    if (i >= options.desks - options.kkmDesks) {
      const device = new VirtualRegister({ file: join(workDir, `kkm-device-${i + 1}.sqlite`) });
      kkm = {
        device,
        sim: await startKkmSimulator([{ numDevice: 1, register: device, floatNoise: true }], { port: await freePort() }),
        terminal: await startAcquiringSim({ port: await freePort() }),
      };
      rigs.push(kkm);
    }
    const desk = new DeskNode(i, join(workDir, `desk-${i + 1}`), await freePort(), proxy, kkm, join(logDir, `desk-${i + 1}.log`));
    const created = await admin.call<{ enrollmentCode: string }>('POST', '/api/v1/desks', { name: desk.name });
    const enroll = startProcess(process.execPath, [
      DESK_BIN,
      'enroll',
      '--server',
      proxy.url,
      '--code',
      created.enrollmentCode,
      '--data',
      desk.dataDir,
    ]);
    if ((await enroll.exited) !== 0) throw new Error(`enrollment of ${desk.name} failed:\n${enroll.output()}`);
    await desk.start();
    desks.push(desk);
  }
  log(`Кассы: ${desks.map((d) => `${d.url}${d.kkm ? ` (KKMServer ${d.kkm.sim.url})` : ''}`).join(', ')}`);
  return {
    pg: pgc,
    dbUrl,
    adminDbUrl,
    server,
    sim,
    desks,
    admin,
    town,
    workDir,
    logDir,
    async close() {
      for (const d of desks) {
        await d.kill();
        await d.proxy.close();
      }
      for (const r of rigs) {
        await r.sim.stop();
        await r.terminal.stop();
        await r.device.close();
      }
      await server.kill();
      await sim.stop();
      pgc.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
