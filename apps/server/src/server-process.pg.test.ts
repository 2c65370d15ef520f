/** The server started with DATABASE_URL against a real PostgreSQL: migrates on start and serves. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, waitForHttp, type Proc } from '@paydesk/testkit';
import { postgresTestUrl } from './testing/test-db.ts';

const bin = new URL('../bin/paydesk-server.mjs', import.meta.url).pathname;

describe('paydesk-server serve (PostgreSQL)', () => {
  let proc: Proc;
  let url: string;
  let db: Awaited<ReturnType<typeof postgresTestUrl>>;
  beforeAll(async () => {
    db = await postgresTestUrl();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proc = startProcess(process.execPath, [bin, 'serve', '--port', String(port)], {
      env: { DATABASE_URL: db.url, PAYDESK_ADMIN_PASSWORD: 'pg-server-first-42', PAYDESK_LOG_LEVEL: 'warn' },
    });
    await waitForHttp(`${url}/health`, proc, 60_000);
  }, 90_000);
  afterAll(async () => {
    await proc.kill('SIGTERM');
    await db.drop();
  });

  it('migrates, creates the administrator and serves', async () => {
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ status: 'ok' });
    const r = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: 'pg-server-first-42' }),
    });
    expect(r.status).toBe(200);
  });
});
