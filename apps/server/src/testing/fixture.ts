/**
 * A server for tests: the real HTTP application over a test database, an administrator, a small
 * catalog, and helpers to enroll desks and build operations as a desk would.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { exampleBody, PROTOCOL_VERSION, type OpBody, type OpType, type PushResponse } from '@paydesk/protocol';
import { opHash } from '@paydesk/protocol/node';
import { noteDeskSync } from '../features/sync/pull.ts';
import { buildApp, type BuiltApp } from '../app.ts';
import type { OpenDatabase } from '../db/database.ts';
import { lockStamping, nextVersion } from '../db/versioning.ts';
import { addUser, login } from '../features/auth/users.ts';
import { createDesk, enrollDesk } from '../features/desks/desks.ts';

export const IDS = {
  point: '0190f0d6-0000-7000-8000-0000000000b1',
  uk: '0190f0d6-0000-7000-8000-00000000aa01',
  water: '0190f0d6-0000-7000-8000-00000000aa02',
  meter: '0190f0d6-0000-7000-8000-0000000000a1',
  cashier: '0190f0d6-0000-7000-8000-00000000c001',
};

export interface TestDesk {
  deskId: string;
  deskKey: string;
  epoch: number;
  seq: number;
}

export interface TestServer extends BuiltApp {
  open: OpenDatabase;
  adminToken: string;
  enroll(name?: string): Promise<TestDesk>;
  /** An op as a desk journals it: the next seq, a fresh UUIDv7, the body's hash. */
  op<T extends OpType>(desk: TestDesk, type: T, body?: OpBody<T>): { seq: number; opId: string; type: T; body: OpBody<T>; hash: string };
  push(desk: TestDesk, ops: { seq: number; opId: string; type: OpType; body: unknown; hash: string }[]): Promise<LightMyRequestResponse>;
  pushOk(desk: TestDesk, ops: { seq: number; opId: string; type: OpType; body: unknown; hash: string }[]): Promise<PushResponse>;
  as(
    token: string,
  ): (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) => Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function seedCatalog(open: OpenDatabase): Promise<void> {
  const { db } = open;
  await db.transaction().execute(async (trx) => {
    await lockStamping(trx);
    await trx
      .insertInto('points')
      .values({ id: IDS.point, code: 'P1', name: 'Пункт на Ленина', address: 'г. Энск, ул. Ленина, 1' })
      .execute();
    await trx
      .insertInto('suppliers')
      .values([
        {
          id: IDS.uk,
          name: 'ООО "УК Дом"',
          inn: '7707083893',
          kpp: null,
          phone: '+74950000000',
          bank_name: null,
          bic: null,
          account: null,
          corr_account: null,
          commission: JSON.stringify({ kind: 'none', mode: 'on_top' }),
          agent_type: 'paying_agent',
          version: nextVersion(),
        },
        {
          id: IDS.water,
          name: 'МУП "Водоканал"',
          inn: '500100732259',
          kpp: null,
          phone: null,
          bank_name: null,
          bic: null,
          account: null,
          corr_account: null,
          commission: JSON.stringify({ kind: 'percent', mode: 'on_top', rateBp: 100 }),
          agent_type: 'paying_agent',
          version: nextVersion(),
        },
      ])
      .execute();
    await trx
      .insertInto('services')
      .values([
        { code: 'MAINT', name: 'Содержание жилья', supplier_id: IDS.uk, unit: null, version: nextVersion() },
        { code: 'WATER', name: 'Холодная вода', supplier_id: IDS.water, unit: 'м³', version: nextVersion() },
      ])
      .execute();
    await trx
      .insertInto('accounts')
      .values([
        {
          number: '1234567',
          els: '20МВ875415',
          city: 'Энск',
          street: 'Ленина',
          house: '10',
          building: null,
          flat: '5',
          owner_name: 'Иванов Иван Иванович',
          status: 'active',
          version: nextVersion(),
        },
        {
          number: '7654321',
          els: null,
          city: 'Энск',
          street: 'Мира',
          house: '3',
          building: null,
          flat: '12',
          owner_name: 'Петрова Анна',
          status: 'closed',
          version: nextVersion(),
        },
      ])
      .execute();
    await trx
      .insertInto('charges')
      .values([
        {
          account_number: '1234567',
          service_code: 'MAINT',
          period: '2026-10',
          due_kop: 100_000,
          penalty_kop: 0,
          charge_kop: 100_000,
          version: nextVersion(),
        },
        {
          account_number: '1234567',
          service_code: 'WATER',
          period: '2026-10',
          due_kop: 50_000,
          penalty_kop: 1_234,
          charge_kop: 50_000,
          version: nextVersion(),
        },
      ])
      .execute();
    await trx
      .insertInto('meters')
      .values({
        id: IDS.meter,
        account_number: '1234567',
        service_code: 'WATER',
        serial: 'ХВ-001',
        digits: 5,
        fraction_digits: 3,
        verification_due: '2030-01-01',
        jump_threshold: null,
        last_value_milli: 1_000_000,
        last_date: '2026-10-20',
        version: nextVersion(),
      })
      .execute();
    await trx
      .insertInto('providers')
      .values({
        code: 'MTS',
        name: 'МТС',
        category: 'Мобильная связь',
        inn: '7740000076',
        kpp: null,
        phone: '+78002500890',
        account_label: 'Телефон',
        account_mask: '^9\\d{9}$',
        account_example: '9161112233',
        normalize: 'phone',
        min_kop: 1_000,
        max_kop: 1_500_000,
        commission: JSON.stringify({ kind: 'percent', mode: 'on_top', rateBp: 200 }),
        agent_type: 'paying_subagent',
        check_required: false,
        offline_allowed: true,
        can_cancel: false,
        channel: 'osmp',
        osmp_url: 'http://127.0.0.1:1/osmp',
        osmp_user: null,
        osmp_password: 'secret-provider-password',
        version: nextVersion(),
      })
      .execute();
    await trx
      .insertInto('price_items')
      .values({ code: 'COPY_A4', name: 'Ксерокопия А4', price_kop: 1_500, unit: 'шт', vat: 'none', version: nextVersion() })
      .execute();
  });
}

export async function testServer(open: OpenDatabase, options: { seed?: boolean; now?: () => Date } = {}): Promise<TestServer> {
  if (options.seed !== false) await seedCatalog(open);
  const built = await buildApp({
    db: open.db,
    config: { logLevel: 'silent', sessionHours: 12, enrollmentHours: 24, bodyLimitBytes: 8 * 1024 * 1024, trustProxy: false },
    ...(options.now ? { now: options.now } : {}),
  });
  // A database restored from a snapshot already has its administrator.
  const admin = await open.db.selectFrom('users').select('id').where('login', '=', 'admin').executeTakeFirst();
  if (!admin)
    await addUser(open.db, { login: 'admin', name: 'Администратор', role: 'admin', password: 'admin-pass' }, { type: 'system', id: null });
  const { token } = await login(open.db, 'admin', 'admin-pass', 12);
  const app: FastifyInstance = built.app;
  const inject =
    (token: string | null) =>
    (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse> =>
      app.inject({
        method,
        url,
        ...(payload !== undefined ? { payload: payload as object } : {}),
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });

  const server: TestServer = {
    ...built,
    open,
    adminToken: token,
    async enroll(name = `Касса ${randomUUID().slice(0, 4)}`) {
      const created = await createDesk(open.db, { name, pointId: IDS.point }, { type: 'system', id: null }, 24);
      const e = await enrollDesk(open.db, created.enrollmentCode, undefined);
      // As a desk's first pull would: it holds nothing the server lacks, so its payments may be forwarded.
      await noteDeskSync(open.db, e.deskId, e.epoch, 0);
      return { deskId: e.deskId, deskKey: e.deskKey, epoch: e.epoch, seq: 0 };
    },
    op(desk, type, body) {
      desk.seq++;
      const b = body ?? exampleBody(type);
      return { seq: desk.seq, opId: uuidv7(), type, body: b, hash: opHash(b) };
    },
    push(desk, ops) {
      return app.inject({
        method: 'POST',
        url: '/api/v1/sync/push',
        headers: { authorization: `Bearer ${desk.deskKey}` },
        payload: { protocolVersion: PROTOCOL_VERSION, deskId: desk.deskId, epoch: desk.epoch, ops },
      });
    },
    async pushOk(desk, ops) {
      const r = await server.push(desk, ops);
      if (r.statusCode !== 200) throw new Error(`push failed: ${r.statusCode} ${r.body}`);
      return r.json();
    },
    as: (t) => inject(t),
    async close() {
      await app.close();
      await open.close();
    },
  };
  return server;
}

/** A billing payment body for the seeded account, with the commission the seeded suppliers' rules give. */
export function billingBody(overrides: Partial<OpBody<'payment.accepted'>> = {}): OpBody<'payment.accepted'> {
  const base = exampleBody('payment.accepted');
  // MAINT (no commission) 1000,00; WATER (1 % on top) 500,00 + 12,34 penalty → commission 5,12.
  const body: OpBody<'payment.accepted'> = {
    ...base,
    cashierId: IDS.cashier,
    accountNumber: '1234567',
    lines: [
      { serviceCode: 'MAINT', period: '2026-10', amountKop: 100_000, penaltyKop: 0, commissionKop: 0 },
      { serviceCode: 'WATER', period: '2026-10', amountKop: 50_000, penaltyKop: 1_234, commissionKop: 512 },
    ],
    commissionKop: 512,
    totalKop: 151_746,
    tenderedKop: 200_000,
    ...overrides,
  };
  return body;
}
