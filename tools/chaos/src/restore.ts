/**
 * Backups taken while everything runs, put back minutes later, as an administrator does after a
 * disk dies: a desk's journal (SQLite's online backup through the desk's test hook, a consistent
 * copy), and the server's database (pg_dump -Fc, then the database dropped, created again and
 * pg_restore'd — a new database, so a new incarnation for the server).
 */
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { findPostgresBin, postgresArgv } from '@paydesk/testkit';
import { DB_NAME, type DeskNode, type Stack } from './stack.ts';

/** A consistent copy of a running desk's journal. */
export async function copyJournal(desk: DeskNode, file: string): Promise<void> {
  const r = await fetch(`${desk.url}/api/test/backup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ file }),
    signal: AbortSignal.timeout(15_000),
  });
  if (!r.ok) throw new Error(`копия журнала ${desk.name}: ${r.status} ${await r.text()}`);
}

/** The desk is killed and starts on the copy; its register (another device) keeps what it printed. */
export async function putJournalBack(desk: DeskNode, file: string): Promise<void> {
  await desk.kill();
  // The write-ahead log of the journal that was there belongs to it, not to the copy.
  for (const extra of ['-wal', '-shm', '-journal']) rmSync(desk.journalFile + extra, { force: true });
  copyFileSync(file, desk.journalFile);
  await desk.start();
}

/**
 * Whether the server's database can be dumped and put back: the PostgreSQL npm ships for the tests has
 * no pg_dump, so on a machine without the system's the harness leaves that fault out and says so.
 */
export function canRestoreServer(): boolean {
  const bin = findPostgresBin();
  return bin !== null && existsSync(join(bin, 'pg_dump')) && existsSync(join(bin, 'pg_restore'));
}

/** Runs a PostgreSQL tool (as the cluster's user when we are root), without blocking the harness's other work. */
function pgTool(tool: string, args: string[], io: { stdin?: number; stdout?: number }): Promise<void> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL binaries not found');
  const argv = postgresArgv(bin, tool, args);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      stdio: [io.stdin ?? 'ignore', io.stdout ?? 'ignore', 'pipe'],
      timeout: 120_000,
    });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${tool} failed (${code ?? signal}): ${err}`))));
  });
}

/** pg_dump -Fc of the server's database, taken while the server works. */
export async function dumpServer(stack: Stack, file: string): Promise<void> {
  const fd = openSync(file, 'w', 0o644);
  try {
    await pgTool('pg_dump', ['-Fc', '-h', '127.0.0.1', '-p', String(stack.pg.port), '-U', 'postgres', '-d', DB_NAME], { stdout: fd });
  } finally {
    closeSync(fd);
  }
  chmodSync(file, 0o644);
}

/** The server is killed, its database dropped and created again from the dump, and it starts on it. */
export async function putServerBack(stack: Stack, file: string): Promise<void> {
  await stack.server.kill();
  const db = new pg.Client({ connectionString: stack.adminDbUrl });
  await db.connect();
  try {
    await db.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await db.query(`CREATE DATABASE ${DB_NAME}`);
  } finally {
    await db.end();
  }
  const fd = openSync(file, 'r');
  try {
    await pgTool('pg_restore', ['-h', '127.0.0.1', '-p', String(stack.pg.port), '-U', 'postgres', '-d', DB_NAME, '--exit-on-error'], {
      stdin: fd,
    });
  } finally {
    closeSync(fd);
  }
  await stack.server.start();
}
