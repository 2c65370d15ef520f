/**
 * Issue 16 items 4 and 5: "a payment taken is a fact" after any restore. A desk whose journal is put
 * back from an older copy keeps every new payment; a server put back from an older backup gets back
 * from the desks what it lost — idle desks included — and the desks drop what the server no longer has.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
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

describe('a desk whose journal was restored from an older copy', () => {
  it('keeps every payment taken after the restore: the server places them after what it has, none rejected', async () => {
    desk = await started();
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
    const before = [await pay(desk), await pay(desk)];
    await desk.api.waitFor('sent', (s) => s.unsentCount === 0);
    const backup = mkdtempSync(join(tmpdir(), 'paydesk-backup-'));
    dirs.push(backup);
    await desk.stop();
    copyJournal(desk.dataDir, backup);
    const dataDir = desk.dataDir;
    desk = await started(dataDir);
    const lost = [await pay(desk, 2), await pay(desk, 3), await pay(desk, 4)];
    await desk.api.waitFor('sent', (s) => s.unsentCount === 0);
    await desk.stop();
    copyJournal(backup, dataDir);
    desk = await started(dataDir);
    const after = [await pay(desk, 5)];
    await desk.api.waitFor('sent after the restore', (x) => x.unsentCount === 0 && x.online);
    // Once the desk has heard of the restore, its numbers go past the ones the server holds. (The first
    // payment after a restore may repeat a number: the desk cannot know before it reaches the server.)
    const later = await desk.api.ok<{ paymentId: string; number: string }>('POST', '/api/payments', {
      kind: 'service',
      items: [{ code: 'COPY_A4', quantity: 6 }],
      method: 'cash',
    });
    after.push(later.paymentId);
    const s = await desk.api.waitFor('sent after the restore', (x) => x.unsentCount === 0 && x.online);
    expect(s.rejectedCount).toBe(0);
    const all = [...before, ...lost, ...after];
    expect(await onServer(all)).toEqual([...all].sort());
    const numbers = (
      await server.open.db
        .selectFrom('payments')
        .select('number')
        .where('op_id', 'in', [...before, ...lost])
        .execute()
    ).map((r) => r.number);
    for (const n of numbers) expect(later.number > n, `${later.number} after ${n}`).toBe(true);
  });
});

describe('a server restored from an older backup', () => {
  it('gets back from an idle desk every op it lost', async () => {
    desk = await started();
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
    const kept = await pay(desk);
    await desk.api.waitFor('sent', (s) => s.unsentCount === 0);
    const backup = await server.snapshot();
    const lost = [await pay(desk, 2), await pay(desk, 3)];
    await desk.api.waitFor('sent', (s) => s.unsentCount === 0);
    await server.restore(backup);
    // The desk takes nothing new: it must notice by itself.
    const deadline = Date.now() + 20_000;
    while ((await onServer([kept, ...lost])).length < 3) {
      if (Date.now() > deadline)
        throw new Error(`the idle desk did not re-send what the server lost: ${JSON.stringify(await onServer([kept, ...lost]))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await desk.api.status()).rejectedCount).toBe(0);
  });

  it('a desk whose pull cursor is ahead of the restored server loads the server’s state again', async () => {
    desk = await started();
    const backup = await server.snapshot();
    await sql`UPDATE price_items SET price_kop = 9900, version = nextval('ref_version') WHERE code = 'COPY_A4'`.execute(server.open.db);
    const price = async (): Promise<number | undefined> =>
      (await desk!.api.ok<{ items: { code: string; priceKop: number }[] }>('GET', '/api/price-items')).items.find(
        (i) => i.code === 'COPY_A4',
      )?.priceKop;
    await desk.api.ok('POST', '/api/test/sync');
    expect(await price()).toBe(9_900);
    await server.restore(backup);
    const deadline = Date.now() + 20_000;
    for (;;) {
      await desk.api.call('POST', '/api/test/sync');
      if ((await price()) === 1_500) break;
      if (Date.now() > deadline) throw new Error(`the desk kept a price the restored server does not have: ${String(await price())}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it('a desk enrolled again after the restore re-sends what the server lost, not only what it had not sent', async () => {
    desk = await started();
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
    const backup = await server.snapshot();
    const lost = [await pay(desk, 2), await pay(desk, 3)];
    await desk.api.waitFor('sent', (s) => s.unsentCount === 0);
    await server.restore(backup);
    // The administrator re-enrolls the desk (the restored server no longer trusts its key, say).
    const dataDir = desk.dataDir;
    await desk.stop();
    desk = null;
    const code = await server.enrollmentCode('Касса 1');
    const { openJournal } = await import('@paydesk/desk');
    const { enrollWithServer, IdentityStore } = await import('@paydesk/desk');
    const db = openJournal(join(dataDir, 'journal.sqlite'));
    try {
      new IdentityStore(db, dataDir).save(server.url, await enrollWithServer(server.url, code));
    } finally {
      db.close();
    }
    desk = await started(dataDir);
    const deadline = Date.now() + 20_000;
    while ((await onServer(lost)).length < 2) {
      if (Date.now() > deadline) throw new Error('the re-enrolled desk did not re-send the ops the restore lost');
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
