/**
 * Secrets stay secret and the audit log tells on anyone who edits it: every log line the server
 * writes while desks enroll and push, people sign in (rightly and wrongly), a provider's password is
 * set and imports run is searched for keys, tokens, passwords and hashes; then entries of the audit
 * chain are edited and deleted behind the server's back and the verification finds each.
 */
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleBody } from '@paydesk/protocol';
import { buildApp } from '../app.ts';
import { createDesk } from '../features/desks/desks.ts';
import { addUser } from '../features/auth/users.ts';
import { pgliteTestDb } from '../testing/test-db.ts';
import { IDS, seedCatalog } from '../testing/fixture.ts';
import type { OpenDatabase } from '../db/database.ts';
import { opHash } from '@paydesk/protocol/node';
import type { FastifyInstance } from 'fastify';

let open: OpenDatabase;
let app: FastifyInstance;
let logs = '';

beforeAll(async () => {
  open = await pgliteTestDb();
  await seedCatalog(open);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString();
      done();
    },
  });
  app = (
    await buildApp({
      db: open.db,
      config: { logLevel: 'trace', sessionHours: 12, enrollmentHours: 24, bodyLimitBytes: 1024 * 1024, trustProxy: false },
      logStream: sink,
    })
  ).app;
  await addUser(
    open.db,
    { login: 'admin', name: 'Администратор', role: 'admin', password: 'Sup3r-Secret-Admin' },
    { type: 'system', id: null },
  );
});

afterAll(async () => {
  await app.close();
  await open.close();
});

describe('secrets', () => {
  it('never appear in the logs, whatever the traffic', async () => {
    const json = (r: { body: string }): Record<string, unknown> => JSON.parse(r.body) as Record<string, unknown>;
    await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'admin', password: 'Wrong-Guess-Password' } });
    const token = json(
      await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'admin', password: 'Sup3r-Secret-Admin' } }),
    )['token'] as string;
    const auth = { authorization: `Bearer ${token}` };
    await app.inject({
      method: 'PATCH',
      url: '/api/v1/providers/MTS',
      headers: auth,
      payload: { osmpUser: 'agent', osmpPassword: 'Provider-Pa55word' },
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth,
      payload: { login: 'kassir', name: 'Кассир', role: 'cashier', password: 'Cashier-Pa55word' },
    });
    const created = await createDesk(open.db, { name: 'Касса', pointId: IDS.point }, { type: 'system', id: null }, 24);
    const enrolled = json(
      await app.inject({ method: 'POST', url: '/api/v1/desks/enroll', payload: { enrollmentCode: created.enrollmentCode } }),
    );
    const deskKey = enrolled['deskKey'] as string;
    const body = { ...exampleBody('service.sold'), cashierId: IDS.cashier };
    await app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers: { authorization: `Bearer ${deskKey}` },
      payload: {
        protocolVersion: 1,
        deskId: enrolled['deskId'],
        epoch: enrolled['epoch'],
        ops: [{ seq: 1, opId: '0190f0d6-3c1e-7a00-8000-0000000000aa', type: 'service.sold', body, hash: opHash(body) }],
      },
    });
    await app.inject({ method: 'GET', url: '/api/v1/sync/pull?cursor=0', headers: { authorization: `Bearer ${deskKey}` } });
    await app.inject({ method: 'GET', url: '/api/v1/providers/MTS', headers: auth });
    await app.inject({ method: 'GET', url: '/api/v1/desks', headers: { authorization: `Bearer ${deskKey}x` } });

    expect(logs.length).toBeGreaterThan(1_000);
    const hashes = (await open.db.selectFrom('users').select('password_hash').execute()).map((u) => u.password_hash);
    for (const secret of [
      'Sup3r-Secret-Admin',
      'Wrong-Guess-Password',
      'Provider-Pa55word',
      'Cashier-Pa55word',
      token,
      deskKey,
      created.enrollmentCode,
      ...hashes,
    ]) {
      expect(logs.includes(secret), `a secret (${secret.slice(0, 6)}…) is in the logs`).toBe(false);
    }
    // …and the answers do not carry them either.
    const provider = await app.inject({ method: 'GET', url: '/api/v1/providers/MTS', headers: auth });
    expect(provider.body).not.toContain('Provider-Pa55word');
    const users = await app.inject({ method: 'GET', url: '/api/v1/users', headers: auth });
    expect(users.body).not.toContain('$argon2');
  });
});

describe('the audit log', () => {
  it('is a hash chain: an edited entry and a deleted one are found by the verification', async () => {
    const token = (
      JSON.parse(
        (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'admin', password: 'Sup3r-Secret-Admin' } })).body,
      ) as { token: string }
    ).token;
    const verify = async (): Promise<{ ok: boolean; entries: number; brokenAt?: number; reason?: string }> =>
      JSON.parse(
        (await app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${token}` } })).body,
      ) as { ok: boolean; entries: number };
    const clean = await verify();
    expect(clean.ok).toBe(true);
    expect(clean.entries).toBeGreaterThan(3);

    // The table refuses edits (append-only); someone who owns the database turns its triggers off first.
    await sql`SET session_replication_role = replica`.execute(open.db);
    const victim = await open.db
      .selectFrom('audit_log')
      .select(['id', 'details'])
      .orderBy('id')
      .offset(2)
      .limit(1)
      .executeTakeFirstOrThrow();
    await open.db
      .updateTable('audit_log')
      .set({ details: JSON.stringify({ changed: 'behind the server’s back' }) })
      .where('id', '=', victim.id)
      .execute();
    expect(await verify()).toMatchObject({ ok: false, brokenAt: victim.id, reason: 'содержимое записи изменено' });
    await open.db
      .updateTable('audit_log')
      .set({ details: JSON.stringify(victim.details) })
      .where('id', '=', victim.id)
      .execute();
    expect((await verify()).ok).toBe(true);

    await open.db.deleteFrom('audit_log').where('id', '=', victim.id).execute();
    expect(await verify()).toMatchObject({ ok: false, brokenAt: victim.id });
  });
});
