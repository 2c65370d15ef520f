/**
 * Issue 20 item 5: the `worker` process (provider forwarding beside HTTP-only servers) answers /health
 * and /metrics like the server does, and `paydesk_forwarding_attempts_total` counts its attempts (the
 * docs named the metric; nothing ever incremented it, and the worker had no HTTP at all).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, waitForHttp, type Proc } from '@paydesk/testkit';
import { postgresTestUrl } from './testing/test-db.ts';
import { migrate, openDatabase } from './db/database.ts';
import { testServer } from './testing/fixture.ts';

const bin = new URL('../bin/paydesk-server.mjs', import.meta.url).pathname;

describe('paydesk-server worker (PostgreSQL)', () => {
  let proc: Proc;
  let url: string;
  let db: Awaited<ReturnType<typeof postgresTestUrl>>;
  beforeAll(async () => {
    db = await postgresTestUrl();
    // A top-up queued for a provider that does not answer: the worker tries it and counts the try.
    const open = await openDatabase({ url: db.url });
    await migrate(open.db);
    const s = await testServer(open);
    const desk = await s.enroll();
    await s.pushOk(desk, [s.op(desk, 'thirdparty.accepted')]);
    await s.close();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proc = startProcess(process.execPath, [bin, 'worker'], {
      env: { DATABASE_URL: db.url, PAYDESK_WORKER_PORT: String(port), PAYDESK_LOG_LEVEL: 'warn', PAYDESK_FORWARD_INTERVAL_MS: '200' },
    });
    await waitForHttp(`${url}/health`, proc, 60_000);
  }, 90_000);
  afterAll(async () => {
    await proc?.kill('SIGTERM');
    await db?.drop();
  });

  it('answers /health with the database and /metrics on loopback, counting forwarding attempts', async () => {
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ status: 'ok' });
    await expect
      .poll(
        async () => {
          const text = await (await fetch(`${url}/metrics`)).text();
          return /paydesk_forwarding_attempts_total\{result="retry"\} [1-9]/.test(text);
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(true);
  });
});
