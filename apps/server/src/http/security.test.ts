/**
 * Every route the server registers, found by enumeration so a new one cannot slip through:
 * anonymous calls get 401, callers of the wrong kind or role get 403, and malformed input gets a 4xx
 * problem+json and changes nothing in the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, login } from '../features/auth/users.ts';
import { pgliteTestDb } from '../testing/test-db.ts';
import { IDS, testServer, type TestServer } from '../testing/fixture.ts';
import { exampleBody } from '@paydesk/protocol';
import { dbSnapshot } from '../testing/snapshot.ts';
import type { AuthRule } from './auth.ts';

let s: TestServer;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  s = await testServer(await pgliteTestDb());
  for (const role of ['cashier', 'senior_cashier', 'integrator'] as const) {
    await addUser(s.open.db, { login: role, name: role, role, password: 'pass-1234' }, { type: 'system', id: null });
    tokens[role] = (await login(s.open.db, role, 'pass-1234', 1)).token;
  }
  tokens['admin'] = s.adminToken;
  tokens['desk'] = (await s.enroll()).deskKey;
});

afterAll(async () => {
  await s.close();
});

function fill(url: string): string {
  return url.replace(/:([a-zA-Z]+)/g, (_m, name: string) =>
    name === 'kind' ? 'accounts' : name === 'key' ? 'NOPE' : '0190f0d6-0000-7000-8000-00000000dead',
  );
}

function allowed(rule: AuthRule, who: string): boolean {
  if (rule === 'public') return true;
  if (who === 'desk') return rule.desk === true;
  return (rule.roles as readonly string[] | undefined)?.includes(who) ?? false;
}

const snapshot = (): Promise<string> => dbSnapshot(s.open.db);

describe('every route is guarded', () => {
  it('has routes to check', () => {
    expect(s.routes.length).toBeGreaterThan(40);
  });

  it('anonymous calls to non-public routes get 401 problem+json', async () => {
    const guarded = s.routes.filter((r) => r.auth !== 'public');
    for (const route of guarded) {
      const res = await s.app.inject({
        method: route.method as 'GET',
        url: fill(route.url),
        ...(route.method === 'GET' ? {} : { payload: {} }),
      });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(res.headers['content-type'], `${route.method} ${route.url}`).toContain('application/problem+json');
      expect(res.json().code).toBe('auth.required');
    }
  });

  it('a caller of the wrong kind or role gets 403', async () => {
    let checked = 0;
    for (const route of s.routes.filter((r) => r.auth !== 'public')) {
      for (const who of ['desk', 'cashier', 'senior_cashier', 'integrator', 'admin']) {
        if (allowed(route.auth, who)) continue;
        const res = await s.app.inject({
          method: route.method as 'GET',
          url: fill(route.url),
          headers: { authorization: `Bearer ${tokens[who]}` },
          ...(route.method === 'GET' ? {} : { payload: {} }),
        });
        expect(res.statusCode, `${who} → ${route.method} ${route.url}`).toBe(403);
        expect(res.json().code).toBe('auth.forbidden');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('a revoked desk key is refused at once', async () => {
    const desk = await s.enroll();
    const before = await s.app.inject({ method: 'GET', url: '/api/v1/sync/pull', headers: { authorization: `Bearer ${desk.deskKey}` } });
    expect(before.statusCode).toBe(200);
    await s.as(s.adminToken)('POST', `/api/v1/desks/${desk.deskId}/revoke`);
    const after = await s.app.inject({ method: 'GET', url: '/api/v1/sync/pull', headers: { authorization: `Bearer ${desk.deskKey}` } });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('auth.key_revoked');
  });

  it('answers never carry secrets', async () => {
    const desks = await s.as(s.adminToken)('GET', '/api/v1/desks');
    expect(desks.body).not.toMatch(/key_hash|pdk_/);
    const users = await s.as(s.adminToken)('GET', '/api/v1/users');
    expect(users.body).not.toMatch(/argon2|password/i);
    const providers = await s.as(s.adminToken)('GET', '/api/v1/providers');
    expect(providers.body).not.toContain('secret-provider-password');
    expect(providers.json().items[0].osmpPassword).toBe('***');
  });
});

describe('a desk sees only its own point and its own payments', () => {
  it('pull leaves out another point’s people and settings and another desk’s forwardings', async () => {
    const admin = s.as(s.adminToken);
    const other = (await admin('POST', '/api/v1/points', { code: 'P9', name: 'Чужой пункт' })).json<{ id: string }>();
    await admin('POST', '/api/v1/users', {
      login: 'stranger',
      name: 'Кассир чужого пункта',
      role: 'cashier',
      password: 'pass-1234',
      pointId: other.id,
    });
    await admin('PUT', '/api/v1/settings', { scope: 'point', scopeId: other.id, key: 'receiptFooter', value: 'ЧУЖОЙ ПОДВАЛ' });
    const a = await s.enroll('Касса А');
    const b = await s.enroll('Касса Б');
    await admin('PUT', '/api/v1/settings', { scope: 'desk', scopeId: b.deskId, key: 'receiptFooter', value: 'ПОДВАЛ КАССЫ Б' });
    const payB = s.op(b, 'thirdparty.accepted', { ...exampleBody('thirdparty.accepted'), cashierId: IDS.cashier });
    await s.pushOk(b, [payB]);
    const pull = await s.app.inject({
      method: 'GET',
      url: '/api/v1/sync/pull?cursor=0&limit=5000',
      headers: { authorization: `Bearer ${a.deskKey}` },
    });
    expect(pull.statusCode).toBe(200);
    expect(pull.body).not.toContain('stranger');
    expect(pull.body).not.toContain('ЧУЖОЙ ПОДВАЛ');
    expect(pull.body).not.toContain('ПОДВАЛ КАССЫ Б');
    expect(pull.body).not.toContain(payB.opId);
    const own = await s.app.inject({
      method: 'GET',
      url: '/api/v1/sync/pull?cursor=0&limit=5000',
      headers: { authorization: `Bearer ${b.deskKey}` },
    });
    expect(own.body).toContain(payB.opId);
    expect(own.body).toContain('ПОДВАЛ КАССЫ Б');
    // Pushing as another desk is refused.
    const forged = await s.app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers: { authorization: `Bearer ${a.deskKey}` },
      payload: {
        protocolVersion: 1,
        deskId: b.deskId,
        epoch: b.epoch,
        ops: [s.op(b, 'service.sold', { ...exampleBody('service.sold'), cashierId: IDS.cashier })],
      },
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().code).toBe('sync.wrong_desk');
  });
});

describe('bad input on every route changes nothing', () => {
  const hostile: unknown[] = [
    'just a string',
    [1, 2, 3],
    { ops: 'no' },
    { amountKop: -1 },
    { name: 'x'.repeat(100_000) },
    { login: "' OR 1=1 --", password: '<script>alert(1)</script>' },
    { protocolVersion: 1, deskId: 'not-a-uuid', epoch: 1, ops: [] },
    { code: 'X', name: 123 },
    { value: { nested: { deep: [null] } }, key: 'unknown', scope: 'galaxy' },
  ];

  it('each writing route answers 4xx problem+json to malformed bodies and writes nothing', async () => {
    const before = await snapshot();
    let calls = 0;
    for (const route of s.routes.filter((r) => ['POST', 'PATCH', 'PUT'].includes(r.method))) {
      const who = route.auth === 'public' ? null : route.auth.desk ? 'desk' : (route.auth.roles?.[0] ?? 'admin');
      if (route.url.includes('/auth/logout')) continue;
      for (const body of hostile) {
        const res = await s.app.inject({
          method: route.method as 'POST',
          url: fill(route.url),
          headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
        expect(res.statusCode, `${route.method} ${route.url} ${JSON.stringify(body).slice(0, 60)}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${route.method} ${route.url}`).toBeLessThan(500);
        expect(res.headers['content-type']).toContain('application/problem+json');
        calls++;
      }
    }
    expect(calls).toBeGreaterThan(100);
    expect(await snapshot()).toBe(before);
  });

  it('broken JSON, a wrong content type and an oversized body are 4xx problem+json', async () => {
    const before = await snapshot();
    const auth = { authorization: `Bearer ${s.adminToken}` };
    const broken = await s.app.inject({
      method: 'POST',
      url: '/api/v1/points',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"code": "P9", ',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('request.malformed');
    const xml = await s.app.inject({
      method: 'POST',
      url: '/api/v1/points',
      headers: { ...auth, 'content-type': 'application/xml' },
      payload: '<point/>',
    });
    expect(xml.statusCode).toBe(415);
    const huge = await s.app.inject({
      method: 'POST',
      url: '/api/v1/points',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ code: 'P9', name: 'x'.repeat(9 * 1024 * 1024) }),
    });
    expect(huge.statusCode).toBe(413);
    const badUtf8 = await s.app.inject({
      method: 'POST',
      url: '/api/v1/points',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: Buffer.from([0x7b, 0x22, 0x63, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    });
    expect(badUtf8.statusCode).toBeGreaterThanOrEqual(400);
    expect(badUtf8.statusCode).toBeLessThan(500);
    expect(await snapshot()).toBe(before);
  });

  it('bad query strings and path parameters are 4xx problem+json', async () => {
    const get = (url: string) => s.as(s.adminToken)('GET', url);
    for (const url of [
      '/api/v1/payments?limit=-1',
      '/api/v1/payments?from=yesterday',
      '/api/v1/payments/not-a-uuid',
      '/api/v1/accounts?limit=100000',
      '/api/v1/review?status=maybe',
      '/api/v1/desks/123/history',
      '/api/v1/billing/feed?after=-5',
    ]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    expect((await get('/api/v1/nothing-here')).statusCode).toBe(404);
  });
});
