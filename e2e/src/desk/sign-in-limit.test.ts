/**
 * Issue 18 item 3: wrong passwords are limited per address too, not only per login — twenty in a minute,
 * spread over several logins so no login locks, and the address waits out the minute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const signIn = (login: string, password: string) =>
  fetch(new URL('/api/session', desk.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });

describe('wrong passwords from one address', () => {
  it('twenty in a minute over five logins: the address gets 429, even with the right password', async () => {
    const logins = ['cashier', 'senior', 'admin', 'nobody', 'ghost'];
    for (let i = 0; i < 20; i++) expect((await signIn(logins[i % logins.length] as string, `wrong-${i}`)).status).toBe(401);
    const next = await signIn('cashier', 'paydesk-demo');
    expect(next.status).toBe(429);
    expect(((await next.json()) as { code: string }).code).toBe('auth.rate_limited');
    // Reading goes on.
    expect((await fetch(new URL('/api/status', desk.url))).status).toBe(200);
  });
});

describe('wrong passwords sent all at once', () => {
  it('a burst of forty is bounded like forty in a row: no more than twenty passwords are checked', async () => {
    const d = await startTestDesk(server);
    try {
      await d.api.waitFor('first pull', (st) => st.reference.loaded && st.online);
      const burst = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          fetch(new URL('/api/session', d.url), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ login: ['cashier', 'senior', 'admin', 'nobody'][i % 4], password: `wrong-${i}` }),
          }).then((r) => r.status),
        ),
      );
      // At most twenty passwords checked; the rest refused before their check (429, or a login's own lock).
      expect(burst.filter((s) => s === 401).length).toBeLessThanOrEqual(20);
      expect(burst.filter((s) => s === 429 || s === 403).length).toBeGreaterThanOrEqual(20);
    } finally {
      await d.stop();
      removeDir(d.dataDir);
    }
  });
});
