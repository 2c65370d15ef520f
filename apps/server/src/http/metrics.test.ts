/**
 * Issue 18 item 7: /metrics is not public. With PAYDESK_METRICS_TOKEN it asks for that token; without
 * one it answers only on the loopback address.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pgliteTestDb } from '../testing/test-db.ts';
import { buildApp, type BuiltApp } from '../app.ts';

let built: BuiltApp | null = null;
afterEach(async () => {
  await built?.app.close();
  built = null;
});

async function app(metricsToken?: string): Promise<BuiltApp> {
  const open = await pgliteTestDb();
  built = await buildApp({
    db: open.db,
    config: {
      logLevel: 'silent',
      sessionHours: 12,
      enrollmentHours: 24,
      bodyLimitBytes: 1024 * 1024,
      trustProxy: false,
      ...(metricsToken ? { metricsToken } : {}),
    },
  });
  return built;
}

describe('/metrics', () => {
  it('without a token configured: the loopback address only', async () => {
    const { app: a } = await app();
    expect((await a.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
    const outside = await a.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
    expect(outside.statusCode).toBe(403);
    expect(outside.body).not.toContain('paydesk_');
  });

  it('with a token configured: the token, from anywhere; nothing without it', async () => {
    const token = 'metrics-token-0123456789';
    const { app: a } = await app(token);
    expect((await a.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(401);
    expect(
      (await a.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode,
    ).toBe(401);
    const ok = await a.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: `Bearer ${token}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('paydesk_review_open');
  });
});
