/**
 * Attack on issue 21: a correction is «journaled first … in the desk's audit log». The audit row is written
 * only in makeCorrection's `finally`, and only by the call that created the journal row. A desk killed after
 * the register printed never reaches that `finally`; after the restart the correction is settled as done, and
 * every later call finds the row existing — so the correction, printed and synced, has no audit entry naming
 * the senior who issued it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { freePort, startProcess, waitForHttp, type Proc } from '@paydesk/testkit';
import { openJournal } from '@paydesk/desk';
import { DeskApi, enrolledDataDir, removeDir, startTestServer, type TestStackServer } from '../stack.ts';

const bin = join(import.meta.dirname, '..', '..', '..', 'apps', 'desk', 'bin', 'paydesk-desk.mjs');

let server: TestStackServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

describe('a correction killed after the register printed', () => {
  it('is in the audit log once the desk has settled it', async () => {
    const dataDir = await enrolledDataDir(server, 'Касса КК');
    const port = await freePort();
    const api = new DeskApi(`http://127.0.0.1:${port}`);
    const senior = new DeskApi(api.url);
    let proc: Proc | null = null;
    const start = async (): Promise<void> => {
      proc = startProcess(process.execPath, [bin, 'serve', '--port', String(port), '--data', dataDir], {
        env: { PAYDESK_TEST_HOOKS: '1', PAYDESK_SYNC_PROBE_MS: '200', PAYDESK_LOG_LEVEL: 'warn', PAYDESK_DESK_UI_DIR: '/nonexistent' },
      });
      await waitForHttp(`${api.url}/api/status`, proc, 60_000);
      await api.waitFor('cashiers loaded', (s) => s.reference.loaded, 30_000);
      await api.login();
      await senior.login('senior', 'paydesk-demo');
    };
    try {
      await start();
      await api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
      const opId = uuidv7();
      const body = {
        opId,
        direction: 'income',
        correctionType: 'self',
        baseDate: '2026-11-30',
        baseNumber: '1',
        description: 'Приём платежа без чека: ККТ не работала',
        amountKop: 250_00,
        method: 'cash',
      };
      await api.ok('POST', '/api/test/crash', { point: 'after_register', kind: 'correction' });
      await expect(senior.call('POST', '/api/corrections', body)).rejects.toThrow();
      expect(await (proc as Proc | null)?.exited).toBe(-1);
      await start();
      const again = await senior.ok<{ state: string }>('POST', '/api/corrections', body);
      expect(again.state).toBe('done');
      const printed = (await api.ok<{ items: { operationId: string }[] }>('GET', '/api/test/receipts')).items.filter(
        (r) => r.operationId === opId,
      );
      expect(printed).toHaveLength(1);
      await (proc as Proc | null)?.kill('SIGTERM');
      proc = null;
      const db = openJournal(join(dataDir, 'journal.sqlite'));
      try {
        const audit = db.prepare(`SELECT actor_id FROM audit WHERE action = 'correction.made' AND op_id = ?`).all(opId);
        expect(audit).toHaveLength(1);
      } finally {
        db.close();
      }
    } finally {
      await (proc as Proc | null)?.kill('SIGTERM');
      removeDir(dataDir);
    }
  }, 180_000);
});
