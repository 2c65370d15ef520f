/**
 * Issue 16, adversarial review (guarantee 2: a payment has at most one reversal; guarantee 4: restores). The desk's journal
 * is put back from a copy taken before a payment was reversed. The desk decides "not reversed yet"
 * from its own journal only (reverse.ts: liveReversalOf / reversed_by), and for a billing or service
 * payment it never asks the server, which holds the first reversal. The register prints a second
 * return receipt and the cashier hands the money out again; the server only files
 * `reversal.duplicate` ("возврат выдан повторно") after the fact.
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

describe('ATTACK: a reversal after the desk journal is restored', () => {
  it('a service payment reversed before the restore is reversed (and refunded) a second time after it', async () => {
    desk = await started();
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 100_000 });
    const p = await desk.api.ok<{ paymentId: string; totalKop: number }>('POST', '/api/payments', {
      kind: 'service',
      items: [{ code: 'COPY_A4', quantity: 10 }],
      method: 'cash',
    });
    await desk.api.waitFor('sent', (s) => s.unsentCount === 0);
    // Last night's copy of the journal.
    const backup = mkdtempSync(join(tmpdir(), 'paydesk-backup-'));
    dirs.push(backup);
    await desk.stop();
    copyJournal(desk.dataDir, backup);
    const dataDir = desk.dataDir;
    desk = await started(dataDir);
    const first = await desk.api.call('POST', '/api/reversals', { paymentId: p.paymentId, reason: 'Клиент передумал' });
    expect(first.status).toBe(201);
    await desk.api.waitFor('reversal sent', (s) => s.unsentCount === 0);
    // The PC's disk fails; the journal is put back from the copy.
    await desk.stop();
    copyJournal(backup, dataDir);
    desk = await started(dataDir);
    // The day goes on: other payers pay (the register's shift revenue covers a second return).
    await desk.api.ok('POST', '/api/payments', { kind: 'service', items: [{ code: 'COPY_A4', quantity: 20 }], method: 'cash' });
    const second = await desk.api.call('POST', '/api/reversals', { paymentId: p.paymentId, reason: 'Клиент передумал' });
    const returns = (
      await desk.api.ok<{ items: { kind: string; operationId: string | null }[] }>('GET', '/api/test/receipts')
    ).items.filter((r) => r.kind === 'sale_return');
    expect({ status: second.status, returnReceipts: returns.length }, 'one payment of 150,00 ₽ refunded twice in cash').toMatchObject({
      returnReceipts: 1,
    });
  });
});
