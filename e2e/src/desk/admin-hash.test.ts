/**
 * Issue 18 item 4: an administrator without a point — the one who can sign in at every desk — has no
 * password hash on any desk (a stolen journal would otherwise give it up to an offline attack). At a desk
 * the server checks their password, so they sign in while the desk is online; cashiers sign in offline as
 * before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '@paydesk/desk/src/db/journal-db.ts';
import { join } from 'node:path';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;

beforeAll(async () => {
  server = await startTestServer();
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
});

afterAll(async () => {
  await desk.stop();
  removeDir(desk.dataDir);
  await server.close();
});

const signIn = (login: string) =>
  fetch(new URL('/api/session', desk.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: 'paydesk-demo' }),
  });

describe('an administrator without a point', () => {
  it('has no hash on the desk, signs in online, and not offline; a cashier signs in offline', async () => {
    const db = openJournal(join(desk.dataDir, 'journal.sqlite'));
    try {
      const rows = db.prepare("SELECT login, password_hash FROM users WHERE login IN ('admin', 'cashier') ORDER BY login").all() as {
        login: string;
        password_hash: string;
      }[];
      expect(rows.map((r) => [r.login, r.password_hash.startsWith('$argon2id$')])).toEqual([
        ['admin', false],
        ['cashier', true],
      ]);
    } finally {
      db.close();
    }
    expect((await signIn('admin')).status).toBe(200);
    await server.stop();
    await desk.api.waitFor('offline', (s) => !s.online);
    const offline = await signIn('admin');
    expect(offline.status).toBe(503);
    expect(((await offline.json()) as { detail: string }).detail).toMatch(/связи с сервером/);
    expect((await signIn('cashier')).status).toBe(200);
    await server.start();
  });
});
