/**
 * Issue 20 item 5: `paydesk-desk backup` takes a consistent copy of a desk's data folder while the desk
 * runs and takes payments (the docs said «SQLite's `.backup`» and shipped no command). The copy is a
 * journal a desk starts from: every operation it holds has its sync row, the seq has no gap, and a desk
 * put back from it sends what the server lacks and keeps working.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '@paydesk/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startProcess } from '@paydesk/testkit';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

const bin = new URL('../../../apps/desk/bin/paydesk-desk.mjs', import.meta.url).pathname;

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>> | null = null;
const dirs: string[] = [];

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  if (desk) {
    await desk.stop();
    removeDir(desk.dataDir);
    desk = null;
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await server.close();
});

async function backup(args: string[]): Promise<{ code: number | null; output: string }> {
  const p = startProcess(process.execPath, [bin, 'backup', ...args]);
  const code = await p.exited;
  return { code, output: p.output() };
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'paydesk-backup-'));
  dirs.push(d);
  return d;
}

describe('paydesk-desk backup', () => {
  it('copies the folder of a running desk taking payments: a whole journal, the key, owner-only; a desk starts from it', async () => {
    desk = await startTestDesk(server);
    await desk.api.waitFor('online', (s) => s.reference.loaded && s.online);
    await desk.api.login();
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
    const d = desk;
    let paying = true;
    const taken: string[] = [];
    const payments = (async () => {
      while (paying) {
        const r = await d.api.ok<{ paymentId: string }>('POST', '/api/payments', {
          kind: 'service',
          items: [{ code: 'COPY_A4', quantity: 1 }],
          method: 'cash',
        });
        taken.push(r.paymentId);
      }
    })();
    while (taken.length < 3) await new Promise((r) => setTimeout(r, 50));
    const out = join(tempDir(), 'copy');
    const result = await backup(['--data', desk.dataDir, '--out', out]);
    paying = false;
    await payments;
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Копия кассы .* в /);
    expect(taken.length).toBeGreaterThan(3);

    // Owner-only, the journal and the desk's key; no lock, no WAL pieces to lose.
    expect(statSync(out).mode & 0o777).toBe(0o700);
    const files = readdirSync(out).sort();
    expect(files).toEqual(expect.arrayContaining(['journal.sqlite', 'desk.key', 'backup.json']));
    expect(files.some((f) => f.endsWith('-wal') || f.endsWith('-shm') || f.includes('lock'))).toBe(false);
    for (const f of files) expect(statSync(join(out, f)).mode & 0o077, f).toBe(0);

    const copy = new Database(join(out, 'journal.sqlite'), { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const seqs = (copy.prepare('SELECT seq FROM ops ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq);
      expect(seqs.length).toBeGreaterThan(0);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      // A settled operation in the copy has its sync row in the same copy (one transaction, one snapshot).
      const orphans = copy
        .prepare(`SELECT count(*) AS n FROM operations WHERE seq IS NOT NULL AND seq NOT IN (SELECT seq FROM ops)`)
        .get() as { n: number };
      expect(orphans.n).toBe(0);
      // The manifest says what the server had confirmed and what only this copy holds (one seq numbering here).
      const manifest = JSON.parse(readFileSync(join(out, 'backup.json'), 'utf8')) as { lastSeq: number; unsent: number };
      const acked = copy.prepare(`SELECT coalesce(max(seq), 0) AS s FROM ops WHERE sync_state != 'pending'`).get() as { s: number };
      const pending = copy.prepare(`SELECT count(*) AS n FROM ops WHERE sync_state = 'pending'`).get() as { n: number };
      expect({ lastSeq: manifest.lastSeq, unsent: manifest.unsent }).toEqual({ lastSeq: acked.s, unsent: pending.n });
      expect(manifest.lastSeq + manifest.unsent).toBe(seqs.at(-1));
    } finally {
      copy.close();
    }

    // Put back: the desk starts from the copy and keeps taking payments, all of them reach the server.
    await desk.api.waitFor('sent', (s) => s.unsentCount === 0);
    const dataDir = desk.dataDir;
    await desk.stop();
    desk = null;
    for (const f of readdirSync(dataDir)) if (f.startsWith('journal.sqlite')) rmSync(join(dataDir, f));
    for (const f of ['journal.sqlite', 'desk.key']) writeFileSync(join(dataDir, f), readFileSync(join(out, f)));
    desk = await startTestDesk(server, { dataDir });
    await desk.api.waitFor('online', (s) => s.reference.loaded && s.online);
    await desk.api.login();
    const after = await desk.api.ok<{ paymentId: string }>('POST', '/api/payments', {
      kind: 'service',
      items: [{ code: 'COPY_A4', quantity: 2 }],
      method: 'cash',
    });
    await desk.api.waitFor('sent after the restore', (s) => s.unsentCount === 0 && s.online);
    const onServer = await server.open.db
      .selectFrom('payments')
      .select('op_id')
      .where('op_id', 'in', [...taken, after.paymentId])
      .execute();
    expect(onServer.length).toBe(taken.length + 1);
  }, 120_000);

  it('refuses a folder with no journal and a target that already holds files, and writes nothing', async () => {
    const empty = tempDir();
    const out = join(tempDir(), 'copy');
    const none = await backup(['--data', empty, '--out', out]);
    expect(none.code).not.toBe(0);
    expect(none.output).toMatch(/нет журнала кассы/);
    expect(existsSync(out)).toBe(false);

    const taken = tempDir();
    mkdirSync(join(taken, 'x'));
    writeFileSync(join(taken, 'x', 'journal.sqlite'), 'yesterday');
    const dataDir = tempDir();
    new Database(join(dataDir, 'journal.sqlite')).close();
    const busy = await backup(['--data', dataDir, '--out', join(taken, 'x')]);
    expect(busy.code).not.toBe(0);
    expect(busy.output).toMatch(/уже есть файлы/);
    expect(readdirSync(join(taken, 'x'))).toEqual(['journal.sqlite']);
  }, 60_000);
});
