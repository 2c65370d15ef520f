/**
 * Issue 16, adversarial review (guarantee 4: no op lost after restores). The desk's journal is restored (the desk renumbers its
 * unsent ops after the server's last seq: seq_base goes negative), then the server is restored from a
 * backup older than that renumbering. The server expects a wire seq that, under the desk's new base, maps
 * to a local seq below 1 (sync-worker.ts handleRefusal 'sync.gap': from = expectedSeq + base − 1; and
 * recovery.ts resendAfter): the desk stops syncing for good ("Сервер ждёт операцию N, а её нет в журнале
 * кассы"). Payments the server lost in its restore and every payment taken afterwards stay on the desk;
 * nothing reaches the server until an administrator re-enrolls the desk.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

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

const JOURNAL_FILES = ['journal.sqlite', 'journal.sqlite-wal', 'journal.sqlite-shm'];
function copyJournal(from: string, to: string): void {
  for (const f of JOURNAL_FILES) {
    if (existsSync(join(from, f))) copyFileSync(join(from, f), join(to, f));
    else rmSync(join(to, f), { force: true });
  }
}

async function started(dataDir?: string): Promise<NonNullable<typeof desk>> {
  const d = await startTestDesk(server, dataDir ? { dataDir } : {});
  await d.api.waitFor('online', (s) => s.reference.loaded && s.online);
  await d.api.login();
  return d;
}

const pay = async (d: NonNullable<typeof desk>, quantity = 1): Promise<string> =>
  (
    await d.api.ok<{ paymentId: string }>('POST', '/api/payments', {
      kind: 'service',
      items: [{ code: 'COPY_A4', quantity }],
      method: 'cash',
    })
  ).paymentId;
const onServer = async (ids: string[]): Promise<string[]> =>
  (await server.open.db.selectFrom('payments').select('op_id').where('op_id', 'in', ids).execute()).map((r) => r.op_id).sort();

describe('ATTACK: desk journal restored, then the server restored', () => {
  it('the desk stops syncing and the payments the server lost never come back', async () => {
    desk = await started();
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
    await pay(desk, 1);
    await pay(desk, 2);
    await desk.api.waitFor('sent', (s) => s.unsentCount === 0);
    const serverBackup = await server.snapshot(); // server holds seqs 1..3
    const lostByServer = [await pay(desk, 3), await pay(desk, 4), await pay(desk, 5)];
    await desk.api.waitFor('sent', (s) => s.unsentCount === 0);
    const journalBackup = mkdtempSync(join(tmpdir(), 'paydesk-backup-'));
    dirs.push(journalBackup);
    await desk.stop();
    copyJournal(desk.dataDir, journalBackup); // journal holds seqs 1..6
    const dataDir = desk.dataDir;
    desk = await started(dataDir);
    // A busy morning after the copy was taken: more ops than the server backup holds.
    for (let q = 10; q < 16; q++) await pay(desk, q);
    await desk.api.waitFor('sent', (s) => s.unsentCount === 0); // server holds 1..12
    await desk.stop();
    copyJournal(journalBackup, dataDir);
    desk = await started(dataDir);
    const afterDeskRestore = await pay(desk, 8);
    await desk.api.waitFor('sent after the desk restore', (s) => s.unsentCount === 0);
    // Now the server's disk: its database is put back from the older backup.
    await server.restore(serverBackup);
    const afterBoth = await pay(desk, 9);
    const want = [...lostByServer, afterDeskRestore, afterBoth];
    const deadline = Date.now() + 20_000;
    while ((await onServer(want)).length < want.length && Date.now() < deadline) {
      await desk.api.call('POST', '/api/test/sync');
      await new Promise((r) => setTimeout(r, 300));
    }
    const status = await desk.api.status();
    expect(
      {
        onServer: (await onServer(want)).length,
        fatal: (status as { syncError?: unknown; fatal?: unknown }).syncError ?? (status as { fatal?: unknown }).fatal ?? null,
      },
      JSON.stringify(status).slice(0, 600),
    ).toEqual({ onServer: want.length, fatal: null });
  });
});
