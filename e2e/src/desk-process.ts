/**
 * A desk as its own process (the `paydesk-desk serve` CLI) on an enrolled data folder, for tests that kill
 * it (SIGKILL at a crash point, as a power cut would) and start it again on the same data.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { freePort, startProcess, waitForHttp, type Proc } from '@paydesk/testkit';
import { DeskApi, enrolledDataDir, type TestStackServer } from './stack.ts';

const bin = join(import.meta.dirname, '..', '..', 'apps', 'desk', 'bin', 'paydesk-desk.mjs');

export class DeskProcess {
  proc: Proc | null = null;
  api: DeskApi;

  constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {
    this.api = new DeskApi(`http://127.0.0.1:${port}`);
  }

  async start(): Promise<void> {
    this.proc = startProcess(process.execPath, [bin, 'serve', '--port', String(this.port), '--data', this.dataDir], {
      env: { PAYDESK_TEST_HOOKS: '1', PAYDESK_SYNC_PROBE_MS: '200', PAYDESK_LOG_LEVEL: 'warn', PAYDESK_DESK_UI_DIR: '/nonexistent' },
    });
    await waitForHttp(`${this.api.url}/api/status`, this.proc, 60_000);
    await this.api.waitFor('cashiers loaded', (s) => s.reference.loaded, 30_000);
    await this.api.login();
  }

  /** The process was killed (by a crash point), not stopped. */
  async died(): Promise<void> {
    const code = await this.proc?.exited;
    expect(code).toBe(-1);
  }

  async stop(): Promise<void> {
    await this.proc?.kill('SIGTERM');
  }
}

/** A newly enrolled desk process with its shift open. */
export async function freshDesk(server: TestStackServer, name: string): Promise<DeskProcess> {
  const desk = new DeskProcess(await enrolledDataDir(server, name), await freePort());
  await desk.start();
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
  return desk;
}

/** How many receipts the desk's virtual register holds for an operation. */
export const receiptsFor = async (desk: DeskProcess, opId: string): Promise<number> =>
  (await desk.api.ok<{ items: { operationId: string }[] }>('GET', '/api/test/receipts')).items.filter((r) => r.operationId === opId).length;
