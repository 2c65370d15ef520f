/**
 * Issue 16 item 9: a PATCH of a catalog record changes only the fields it names. A URL change on a
 * provider used to reset every field left out to its default (a 2 % commission to none, the online
 * check off, offline payments allowed), because the update schema was the create schema made
 * `.partial()`, and zod still fills a `.default()` inside an optional field.
 *
 * For every catalog the server exposes: a record whose every field differs from its default, then one
 * PATCH per field: the named column changes, every other column stays exactly as it was, and the
 * version moves so desks pull the change. A PATCH with a bad value, an unknown field or nothing at all
 * changes nothing, not even the version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { IDS, testServer, type TestServer } from '../../testing/fixture.ts';
import { CATALOGS } from './catalogs.ts';
import type { ResourceDef } from './resource.ts';

let s: TestServer;

beforeAll(async () => {
  s = await testServer(await pgliteTestDb());
});

afterAll(async () => {
  await s.close();
});

interface CatalogCase {
  /** A record whose fields all differ from their defaults (what a reset would show). */
  create: Record<string, unknown>;
  /** For every field the PATCH schema takes: another valid value. */
  other: Record<string, unknown>;
}

const CASES: Record<string, CatalogCase> = {
  points: {
    create: { code: 'P77', name: 'Пункт на Мира', address: 'г. Энск, ул. Мира, 7', active: false },
    other: { code: 'P78', name: 'Пункт на Садовой', address: 'г. Энск, ул. Садовая, 1', active: true },
  },
  suppliers: {
    create: {
      name: 'АО «Энергосбыт»',
      inn: '7740000076',
      kpp: '774001001',
      phone: '+74951112233',
      bankName: 'ПАО Банк',
      bic: '044525225',
      account: '40702810938000000001',
      corrAccount: '30101810400000000225',
      commission: { kind: 'percent', mode: 'on_top', rateBp: 150, minKop: 1_000 },
      agentType: 'paying_subagent',
      active: false,
    },
    other: {
      name: 'АО «Энергосбыт-2»',
      inn: '7713076301',
      kpp: '771301001',
      phone: '+74959998877',
      bankName: 'АО Другой банк',
      bic: '044525000',
      account: '40702810938000000002',
      corrAccount: '30101810400000000999',
      commission: { kind: 'fixed', mode: 'included', amountKop: 2_500 },
      agentType: 'paying_agent',
      active: true,
    },
  },
  services: {
    create: { code: 'GAS', name: 'Газоснабжение', supplierId: IDS.water, unit: 'м³', active: false },
    other: { name: 'Газ', supplierId: IDS.uk, unit: 'куб. м', active: true },
  },
  accounts: {
    create: {
      number: '5550001',
      els: '20МВ875416',
      city: 'Энск',
      street: 'Мира',
      house: '7',
      building: '2',
      flat: '15',
      ownerName: 'Сидоров С.С.',
      status: 'closed',
    },
    other: {
      els: '21АБ000001',
      city: 'Новоградск',
      street: 'Садовая',
      house: '8',
      building: '3',
      flat: '16',
      ownerName: 'Сидорова А.А.',
      status: 'active',
    },
  },
  meters: {
    create: {
      accountNumber: '1234567',
      serviceCode: 'WATER',
      serial: 'ГВ-077',
      digits: 6,
      fractionDigits: 1,
      verificationDue: '2031-05-01',
      jumpThreshold: 40,
      active: false,
    },
    other: {
      serviceCode: 'MAINT',
      serial: 'ГВ-078',
      digits: 7,
      fractionDigits: 2,
      verificationDue: '2032-06-01',
      jumpThreshold: 50,
      active: true,
    },
  },
  providers: {
    create: {
      code: 'DOMOFON',
      name: 'ООО «Домофон»',
      category: 'Домофон',
      inn: '7713076301',
      kpp: '771301001',
      phone: '+73832000606',
      accountLabel: 'Номер договора',
      accountMask: '^\\d{6}$',
      accountExample: '100501',
      normalize: 'digits',
      minKop: 5_000,
      maxKop: 500_000,
      commission: { kind: 'percent', mode: 'on_top', rateBp: 200 },
      agentType: 'paying_subagent',
      checkRequired: true,
      offlineAllowed: false,
      canCancel: true,
      channel: 'registry',
      osmpUrl: 'http://provider.example/osmp',
      osmpUser: 'agent',
      osmpPassword: 'pass-1',
      timeoutMs: 30_000,
      active: false,
    },
    other: {
      name: 'ООО «Домофон-2»',
      category: 'Охрана',
      inn: '7740000076',
      kpp: '774001001',
      phone: '+73832000707',
      accountLabel: 'Договор',
      accountMask: '^\\d{8}$',
      accountExample: '10050122',
      normalize: 'phone',
      minKop: 6_000,
      maxKop: 600_000,
      commission: { kind: 'fixed', mode: 'included', amountKop: 1_500 },
      agentType: 'paying_agent',
      checkRequired: false,
      offlineAllowed: true,
      canCancel: false,
      channel: 'osmp',
      osmpUrl: 'http://other.example/osmp',
      osmpUser: 'agent-2',
      osmpPassword: 'pass-2',
      timeoutMs: 20_000,
      active: true,
    },
  },
  'price-items': {
    create: { code: 'SCAN', name: 'Сканирование', priceKop: 2_500, unit: 'лист', vat: 'vat20', active: false },
    other: { name: 'Сканирование А4', priceKop: 3_000, unit: 'стр.', vat: 'vat10', active: true },
  },
};

type Dyn = {
  selectFrom(t: string): {
    selectAll(): { where(c: string, op: '=', v: unknown): { executeTakeFirstOrThrow(): Promise<Record<string, unknown>> } };
  };
};

async function row(def: ResourceDef, key: unknown): Promise<Record<string, unknown>> {
  return (s.open.db as unknown as Dyn).selectFrom(def.table).selectAll().where(def.key, '=', key).executeTakeFirstOrThrow();
}

const without = (r: Record<string, unknown>, ...cols: string[]): Record<string, unknown> =>
  Object.fromEntries(Object.entries(r).filter(([k]) => !cols.includes(k)));
const columnOf = (def: ResourceDef, field: string, value: unknown): string => {
  const cols = Object.keys(def.toDb({ [field]: value }));
  expect(cols, `${def.path}.${field} maps to one column`).toHaveLength(1);
  return cols[0] as string;
};
const stored = (v: unknown): unknown => (typeof v === 'string' && /^[[{]/.test(v) ? JSON.parse(v) : v);

async function createRecord(def: ResourceDef, body: Record<string, unknown>): Promise<unknown> {
  const res = await s.as(s.adminToken)('POST', `/api/v1/${def.path}`, body);
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as Record<string, unknown>)[def.key];
}

async function patch(
  def: ResourceDef,
  key: unknown,
  body: unknown,
): Promise<{ statusCode: number; body: string; json(): Record<string, unknown> }> {
  return s.as(s.adminToken)('PATCH', `/api/v1/${def.path}/${encodeURIComponent(String(key))}`, body);
}

describe('a catalog PATCH changes only what it names (issue 16 item 9)', () => {
  it('every catalog has a case, and every field its PATCH takes has another value to try', () => {
    expect(Object.keys(CASES).sort()).toEqual(CATALOGS.map((d) => d.path).sort());
    for (const def of CATALOGS)
      expect(Object.keys(CASES[def.path]?.other ?? {}).sort(), def.path).toEqual(Object.keys(def.update.shape).sort());
  });

  it('an empty PATCH body means "no change": the update schemas fill in nothing', () => {
    for (const def of CATALOGS) expect(def.update.parse({}), def.path).toEqual({});
  });

  for (const def of CATALOGS) {
    describe(def.path, () => {
      const c = CASES[def.path] as CatalogCase;
      let key: unknown;

      beforeAll(async () => {
        key = await createRecord(def, c.create);
      });

      for (const [field, value] of Object.entries(c.other)) {
        it(`PATCH { ${field} } changes ${field} alone${def.versioned ? ' and bumps the version' : ''}`, async () => {
          const before = await row(def, key);
          const res = await patch(def, key, { [field]: value });
          expect(res.statusCode, res.body).toBe(200);
          if (field === 'code' && def.key !== 'code') key = before[def.key];
          const after = await row(def, key);
          const col = columnOf(def, field, value);
          expect(stored(after[col]), `${def.path}.${field} is the new value`).toEqual(value);
          expect(without(after, col, 'version'), `${def.path}: PATCH { ${field} } left every other column as it was`).toEqual(
            without(before, col, 'version'),
          );
          if (def.versioned) expect(BigInt(String(after['version']))).toBeGreaterThan(BigInt(String(before['version'])));
        });
      }

      it('a bad value for any one field, an unknown field or an empty body: 400 and nothing changes, not even the version', async () => {
        const before = await row(def, key);
        const bodies: unknown[] = [
          {},
          { notAField: 1 },
          ...Object.keys(c.other).map((f) => ({ [f]: { bad: [1] } })),
          // A good field next to a bad one: the good one is not applied either.
          ...Object.keys(c.other)
            .slice(0, 1)
            .map((f) => ({ [f]: c.other[f], notAField: true })),
        ];
        for (const body of bodies) {
          const res = await patch(def, key, body);
          expect(res.statusCode, `${def.path} ${JSON.stringify(body)} → ${res.body}`).toBe(400);
          expect(res.json()['code']).toBe('validation.failed');
        }
        expect(await row(def, key)).toEqual(before);
      });
    });
  }
});

describe('a PATCH is checked against the record it makes', () => {
  it('a provider minimum raised above the stored maximum is refused and changes nothing', async () => {
    const def = CATALOGS.find((d) => d.path === 'providers') as ResourceDef;
    const before = await row(def, 'MTS');
    const res = await patch(def, 'MTS', { minKop: 2_000_000 });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()['code']).toBe('validation.failed');
    expect(res.json()['detail'] ?? res.body).toContain('минимальная сумма больше максимальной');
    expect(await row(def, 'MTS')).toEqual(before);
  });
});

describe('the provider of the issue: a URL change keeps the money rules', () => {
  it('PATCH { osmpUrl } keeps the 2 % commission, the online check, offline refused, the limits and the agent type, and desks pull the change', async () => {
    const admin = s.as(s.adminToken);
    const created = await admin('POST', '/api/v1/providers', {
      code: 'INTERCOM',
      name: 'ООО «Интерком»',
      category: 'Домофон',
      inn: '7740000076',
      accountLabel: 'Договор',
      accountMask: '^\\d{6}$',
      accountExample: '100501',
      minKop: 5_000,
      maxKop: 500_000,
      commission: { kind: 'percent', mode: 'on_top', rateBp: 200, minKop: 1_000 },
      agentType: 'paying_subagent',
      checkRequired: true,
      offlineAllowed: false,
      canCancel: true,
      channel: 'osmp',
      osmpUrl: 'http://old.example/osmp',
      timeoutMs: 25_000,
    });
    expect(created.statusCode, created.body).toBe(201);
    const desk = await s.enroll();
    const pull = async (cursor: string): Promise<{ cursor: string; changes: { providers?: Record<string, unknown>[] } }> => {
      const r = await s.app.inject({
        method: 'GET',
        url: `/api/v1/sync/pull?cursor=${cursor}&limit=1000`,
        headers: { authorization: `Bearer ${desk.deskKey}` },
      });
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    };
    const first = await pull('0');

    const res = await admin('PATCH', '/api/v1/providers/INTERCOM', { osmpUrl: 'http://new.example/osmp' });
    expect(res.statusCode, res.body).toBe(200);
    const money = {
      minKop: 5_000,
      maxKop: 500_000,
      commission: { kind: 'percent', mode: 'on_top', rateBp: 200, minKop: 1_000 },
      agentType: 'paying_subagent',
      checkRequired: true,
      offlineAllowed: false,
      canCancel: true,
      timeoutMs: 25_000,
      active: true,
    };
    expect(res.json()).toMatchObject({ ...money, osmpUrl: 'http://new.example/osmp' });

    const next = await pull(first.cursor);
    const seen = next.changes.providers?.find((p) => p['code'] === 'INTERCOM');
    expect(seen, 'the desk pulls the changed provider').toBeDefined();
    expect(seen).toMatchObject({
      minKop: 5_000,
      maxKop: 500_000,
      commission: money.commission,
      agentType: 'paying_subagent',
      checkRequired: true,
      offlineAllowed: false,
    });
  });
});

describe('the list filter active', () => {
  it('on accounts it is their status: active=false lists the closed ones, active=true the open ones', async () => {
    const s = await testServer(await pgliteTestDb());
    try {
      await s.as(s.adminToken)('POST', '/api/v1/accounts', { number: '7000001', status: 'closed' });
      const closed = (await s.as(s.adminToken)('GET', '/api/v1/accounts?active=false')).json() as {
        items: { number: string; status: string }[];
      };
      expect(closed.items.map((a) => a.number)).toContain('7000001');
      expect(closed.items.every((a) => a.status === 'closed')).toBe(true);
      const open = (await s.as(s.adminToken)('GET', '/api/v1/accounts?active=true')).json() as {
        items: { number: string; status: string }[];
      };
      expect(open.items.length).toBeGreaterThan(0);
      expect(open.items.every((a) => a.status === 'active')).toBe(true);
      expect(open.items.map((a) => a.number)).not.toContain('7000001');
    } finally {
      await s.close();
    }
  });
});
