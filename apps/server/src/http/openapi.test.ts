/**
 * Issue 24 item 9: the OpenAPI describes the integration API's answers. Every integration operation
 * (login and the session's routes, imports, the billing feed and its ack, registries, providers'
 * reconciliation, forwardings, catalog, desk and payment reads, API keys) declares a 2xx response
 * schema with an example and its problem+json errors with their codes; the import endpoint declares
 * its text/csv body. A real answer of each is serialized through its schema (a mismatch would be a
 * 500), carries no field the schema leaves out, and validates against the schema the document
 * publishes; real error answers validate against the errors the document lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { z } from 'zod';
import { exampleBody } from '@paydesk/protocol';
import { buildApp, type BuiltApp } from '../app.ts';
import { addUser, login } from '../features/auth/users.ts';
import { pgliteTestDb } from '../testing/test-db.ts';
import { IDS, billingBody, seedCatalog } from '../testing/fixture.ts';
import { createDesk, enrollDesk } from '../features/desks/desks.ts';
import { noteDeskSync } from '../features/sync/pull.ts';
import { opHash } from '@paydesk/protocol/node';
import { v7 as uuidv7 } from 'uuid';
import type { OpenDatabase } from '../db/database.ts';

type JsonSchema = Record<string, unknown>;
interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<
    string,
    { description?: string; content?: Record<string, { schema?: JsonSchema; example?: unknown; examples?: unknown }> }
  >;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

let open: OpenDatabase;
let built: BuiltApp;
let app: FastifyInstance;
let doc: OpenApi;
let admin: string;
let integrator: string;
/** What each answer carried that its route's schema does not declare, by "METHOD url" (route pattern). */
const undeclared = new Map<string, string[]>();

/** Paths present in `sent` that the schema's encoding of it does not keep: fields the schema does not declare. */
function missingPaths(sent: unknown, kept: unknown, path = ''): string[] {
  if (Array.isArray(sent)) return sent.flatMap((v, i) => missingPaths(v, Array.isArray(kept) ? kept[i] : undefined, `${path}[${i}]`));
  if (sent === null || typeof sent !== 'object') return [];
  const k = (kept ?? {}) as Record<string, unknown>;
  return Object.entries(sent as Record<string, unknown>).flatMap(([key, v]) =>
    v === undefined ? [] : key in k ? missingPaths(v, k[key], `${path}.${key}`) : [`${path}.${key}`],
  );
}

beforeAll(async () => {
  open = await pgliteTestDb();
  await seedCatalog(open);
  built = await buildApp({
    db: open.db,
    config: { logLevel: 'silent', sessionHours: 12, enrollmentHours: 24, bodyLimitBytes: 8 * 1024 * 1024, trustProxy: false },
    extend: (a) => {
      a.addHook('preSerialization', async (request, reply, payload) => {
        const response = (request.routeOptions.schema as { response?: Record<string, unknown> } | undefined)?.response;
        const declared = response?.[String(reply.statusCode)] as
          { content?: Record<string, { schema: z.ZodType }> } | z.ZodType | undefined;
        const schema = declared instanceof z.ZodType ? declared : declared?.content?.['application/json']?.schema;
        if (schema && reply.statusCode < 400) {
          const sent: unknown = JSON.parse(JSON.stringify(payload));
          const encoded = z.safeEncode(schema, sent);
          const key = `${request.method} ${request.routeOptions.url ?? ''}`;
          undeclared.set(key, [
            ...(undeclared.get(key) ?? []),
            ...(encoded.success ? missingPaths(sent, JSON.parse(JSON.stringify(encoded.data))) : ['(does not match)']),
          ]);
        }
        return payload;
      });
    },
  });
  app = built.app;
  await addUser(open.db, { login: 'admin', name: 'Администратор', role: 'admin', password: 'admin-pass' }, { type: 'system', id: null });
  await addUser(open.db, { login: 'billing', name: 'Биллинг', role: 'integrator', password: 'pass-1234' }, { type: 'system', id: null });
  admin = (await login(open.db, 'admin', 'admin-pass', 12)).token;
  integrator = (await login(open.db, 'billing', 'pass-1234', 12)).token;

  // One payment, its reversal, a reading and a third-party payment: every kind of feed item and a forwarding.
  const created = await createDesk(open.db, { name: 'Касса 1', pointId: IDS.point }, { type: 'system', id: null }, 24);
  const desk = await enrollDesk(open.db, created.enrollmentCode, undefined);
  await noteDeskSync(open.db, desk.deskId, desk.epoch, 0);
  let seq = 0;
  const op = (type: string, body: unknown) => ({ seq: ++seq, opId: uuidv7(), type, body, hash: opHash(body) });
  const pay = op('payment.accepted', billingBody());
  const ops = [
    pay,
    op('payment.reversed', {
      ...exampleBody('payment.reversed'),
      cashierId: IDS.cashier,
      originalOpId: pay.opId,
      amountKop: billingBody().totalKop,
    }),
    // A line whose charge names its own supplier (issue 24 item 11) carries it in the feed.
    op(
      'payment.accepted',
      billingBody({ number: 'К1-000002', lines: billingBody().lines.map((l, i) => (i === 0 ? { ...l, supplierId: IDS.uk } : l)) }),
    ),
    op('reading.submitted', { ...exampleBody('reading.submitted'), cashierId: IDS.cashier }),
    op('thirdparty.accepted', { ...exampleBody('thirdparty.accepted'), cashierId: IDS.cashier }),
  ];
  const pushed = await app.inject({
    method: 'POST',
    url: '/api/v1/sync/push',
    headers: { authorization: `Bearer ${desk.deskKey}` },
    payload: { protocolVersion: 1, deskId: desk.deskId, epoch: desk.epoch, ops },
  });
  if (pushed.statusCode !== 200) throw new Error(pushed.body);
  doc = (await app.inject({ method: 'GET', url: '/api/docs/json' })).json<OpenApi>();
});

afterAll(async () => {
  await app.close();
  await open.close();
});

/** Fastify's /a/:b as OpenAPI's /a/{b}. */
const openapiPath = (url: string): string => url.replace(/:([A-Za-z]+)/g, '{$1}');

/** The integration operations: what an integrator may call, signing in, and the API keys. */
function integrationRoutes(): { method: string; url: string; guarded: boolean }[] {
  return built.routes
    .filter(
      (r) =>
        r.url.startsWith('/api/v1/') &&
        (r.url === '/api/v1/auth/login' ||
          r.url.startsWith('/api/v1/api-keys') ||
          (r.auth !== 'public' && (r.auth.roles ?? []).includes('integrator'))),
    )
    .map((r) => ({ method: r.method, url: r.url, guarded: r.auth !== 'public' }));
}

function operation(method: string, url: string): Operation {
  const op = doc.paths[openapiPath(url)]?.[method.toLowerCase()];
  if (!op) throw new Error(`${method} ${url} is not in the OpenAPI document`);
  return op;
}

function resolve(schema: JsonSchema): JsonSchema {
  const ref = schema['$ref'];
  if (typeof ref !== 'string') return schema;
  const found = doc.components?.schemas?.[ref.replace('#/components/schemas/', '')];
  if (!found) throw new Error(`unresolved ${ref}`);
  return found;
}

/** A small validator for what zod emits as OpenAPI 3 schemas: enough to tell an answer from its description. */
function validate(raw: JsonSchema, value: unknown, path = '$'): string[] {
  const schema = resolve(raw);
  if (value === null)
    return schema['nullable'] === true ||
      schema['type'] === 'null' ||
      (Array.isArray(schema['anyOf']) && (schema['anyOf'] as JsonSchema[]).some((s) => validate(s, null).length === 0)) ||
      Object.keys(schema).length === 0 ||
      (schema['type'] === undefined &&
        schema['anyOf'] === undefined &&
        schema['oneOf'] === undefined &&
        schema['allOf'] === undefined &&
        schema['enum'] === undefined &&
        schema['const'] === undefined)
      ? []
      : [`${path}: null`];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key] as JsonSchema[] | undefined;
    if (options) {
      const errors = options.map((s) => validate(s, value, path));
      if (!errors.some((e) => e.length === 0)) return [`${path}: matches none of ${key}: ${errors.map((e) => e[0]).join(' | ')}`];
    }
  }
  for (const s of (schema['allOf'] as JsonSchema[] | undefined) ?? []) {
    const e = validate(s, value, path);
    if (e.length) return e;
  }
  if (schema['enum'] && !(schema['enum'] as unknown[]).includes(value))
    return [`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema['enum'])}`];
  if ('const' in schema && schema['const'] !== value)
    return [`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(schema['const'])}`];
  const type = schema['type'];
  const typeOf = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (typeof type === 'string' && type !== typeOf && !(type === 'number' && typeOf === 'integer'))
    return [`${path}: ${typeOf}, expected ${type}`];
  if (typeOf === 'array' && schema['items'])
    return (value as unknown[]).flatMap((v, i) => validate(schema['items'] as JsonSchema, v, `${path}[${i}]`));
  if (typeOf === 'object') {
    const props = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
    const object = value as Record<string, unknown>;
    const errors = ((schema['required'] ?? []) as string[]).filter((k) => !(k in object)).map((k) => `${path}.${k}: required`);
    for (const [k, v] of Object.entries(object)) {
      if (props[k]) errors.push(...validate(props[k], v, `${path}.${k}`));
      else if (schema['additionalProperties'] === false) errors.push(`${path}.${k}: not declared`);
    }
    return errors;
  }
  return [];
}

function successSchema(method: string, url: string, status: number, mediaType = 'application/json'): JsonSchema {
  const schema = operation(method, url).responses[String(status)]?.content?.[mediaType]?.schema;
  if (!schema) throw new Error(`${method} ${url}: no ${status} ${mediaType} schema in the document`);
  return schema;
}

function problemSchema(method: string, url: string, status: number): JsonSchema {
  const schema = operation(method, url).responses[String(status)]?.content?.['application/problem+json']?.schema;
  if (!schema) throw new Error(`${method} ${url}: no ${status} application/problem+json in the document`);
  return schema;
}

/** The codes a documented error response lists. */
function codesOf(method: string, url: string, status: number): string[] {
  const schema = resolve(problemSchema(method, url, status));
  return (resolve((schema['properties'] as Record<string, JsonSchema>)['code'] ?? {})['enum'] ?? []) as string[];
}

/** The routes' specific errors, beyond 401/403 on every guarded one and 400 on every one that takes input. */
const SPECIFIC: Record<string, [number, string][]> = {
  'POST /api/v1/auth/login': [
    [401, 'auth.invalid_credentials'],
    [403, 'auth.user_locked'],
    [429, 'auth.rate_limited'],
    [400, 'validation.failed'],
  ],
  'POST /api/v1/imports/:kind': [
    [415, 'request.unsupported_media_type'],
    [413, 'request.too_large'],
    [400, 'validation.failed'],
  ],
  'GET /api/v1/imports/:id': [[404, 'not_found']],
  'GET /api/v1/billing/feed': [
    [409, 'feed.cursor_ahead'],
    [400, 'validation.failed'],
  ],
  'POST /api/v1/billing/feed/ack': [[400, 'validation.failed']],
  'GET /api/v1/registries': [
    [404, 'not_found'],
    [400, 'validation.failed'],
  ],
  'POST /api/v1/providers/:code/reconcile': [
    [404, 'not_found'],
    [415, 'request.unsupported_media_type'],
  ],
  'GET /api/v1/payments/:opId': [[404, 'not_found']],
  'POST /api/v1/api-keys': [[400, 'validation.failed']],
  'POST /api/v1/api-keys/:id/revoke': [[404, 'not_found']],
};

describe('the OpenAPI document describes every integration answer', () => {
  it('finds the integration operations', () => {
    const keys = integrationRoutes().map((r) => `${r.method} ${r.url}`);
    for (const expected of [
      'POST /api/v1/auth/login',
      'POST /api/v1/imports/:kind',
      'GET /api/v1/billing/feed',
      'POST /api/v1/billing/feed/ack',
      'GET /api/v1/registries',
      'POST /api/v1/providers/:code/reconcile',
      'GET /api/v1/forwardings',
      'GET /api/v1/services',
      'GET /api/v1/desks',
      'GET /api/v1/payments/:opId',
      'POST /api/v1/api-keys',
    ]) {
      expect(keys).toContain(expected);
    }
  });

  it('each has a 2xx schema with an example, its problem+json errors with their codes, and the codes exist', () => {
    for (const { method, url, guarded } of integrationRoutes()) {
      const op = operation(method, url);
      const name = `${method} ${url}`;
      const ok = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      expect(ok.length, `${name}: a 2xx answer`).toBeGreaterThan(0);
      for (const [status, response] of ok) {
        const media = Object.entries(response.content ?? {});
        expect(media.length, `${name} ${status}: content`).toBeGreaterThan(0);
        for (const [type, m] of media) {
          expect(m.schema && Object.keys(m.schema).length, `${name} ${status} ${type}: a schema`).toBeTruthy();
          if (type === 'application/json')
            expect(m.example ?? m.examples ?? (m.schema as JsonSchema)['example'], `${name} ${status}: an example`).toBeDefined();
        }
      }
      const expected: [number, string][] = [
        ...(guarded
          ? ([
              [401, 'auth.required'],
              [403, 'auth.forbidden'],
            ] as [number, string][])
          : []),
        ...(SPECIFIC[name] ?? []),
      ];
      if (op.parameters?.length || op.requestBody) expected.push([400, 'validation.failed']);
      for (const [status, code] of expected) expect(codesOf(method, url, status), `${name}: ${status} ${code}`).toContain(code);
      expect(codesOf(method, url, 500), `${name}: 500`).toContain('internal');
      if (guarded)
        expect(codesOf(method, url, 401), `${name}: a revoked key`).toEqual(
          expect.arrayContaining(['auth.key_revoked', 'auth.key_expired']),
        );
      const scope = built.routes.find((r) => r.method === method && r.url === url && r.auth !== 'public' && r.auth.scope)?.auth;
      if (scope && scope !== 'public')
        expect((op as { description?: string }).description, `${name}: the scope a key needs`).toContain(`«${scope.scope ?? ''}»`);
    }
  });

  it('the import endpoint declares its body as text/csv', () => {
    const body = operation('POST', '/api/v1/imports/:kind').requestBody;
    expect(Object.keys(body?.content ?? {})).toContain('text/csv');
    const reconcile = operation('POST', '/api/v1/providers/:code/reconcile').requestBody;
    expect(Object.keys(reconcile?.content ?? {})).toContain('text/csv');
  });

  it('login is documented as it answers: token, expiresAt, user', () => {
    const schema = resolve(successSchema('POST', '/api/v1/auth/login', 200));
    expect(Object.keys(schema['properties'] as object).sort()).toEqual(['expiresAt', 'token', 'user']);
  });
});

describe('real answers match what the document declares', () => {
  const as =
    (token: string | null) =>
    (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, contentType?: string): Promise<LightMyRequestResponse> =>
      app.inject({
        method,
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(contentType ? { 'content-type': contentType } : {}) },
        ...(payload !== undefined ? { payload: payload as string } : {}),
      });

  it('every integration operation answers 2xx through its schema, with nothing undeclared, valid against the document', async () => {
    const adm = as(admin);
    const integ = as(integrator);
    const opId = (await open.db.selectFrom('payments').select('op_id').limit(1).executeTakeFirstOrThrow()).op_id;
    const imported = await integ('POST', '/api/v1/imports/accounts?wait=true', 'number;owner\n5550001;Сидоров С.С.\n', 'text/csv');
    const key = (await adm('POST', '/api/v1/api-keys', { name: 'Проверка', scopes: ['read'] })).json<{ id: string }>();
    const calls: [string, string, () => Promise<LightMyRequestResponse>][] = [
      [
        'POST',
        '/api/v1/auth/login',
        () => as(null)('POST', '/api/v1/auth/login', JSON.stringify({ login: 'billing', password: 'pass-1234' }), 'application/json'),
      ],
      ['GET', '/api/v1/auth/me', () => integ('GET', '/api/v1/auth/me')],
      ['POST', '/api/v1/imports/:kind', async () => imported],
      ['GET', '/api/v1/imports', () => integ('GET', '/api/v1/imports')],
      ['GET', '/api/v1/imports/:id', () => integ('GET', `/api/v1/imports/${imported.json<{ importId: string }>().importId}`)],
      ['GET', '/api/v1/billing/feed', () => integ('GET', '/api/v1/billing/feed')],
      [
        'POST',
        '/api/v1/billing/feed/ack',
        () => integ('POST', '/api/v1/billing/feed/ack', JSON.stringify({ consumer: 'billing', position: 1 }), 'application/json'),
      ],
      ['GET', '/api/v1/registries', () => integ('GET', '/api/v1/registries?date=2026-11-28&supplier=7707083893&format=json')],
      [
        'POST',
        '/api/v1/providers/:code/reconcile',
        () => integ('POST', '/api/v1/providers/MTS/reconcile', 'txn_id;prv_txn;account;sum;txn_date\n', 'text/csv'),
      ],
      ['GET', '/api/v1/forwardings', () => integ('GET', '/api/v1/forwardings')],
      ['GET', '/api/v1/desks', () => integ('GET', '/api/v1/desks')],
      ['GET', '/api/v1/payments', () => integ('GET', '/api/v1/payments')],
      ['GET', '/api/v1/payments/:opId', () => integ('GET', `/api/v1/payments/${opId}`)],
      [
        'POST',
        '/api/v1/api-keys',
        () =>
          adm(
            'POST',
            '/api/v1/api-keys',
            JSON.stringify({ name: 'Ещё один', scopes: ['feed'], expiresAt: '2099-01-01' }),
            'application/json',
          ),
      ],
      ['GET', '/api/v1/api-keys', () => adm('GET', '/api/v1/api-keys')],
      ['POST', '/api/v1/api-keys/:id/revoke', () => adm('POST', `/api/v1/api-keys/${key.id}/revoke`)],
    ];
    for (const catalog of ['points', 'suppliers', 'services', 'accounts', 'meters', 'providers', 'price-items']) {
      calls.push(['GET', `/api/v1/${catalog}`, () => integ('GET', `/api/v1/${catalog}`)]);
      calls.push([
        'GET',
        `/api/v1/${catalog}/:key`,
        async () => {
          const first = (await adm('GET', `/api/v1/${catalog}?limit=1`)).json<{ items: Record<string, string>[] }>().items[0] ?? {};
          return integ('GET', `/api/v1/${catalog}/${encodeURIComponent(first['id'] ?? first['code'] ?? first['number'] ?? '')}`);
        },
      ]);
      // The back office's view of a catalog matches the same schema.
      calls.push(['GET', `/api/v1/${catalog}`, () => adm('GET', `/api/v1/${catalog}`)]);
    }
    calls.push(['GET', '/api/v1/desks', () => adm('GET', '/api/v1/desks')]);
    // Registries beside the day's: the transfer, day closing and its batches, the readings registry.
    const supplier = '7707083893';
    calls.push([
      'PUT',
      '/api/v1/registries/transfers',
      () =>
        app.inject({
          method: 'PUT',
          url: '/api/v1/registries/transfers',
          headers: { authorization: `Bearer ${integrator}` },
          payload: { supplierInn: supplier, date: '2026-11-28', orderNumber: '512', orderDate: '2026-11-29', amountKop: 100_000 },
        }),
    ]);
    calls.push([
      'POST',
      '/api/v1/points/:pointId/days/:date/close',
      () => integ('POST', `/api/v1/points/${IDS.point}/days/2026-11-28/close`),
    ]);
    const batchId = async (): Promise<string> =>
      (await integ('GET', '/api/v1/batches')).json<{ items: { id: string }[] }>().items[0]?.id ?? 'none';
    calls.push(['GET', '/api/v1/batches', () => integ('GET', '/api/v1/batches')]);
    calls.push(['GET', '/api/v1/batches/:id', async () => integ('GET', `/api/v1/batches/${await batchId()}`)]);
    calls.push([
      'GET',
      '/api/v1/batches/:id/registry',
      async () => integ('GET', `/api/v1/batches/${await batchId()}/registry?supplier=${supplier}&format=json`),
    ]);
    calls.push([
      'GET',
      '/api/v1/registries/readings',
      () => integ('GET', '/api/v1/registries/readings?period=2026-12&supplier=500100732259&format=json'),
    ]);
    calls.push([
      'POST',
      '/api/v1/auth/logout',
      async () => as((await login(open.db, 'billing', 'pass-1234', 12)).token)('POST', '/api/v1/auth/logout'),
    ]);

    const answered = new Set<string>();
    for (const [method, url, call] of calls) {
      const r = await call();
      const name = `${method} ${url}`;
      expect(r.statusCode, `${name}: ${r.body.slice(0, 300)}`).toBeGreaterThanOrEqual(200);
      expect(r.statusCode, `${name}: ${r.body.slice(0, 300)}`).toBeLessThan(300);
      expect(undeclared.get(name) ?? ['(not serialized through a schema)'], `${name}: fields its schema does not declare`).toEqual([]);
      expect(validate(successSchema(method, url, r.statusCode), r.json()), `${name}: against the document`).toEqual([]);
      answered.add(name);
      undeclared.delete(name);
    }
    const missing = integrationRoutes()
      .map((r) => `${r.method} ${r.url}`)
      .filter((n) => !answered.has(n));
    expect(missing, 'integration operations this test did not call').toEqual([]);
  });

  it('the feed checked above holds every kind of item: payment, reversal, reading', async () => {
    const page = (await as(integrator)('GET', '/api/v1/billing/feed')).json<{ items: { kind: string }[] }>();
    expect(page.items.map((i) => i.kind).sort()).toEqual(['payment', 'payment', 'reading', 'reversal']);
  });

  it('error answers are the documented problems', async () => {
    const checks: [string, string, () => Promise<LightMyRequestResponse>, number][] = [
      ['GET', '/api/v1/billing/feed', () => as(null)('GET', '/api/v1/billing/feed'), 401],
      ['GET', '/api/v1/billing/feed', () => as(integrator)('GET', '/api/v1/billing/feed?after=100000'), 409],
      ['GET', '/api/v1/billing/feed', () => as(integrator)('GET', '/api/v1/billing/feed?after=-1'), 400],
      ['GET', '/api/v1/services', () => as('pda_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')('GET', '/api/v1/services'), 401],
      [
        'POST',
        '/api/v1/api-keys',
        () => as(integrator)('POST', '/api/v1/api-keys', JSON.stringify({ name: 'x', scopes: ['read'] }), 'application/json'),
        403,
      ],
      [
        'POST',
        '/api/v1/api-keys',
        () => as(admin)('POST', '/api/v1/api-keys', JSON.stringify({ name: 'x', scopes: ['everything'] }), 'application/json'),
        400,
      ],
      ['GET', '/api/v1/payments/:opId', () => as(integrator)('GET', '/api/v1/payments/0190f0d6-0000-7000-8000-00000000dead'), 404],
      [
        'POST',
        '/api/v1/imports/:kind',
        () => as(integrator)('POST', '/api/v1/imports/accounts?wait=true', '{"a":1}', 'application/json'),
        415,
      ],
      [
        'POST',
        '/api/v1/auth/login',
        () => as(null)('POST', '/api/v1/auth/login', JSON.stringify({ login: 'billing', password: 'wrong' }), 'application/json'),
        401,
      ],
    ];
    for (const [method, url, call, status] of checks) {
      const r = await call();
      expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(status);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(validate(problemSchema(method, url, status), r.json()), `${method} ${url} ${status}`).toEqual([]);
    }
    // A refused import file with wait=true is its report, as documented for 422.
    const refused = await as(integrator)('POST', '/api/v1/imports/accounts?wait=true', 'number;owner\n;Без номера\n', 'text/csv');
    expect(refused.statusCode).toBe(422);
    expect(validate(successSchemaOr422(), refused.json())).toEqual([]);
  });
});

function successSchemaOr422(): JsonSchema {
  const schema = operation('POST', '/api/v1/imports/:kind').responses['422']?.content?.['application/json']?.schema;
  if (!schema) throw new Error('POST /api/v1/imports/:kind: no 422 report in the document');
  return schema;
}
