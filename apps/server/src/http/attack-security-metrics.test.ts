/**
 * Attack on issue 18 item 7 (/metrics: a token, or loopback only) with PAYDESK_TRUST_PROXY on: the
 * usual deployment is a reverse proxy on the same host (docs/operations.md), so every outside request
 * reaches the server from 127.0.0.1 — the loopback rule looks at the socket, not at the client the
 * trusted proxy names in X-Forwarded-For.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pgliteTestDb } from '../testing/test-db.ts';
import { buildApp, type BuiltApp } from '../app.ts';

let built: BuiltApp | null = null;
afterEach(async () => {
  await built?.app.close();
  built = null;
});

describe('attack: /metrics through a reverse proxy on the same host', () => {
  it('with PAYDESK_TRUST_PROXY on and no token, a client outside (X-Forwarded-For) is refused', async () => {
    const open = await pgliteTestDb();
    built = await buildApp({
      db: open.db,
      config: { logLevel: 'silent', sessionHours: 12, enrollmentHours: 24, bodyLimitBytes: 1024 * 1024, trustProxy: true },
    });
    const viaProxy = await built.app.inject({
      method: 'GET',
      url: '/metrics',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    // Expected 403 (the client is 203.0.113.7: req.ip). Observed 200 with every gauge.
    expect(viaProxy.statusCode).toBe(403);
  });
});
