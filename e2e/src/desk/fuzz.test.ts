/**
 * Hostile input on every route of the desk, generated (fast-check), sent by a signed-in
 * administrator with the shift open so requests reach the desk's own checks: never a 5xx, every
 * refusal a problem+json, and a refused request changes neither the journal nor the register.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_STRINGS, hostileValue } from '@paydesk/testkit/hostile';
import { routesOf } from '@paydesk/desk/src/app.ts';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;

beforeAll(async () => {
  server = await startTestServer();
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded);
  await desk.api.login('admin', 'paydesk-demo');
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 100_000 });
}, 60_000);

afterAll(async () => {
  await desk.stop();
  removeDir(desk.dataDir);
  await server.close();
});

const FIELDS = [
  'opId',
  'kind',
  'accountNumber',
  'amountKop',
  'penaltyKop',
  'method',
  'tenderedKop',
  'lines',
  'items',
  'code',
  'quantity',
  'providerCode',
  'account',
  'paymentId',
  'reason',
  'approval',
  'login',
  'password',
  'meterId',
  'value',
  'date',
  'confirmed',
  'openingFloatKop',
  'confirmUnsent',
  'countedKop',
  'denominations',
  'text',
  'serverUrl',
  'shift',
  'width',
  'driver',
  'url',
  'pullIntervalSeconds',
];

const value = hostileValue(FIELDS);

const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 8 }).map((o) => JSON.stringify(o)),
  value.map((v) => JSON.stringify(v) ?? 'null'),
  fc.constantFrom('{', '[', '{"amountKop":', 'null', '\u0000'),
);
const param = fc.oneof(
  fc.uuid(),
  fc.constantFrom('1234567', 'x', '0', '-1', '%00', 'ленина'),
  fc.string({ maxLength: 20 }).filter((x) => !/[/?#]/.test(x)),
);
const query = fc.dictionary(
  fc.constantFrom('q', 'kind', 'state', 'shift', 'from', 'to', 'limit', 'offset', 'format', 'cashier', 'provider', 'x'),
  fc.oneof(fc.constantFrom(...HOSTILE_STRINGS.filter((h) => h.length < 100)), fc.string({ maxLength: 12 }), fc.integer().map(String)),
  { maxKeys: 3 },
);

function snapshot(): string {
  const db = desk.deps.db;
  const n = (t: string): number => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  const docs = desk.deps.register.virtual?.documents({ limit: 200 }).length ?? 0;
  return JSON.stringify({
    operations: n('operations'),
    ops: n('ops'),
    localCharges: n('local_charges'),
    localReadings: n('local_readings'),
    settings: n('meta'),
    docs,
    done: (db.prepare("SELECT count(*) AS n FROM operations WHERE state = 'done'").get() as { n: number }).n,
  });
}

describe('hostile input on every desk route (generated)', () => {
  it('never a 5xx; refusals are problem+json and change neither the journal nor the register', async () => {
    const routes = routesOf(desk.app).filter(
      (r) =>
        r.url.startsWith('/api/') &&
        !r.url.startsWith('/api/test/') &&
        !r.url.startsWith('/api/docs') &&
        r.url !== '/api/events' &&
        r.url !== '/api/enroll',
    );
    expect(routes.length).toBeGreaterThan(25);
    let requests = 0;
    let refusedAsInput = 0;
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(body, param, query, fc.constantFrom('application/json', 'text/plain'), async (payload, p, q, contentType) => {
          const url = `${route.url.replace(/:[a-zA-Z]+/g, encodeURIComponent(p))}?${new URLSearchParams(q).toString()}`;
          const before = snapshot();
          const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
          const res = await fetch(new URL(url, desk.url), {
            method: route.method,
            headers: { authorization: `Bearer ${desk.api.token ?? ''}`, ...(hasBody ? { 'content-type': contentType } : {}) },
            ...(hasBody ? { body: payload } : {}),
          });
          requests++;
          const text = await res.text();
          if (res.status >= 500) throw new Error(`${route.method} ${url} → ${res.status}: ${text.slice(0, 300)}`);
          if (res.status >= 400) {
            expect(res.headers.get('content-type'), `${route.method} ${url}`).toContain('application/problem+json');
            const problem = JSON.parse(text) as { code?: unknown; detail?: unknown };
            expect(typeof problem.code).toBe('string');
            expect(typeof problem.detail).toBe('string');
            if ([400, 415, 422].includes(res.status)) refusedAsInput++;
            expect(snapshot(), `${route.method} ${url} → ${res.status} changed the desk`).toBe(before);
          }
          // Signing out ends the session the next requests use: sign in again.
          if (route.method === 'DELETE' && route.url === '/api/session') await desk.api.login('admin', 'paydesk-demo');
        }),
        { numRuns: 10, seed: 28_11_2026 + requests },
      );
    }
    expect(requests).toBeGreaterThan(250);
    expect(refusedAsInput).toBeGreaterThan(requests / 3);
  }, 300_000);
});

describe('every desk route is guarded', () => {
  // Signing out without a session is a harmless no-op, so it answers 200 like any sign-out.
  const PUBLIC = new Set(['GET /api/status', 'GET /api/events', 'POST /api/session', 'DELETE /api/session', 'POST /api/enroll']);

  it('without a session every route but the public ones answers 401 and does nothing', async () => {
    const routes = routesOf(desk.app).filter(
      (r) =>
        r.url.startsWith('/api/') &&
        !r.url.startsWith('/api/test/') &&
        !r.url.startsWith('/api/docs') &&
        !PUBLIC.has(`${r.method} ${r.url}`),
    );
    const before = snapshot();
    for (const r of routes) {
      const res = await fetch(new URL(r.url.replace(/:[a-zA-Z]+/g, '0190f0d6-0000-7000-8000-00000000dead'), desk.url), {
        method: r.method,
        headers: { 'content-type': 'application/json' },
        ...(r.method === 'GET' ? {} : { body: '{}' }),
      });
      expect(res.status, `${r.method} ${r.url}`).toBe(401);
    }
    expect(snapshot()).toBe(before);
  });

  it('a cashier cannot change the desk’s settings or enroll it elsewhere', async () => {
    const cashier = new (desk.api.constructor as new (url: string) => typeof desk.api)(desk.url);
    await cashier.login('cashier', 'paydesk-demo');
    expect((await cashier.call('PUT', '/api/settings', { pullIntervalSeconds: 5 })).status).toBe(403);
    expect((await cashier.call('POST', '/api/enroll', { serverUrl: 'http://127.0.0.1:1', code: 'ABCD-EFGH' })).status).toBe(403);
  });
});
