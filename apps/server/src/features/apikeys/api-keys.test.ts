/**
 * Issue 24 item 8: an integrator that can integrate. The integrator role reads the catalogs and ids a
 * billing needs (never keys, enrollment codes or a provider's credentials); a machine client gets an
 * API key — scoped, revocable, optionally expiring, stored hashed, shown once, with its last use —
 * that works as the integrator restricted to its scopes and never on desk or admin-only routes;
 * `POST /api/v1/auth/login` answers as documented.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, login } from '../auth/users.ts';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { billingBody, testServer, type TestServer } from '../../testing/fixture.ts';

let s: TestServer;
let clock = Date.parse('2026-11-20T09:00:00Z');
let integrator: string;
let deskKey: string;

beforeAll(async () => {
  s = await testServer(await pgliteTestDb(), { now: () => new Date(clock) });
  await addUser(
    s.open.db,
    { login: 'billing', name: 'Биллинг Эксперт', role: 'integrator', password: 'pass-1234' },
    { type: 'system', id: null },
  );
  integrator = (await login(s.open.db, 'billing', 'pass-1234', 1)).token;
  const desk = await s.enroll('Касса 1');
  deskKey = desk.deskKey;
  await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody())]);
});

afterAll(async () => {
  await s.close();
});

const get = (token: string, url: string) => s.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

interface CreatedKey {
  id: string;
  name: string;
  scopes: string[];
  prefix: string;
  key: string;
  expiresAt: string | null;
  createdAt: string;
}

async function createKey(body: Record<string, unknown>): Promise<CreatedKey> {
  const r = await s.as(s.adminToken)('POST', '/api/v1/api-keys', body);
  expect(r.statusCode, r.body).toBe(201);
  return r.json<CreatedKey>();
}

describe('the integrator role reads the catalogs and ids a billing needs', () => {
  it('services, suppliers, points, desks, accounts, meters, providers, the price list and payments answer 200', async () => {
    for (const url of [
      '/api/v1/services',
      '/api/v1/services/MAINT',
      '/api/v1/suppliers',
      '/api/v1/points',
      '/api/v1/desks',
      '/api/v1/accounts',
      '/api/v1/accounts/1234567',
      '/api/v1/meters',
      '/api/v1/providers',
      '/api/v1/providers/MTS',
      '/api/v1/price-items',
      '/api/v1/payments',
    ]) {
      const r = await get(integrator, url);
      expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
    }
  });

  it('desks give the feed’s desk and point ids with names, and nothing of keys, codes or the desk’s state', async () => {
    const r = await get(integrator, '/api/v1/desks');
    const desk = r.json<{ items: Record<string, unknown>[] }>().items.find((d) => d['name'] === 'Касса 1');
    expect(desk).toMatchObject({ name: 'Касса 1', pointCode: 'P1', pointName: 'Пункт на Ленина' });
    expect(Object.keys(desk ?? {}).sort()).toEqual(['enrolled', 'id', 'name', 'pointCode', 'pointId', 'pointName', 'revoked']);
    expect(r.body).not.toMatch(/pdk_|enrollment|key_hash/i);
  });

  it('providers come without their credentials', async () => {
    const r = await get(integrator, '/api/v1/providers/MTS');
    expect(r.json()).toMatchObject({ code: 'MTS', name: 'МТС', accountMask: '^9\\d{9}$' });
    for (const field of ['osmpUrl', 'osmpUser', 'osmpPassword']) expect(r.json(), field).not.toHaveProperty(field);
    expect((await get(integrator, '/api/v1/providers')).body).not.toMatch(
      /osmpUrl|osmpUser|osmpPassword|secret-provider-password|127\.0\.0\.1/,
    );
    // The back office still sees where a provider is reached.
    expect((await get(s.adminToken, '/api/v1/providers/MTS')).json()).toMatchObject({
      osmpUrl: 'http://127.0.0.1:1/osmp',
      osmpPassword: '***',
    });
  });

  it('writes stay the administrator’s', async () => {
    const r = await s.as(integrator)('POST', '/api/v1/services', {
      code: 'NEW',
      name: 'Новая',
      supplierId: '0190f0d6-0000-7000-8000-00000000aa01',
    });
    expect(r.statusCode).toBe(403);
  });
});

describe('POST /api/v1/auth/login answers as documented', () => {
  it('gives the token, when it expires and who signed in', async () => {
    const r = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'billing', password: 'pass-1234' } });
    expect(r.statusCode).toBe(200);
    const body = r.json<{ token: string; expiresAt: string; user: Record<string, unknown> }>();
    expect(body.token).toMatch(/^pdu_/);
    expect(Date.parse(body.expiresAt) - clock).toBe(12 * 3_600_000);
    expect(body.user).toMatchObject({ login: 'billing', role: 'integrator', name: 'Биллинг Эксперт' });
  });
});

describe('API keys', () => {
  it('are created by an administrator, shown once, stored hashed, and listed without the key', async () => {
    const created = await createKey({ name: 'Биллинг: лента', scopes: ['feed', 'read'] });
    expect(created.key).toMatch(/^pda_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(created.scopes).toEqual(['feed', 'read']);
    expect(created.expiresAt).toBeNull();
    const list = await get(s.adminToken, '/api/v1/api-keys');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(created.key);
    expect(list.json<{ items: Record<string, unknown>[] }>().items.find((k) => k['id'] === created.id)).toMatchObject({
      name: 'Биллинг: лента',
      prefix: created.prefix,
      scopes: ['feed', 'read'],
      state: 'active',
      lastUsedAt: null,
      revokedAt: null,
    });
    // Nothing in the database holds the key itself.
    const row = await s.open.db
      .selectFrom('api_keys' as never)
      .selectAll()
      .where('id' as never, '=', created.id as never)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(created.key);
    const audit = await get(s.adminToken, '/api/v1/audit?action=apikey.');
    expect(audit.body).toContain('apikey.create');
    expect(audit.body).not.toContain(created.key);
  });

  it('work as the integrator within their scopes, and record their last use', async () => {
    const k = await createKey({ name: 'Лента', scopes: ['feed'] });
    const feed = await get(k.key, '/api/v1/billing/feed?after=0');
    expect(feed.statusCode, feed.body).toBe(200);
    expect(feed.json<{ items: unknown[] }>().items.length).toBe(1);
    const ack = await s.app.inject({
      method: 'POST',
      url: '/api/v1/billing/feed/ack',
      headers: { authorization: `Bearer ${k.key}` },
      payload: { consumer: 'billing', position: feed.json<{ next: number }>().next },
    });
    expect(ack.statusCode, ack.body).toBe(200);
    // Another scope's route is refused, and says which scope it needs.
    const services = await get(k.key, '/api/v1/services');
    expect(services.statusCode).toBe(403);
    expect(services.json()).toMatchObject({ code: 'auth.forbidden' });
    expect(services.json<{ detail: string }>().detail).toContain('read');
    const listed = (await get(s.adminToken, '/api/v1/api-keys'))
      .json<{ items: { id: string; lastUsedAt: string | null }[] }>()
      .items.find((x) => x.id === k.id);
    expect(listed?.lastUsedAt).toBe(new Date(clock).toISOString());
  });

  it('each scope opens its own routes', async () => {
    const cases: [string, string][] = [
      ['read', '/api/v1/services'],
      ['read', '/api/v1/desks'],
      ['read', '/api/v1/payments'],
      ['feed', '/api/v1/billing/feed'],
      ['imports', '/api/v1/imports'],
      ['registries', '/api/v1/registries?date=2026-11-20&supplier=7707083893&format=json'],
      ['reconcile', '/api/v1/forwardings'],
    ];
    const keys: Record<string, string> = {};
    for (const scope of ['read', 'feed', 'imports', 'registries', 'reconcile'])
      keys[scope] = (await createKey({ name: `Только ${scope}`, scopes: [scope] })).key;
    for (const [scope, url] of cases) {
      for (const [other, key] of Object.entries(keys)) {
        const r = await get(key, url);
        expect(r.statusCode, `${other} → ${url}: ${r.body}`).toBe(other === scope ? 200 : 403);
      }
    }
  });

  it('never work on desk or administrator routes, whatever their scopes', async () => {
    const k = await createKey({ name: 'Всё', scopes: ['read', 'feed', 'imports', 'registries', 'reconcile'] });
    let checked = 0;
    for (const route of s.routes) {
      if (route.auth === 'public') continue;
      const roles = (route.auth.roles ?? []) as readonly string[];
      if (roles.includes('integrator')) continue;
      const r = await s.app.inject({
        method: route.method as 'GET',
        url: route.url.replace(/:([a-zA-Z]+)/g, (_m, n: string) =>
          n === 'key' || n === 'code' || n === 'kind' ? 'MTS' : '0190f0d6-0000-7000-8000-00000000dead',
        ),
        headers: { authorization: `Bearer ${k.key}` },
        ...(route.method === 'GET' ? {} : { payload: {} }),
      });
      expect(r.statusCode, `${route.method} ${route.url}`).toBe(403);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
    // Keys are not people: they cannot manage keys, sign out or ask who they are.
    expect((await get(k.key, '/api/v1/api-keys')).statusCode).toBe(403);
    expect((await get(k.key, '/api/v1/sync/pull')).statusCode).toBe(403);
    expect((await get(deskKey, '/api/v1/api-keys')).statusCode).toBe(403);
    expect((await get(integrator, '/api/v1/api-keys')).statusCode).toBe(403);
  });

  it('a revoked key answers 401 at once, with a Russian message, and the revocation is audited', async () => {
    const k = await createKey({ name: 'Отзываемый', scopes: ['read'] });
    expect((await get(k.key, '/api/v1/services')).statusCode).toBe(200);
    const revoke = await s.as(s.adminToken)('POST', `/api/v1/api-keys/${k.id}/revoke`);
    expect(revoke.statusCode, revoke.body).toBe(200);
    const r = await get(k.key, '/api/v1/services');
    expect(r.statusCode).toBe(401);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json()).toMatchObject({ code: 'auth.key_revoked' });
    expect(r.json<{ detail: string }>().detail).toMatch(/API-ключ «Отзываемый» отозван/);
    const listed = (await get(s.adminToken, '/api/v1/api-keys'))
      .json<{ items: { id: string; state: string; revokedAt: string | null }[] }>()
      .items.find((x) => x.id === k.id);
    expect(listed).toMatchObject({ state: 'revoked', revokedAt: new Date(clock).toISOString() });
    expect((await get(s.adminToken, '/api/v1/audit?action=apikey.revoke')).body).toContain(k.id);
  });

  it('an expiring key works until its time and then answers 401 saying it expired', async () => {
    const expiresAt = new Date(clock + 3_600_000).toISOString();
    const k = await createKey({ name: 'На час', scopes: ['read'], expiresAt });
    expect(k.expiresAt).toBe(expiresAt);
    expect((await get(k.key, '/api/v1/points')).statusCode).toBe(200);
    clock += 3_600_000;
    const r = await get(k.key, '/api/v1/points');
    expect(r.statusCode).toBe(401);
    expect(r.json()).toMatchObject({ code: 'auth.key_expired' });
    expect(r.json<{ detail: string }>().detail).toMatch(/истёк/);
    expect(
      (await get(s.adminToken, '/api/v1/api-keys')).json<{ items: { id: string; state: string }[] }>().items.find((x) => x.id === k.id)
        ?.state,
    ).toBe('expired');
  });

  it('refuses a key that would be born expired, an unknown scope, no scope, and an unknown key', async () => {
    for (const body of [
      { name: 'x', scopes: ['read'], expiresAt: new Date(clock - 1000).toISOString() },
      { name: 'x', scopes: ['admin'] },
      { name: 'x', scopes: [] },
      { name: '', scopes: ['read'] },
    ]) {
      const r = await s.as(s.adminToken)('POST', '/api/v1/api-keys', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json()).toMatchObject({ code: 'validation.failed' });
    }
    const unknown = await get('pda_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '/api/v1/services');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toMatchObject({ code: 'auth.required' });
    expect((await s.as(s.adminToken)('POST', '/api/v1/api-keys/0190f0d6-0000-7000-8000-00000000dead/revoke')).statusCode).toBe(404);
  });

  it('an import made with a key is recorded as the key’s', async () => {
    const k = await createKey({ name: 'Импорт', scopes: ['imports'] });
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/v1/imports/accounts?wait=true',
      headers: { authorization: `Bearer ${k.key}`, 'content-type': 'text/csv' },
      payload: 'number;owner\n5550001;Сидоров С.С.\n',
    });
    expect(r.statusCode, r.body).toBe(200);
    const audit = (await get(s.adminToken, '/api/v1/audit?action=import.accounts')).json<{
      items: { actorId: string; actorName: string | null }[];
    }>().items[0];
    expect(audit).toMatchObject({ actorId: k.id, actorName: 'API-ключ «Импорт»' });
  });
});

describe('docs/integration.md', () => {
  it('lists every route a key can open under the scope it needs, and no other', () => {
    const doc = readFileSync(new URL('../../../../../docs/integration.md', import.meta.url), 'utf8');
    const documented = new Set<string>();
    for (const line of doc.split('\n')) {
      const row = /^\| `(\w+)` \|[^|]*\| (.*) \|$/.exec(line);
      if (!row) continue;
      for (const m of (row[2] ?? '').matchAll(/`(GET|POST|PUT|PATCH|DELETE) ([^`]+)`/g))
        documented.add(`${row[1] ?? ''} ${m[1] ?? ''} ${(m[2] ?? '').replace(/\{(\w+)\}/g, ':$1')}`);
    }
    const actual = new Set(s.routes.flatMap((r) => (r.auth !== 'public' && r.auth.scope ? [`${r.auth.scope} ${r.method} ${r.url}`] : [])));
    expect([...documented].sort()).toEqual([...actual].sort());
  });
});
