/**
 * Hostile input on every route of the server, generated (fast-check): wrong types, huge, negative and
 * fractional kopecks, overlong strings, SQL and script fragments, control characters, broken JSON,
 * broken UTF-8, wrong content types, odd headers — sent as the caller the route expects, so the
 * request gets past authentication to the parsing. Never a 5xx; every refusal is a problem+json; a
 * refused request leaves the database exactly as it was.
 */
import fc from 'fast-check';
import { HOSTILE_STRINGS, hostileValue } from '@paydesk/testkit/hostile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteTestDb } from '../testing/test-db.ts';
import { testServer, type TestServer } from '../testing/fixture.ts';
import { login } from '../features/auth/users.ts';
import { dbSnapshot } from '../testing/snapshot.ts';

let s: TestServer;
let deskKey: string;
let adminToken: string;

beforeAll(async () => {
  s = await testServer(await pgliteTestDb());
  deskKey = (await s.enroll()).deskKey;
  adminToken = s.adminToken;
});

afterAll(async () => {
  await s.close();
});

const FIELDS = [
  'opId',
  'amountKop',
  'totalKop',
  'commissionKop',
  'tenderedKop',
  'accountNumber',
  'account',
  'providerCode',
  'method',
  'kind',
  'lines',
  'items',
  'name',
  'code',
  'inn',
  'login',
  'password',
  'role',
  'pointId',
  'deskId',
  'epoch',
  'ops',
  'seq',
  'body',
  'hash',
  'type',
  'value',
  'key',
  'scope',
  'resolution',
  'note',
  'position',
  'consumer',
  'commission',
  'priceKop',
  'status',
  'shift',
  'enrollmentCode',
  'protocolVersion',
  'active',
  'minKop',
  'maxKop',
  'accountMask',
];

const anyValue = hostileValue(FIELDS);

const hostileBody = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), anyValue, { maxKeys: 8 }).map((o) => ({ kind: 'json' as const, payload: JSON.stringify(o) })),
  anyValue.map((v) => ({ kind: 'json' as const, payload: JSON.stringify(v) ?? 'null' })),
  fc.constantFrom('{', '{"a":', '[1,2', '{"amountKop": 1e999}', 'true false', '\u0000').map((p) => ({ kind: 'json' as const, payload: p })),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => ({
    kind: 'bytes' as const,
    payload: Buffer.concat([Buffer.from('{"name":"'), Buffer.from(b), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
  })),
  fc.string({ maxLength: 200 }).map((p) => ({ kind: 'text' as const, payload: p })),
);

const pathValue = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS.filter((x) => x.length < 500 && !x.includes('/'))),
  fc.uuid(),
  fc.string({ maxLength: 30 }).filter((x) => !x.includes('/') && !x.includes('?') && !x.includes('#')),
  fc.integer().map(String),
);
const query = fc.dictionary(
  fc.constantFrom(
    'limit',
    'offset',
    'from',
    'to',
    'cursor',
    'after',
    'q',
    'point',
    'desk',
    'cashier',
    'format',
    'date',
    'supplier',
    'status',
    'kind',
    'encoding',
    'wait',
    'asOf',
    'groupBy',
    'x',
  ),
  fc.oneof(fc.constantFrom(...HOSTILE_STRINGS.filter((x) => x.length < 200)), fc.string({ maxLength: 20 }), fc.integer().map(String)),
  { maxKeys: 4 },
);

function fill(url: string, values: string[]): string {
  let i = 0;
  return url.replace(/:([a-zA-Z]+)/g, () => encodeURIComponent(values[i++ % values.length] ?? 'x'));
}

function auth(rule: unknown): Record<string, string> {
  if (rule === 'public') return {};
  const r = rule as { desk?: boolean; roles?: string[] };
  return { authorization: `Bearer ${r.desk ? deskKey : adminToken}` };
}

describe('hostile input on every route (generated)', () => {
  it('never a 5xx; refusals are problem+json and write nothing', async () => {
    // Only the routes an integrator or a desk can reach with a body or a query; the docs are static.
    const routes = s.routes.filter((r) => !r.url.startsWith('/api/docs') && r.url !== '/metrics' && r.url !== '/health');
    expect(routes.length).toBeGreaterThan(40);
    let requests = 0;
    const statuses: Record<number, number> = {};
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(
          hostileBody,
          fc.array(pathValue, { minLength: 1, maxLength: 3 }),
          query,
          fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'text/csv'),
          async (body, params, q, contentType) => {
            const url = `${fill(route.url, params)}?${new URLSearchParams(q).toString()}`;
            const before = await dbSnapshot(s.open.db);
            const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
            const res = await s.app.inject({
              method: route.method as 'GET',
              url,
              headers: {
                ...auth(route.auth),
                ...(hasBody
                  ? { 'content-type': body.kind === 'json' ? contentType : body.kind === 'bytes' ? 'application/json' : 'text/plain' }
                  : {}),
                'x-forwarded-for': '"><script>',
              },
              ...(hasBody ? { payload: body.payload } : {}),
            });
            requests++;
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            if (res.statusCode >= 500) throw new Error(`${route.method} ${url} → ${res.statusCode}: ${res.body.slice(0, 300)}`);
            if (res.statusCode >= 400) {
              expect(res.headers['content-type'], `${route.method} ${url}`).toContain('application/problem+json');
              const problem = res.json<{ code?: unknown; detail?: unknown }>();
              expect(typeof problem.code).toBe('string');
              expect(typeof problem.detail).toBe('string');
              expect(await dbSnapshot(s.open.db), `${route.method} ${url} → ${res.statusCode} changed the database`).toBe(before);
            }
            // Logging out ends the session the next requests use: sign in again.
            if (route.url === '/api/v1/auth/logout') adminToken = (await login(s.open.db, 'admin', 'admin-pass', 12)).token;
          },
        ),
        { numRuns: 12, seed: 20261128 + requests },
      );
    }
    expect(requests).toBeGreaterThan(500);
    // The requests got past authentication to the parsing: most are refused as bad input, not as strangers.
    expect((statuses[400] ?? 0) + (statuses[415] ?? 0) + (statuses[422] ?? 0)).toBeGreaterThan(requests / 2);
    expect(statuses[401] ?? 0).toBe(0);
  }, 300_000);
});
