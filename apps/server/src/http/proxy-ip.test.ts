/**
 * Issue 18 (the helper's attack): behind a proxy named by its address, the client's address is the one the
 * proxy saw, not what the client wrote into X-Forwarded-For — so the sign-in limit cannot be dodged by
 * claiming a new address each time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pgliteTestDb } from '../testing/test-db.ts';
import { buildApp, type BuiltApp } from '../app.ts';
import { loadConfig } from '../config.ts';

let built: BuiltApp | null = null;
afterEach(async () => {
  await built?.app.close();
  built = null;
});

describe('PAYDESK_TRUST_PROXY with the proxy’s address', () => {
  it('a client claiming a new address each time is still one address to the sign-in limit', async () => {
    const cfg = loadConfig({ PAYDESK_TRUST_PROXY: '127.0.0.1' });
    expect(cfg.trustProxy).toBe('127.0.0.1');
    const open = await pgliteTestDb();
    built = await buildApp({
      db: open.db,
      config: { logLevel: 'silent', sessionHours: 12, enrollmentHours: 24, bodyLimitBytes: 1024 * 1024, trustProxy: cfg.trustProxy },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const r = await built.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': `10.9.${i}.1, 198.51.100.7` },
        payload: { login: `nobody${i}`, password: 'wrong-password-1' },
      });
      statuses.push(r.statusCode);
    }
    expect(statuses.at(-1)).toBe(429);
  });
});
