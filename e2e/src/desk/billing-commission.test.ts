/**
 * Issue 16 item 10 at the desk, over real HTTP against a real server: paying 123,45 ₽ on account
 * 1000008 of the demo town (seven services of five suppliers, tools/demo/src/town.ts) gave 25,10 ₽ of
 * commission. Where it comes from: the sum is spread over the seven debts, and two suppliers with flat
 * fees get small parts — 15,00 ₽ fixed for waste removal on its 3,53 ₽, the 10,00 ₽ minimum of the
 * power company on its 18,47 ₽ — plus 1 % of the water company's 10,03 ₽. Each supplier's rule is
 * applied once per payment, as the contracts say; the cashier must see that, per supplier, before
 * taking the money, and the server must agree with it. An included fee larger than the supplier's
 * share is refused, never turned into a payment of nothing to the supplier.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;

const SUPPLIERS = [
  {
    id: '0190f0d6-0000-7000-8000-00000000bb01',
    key: 'uk',
    name: 'ООО «УК Жилкомсервис»',
    inn: '5406123450',
    commission: { kind: 'none', mode: 'on_top' },
  },
  {
    id: '0190f0d6-0000-7000-8000-00000000bb02',
    key: 'water',
    name: 'МУП «Горводоканал»',
    inn: '5406987651',
    commission: { kind: 'percent', mode: 'on_top', rateBp: 100 },
  },
  {
    id: '0190f0d6-0000-7000-8000-00000000bb03',
    key: 'heat',
    name: 'АО «Новоградская теплосеть»',
    inn: '5406555115',
    commission: { kind: 'none', mode: 'on_top' },
  },
  {
    id: '0190f0d6-0000-7000-8000-00000000bb04',
    key: 'power',
    name: 'ПАО «Новоградскэнергосбыт»',
    inn: '5406333225',
    commission: { kind: 'percent', mode: 'on_top', rateBp: 150, minKop: 1_000 },
  },
  {
    id: '0190f0d6-0000-7000-8000-00000000bb05',
    key: 'tko',
    name: 'ООО «ЭкоРегион» (вывоз ТКО)',
    inn: '5406777446',
    commission: { kind: 'fixed', mode: 'on_top', amountKop: 1_500 },
  },
  // Not in the demo: a capital-repairs fund whose 2 % (at least 20,00 ₽) is included in the sum.
  {
    id: '0190f0d6-0000-7000-8000-00000000bb06',
    key: 'kap',
    name: 'Фонд капремонта',
    inn: '5406444550',
    commission: { kind: 'percent', mode: 'included', rateBp: 200, minKop: 2_000 },
  },
];
/** The demo's services (its MAINT is HOUSING here: the test stack's own catalog has a MAINT). */
const SERVICES = [
  ['HOUSING', 'uk'],
  ['CW', 'water'],
  ['SEWER', 'water'],
  ['HEAT', 'heat'],
  ['HW', 'heat'],
  ['ELEC', 'power'],
  ['TKO', 'tko'],
  ['CAPREP', 'kap'],
] as const;
/** Account 1000008 of the demo town: the November debt of each of its seven services. */
const DEBTS_1000008 = { HOUSING: 204_800, CW: 34_100, SEWER: 22_100, HEAT: 253_200, HW: 54_300, ELEC: 103_500, TKO: 19_800 };

async function seed(): Promise<void> {
  const db = server.open.db;
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(7331001)`.execute(trx);
    const v = sql<number>`nextval('ref_version')`;
    for (const s of SUPPLIERS) {
      await trx
        .insertInto('suppliers')
        .values({
          id: s.id,
          name: s.name,
          inn: s.inn,
          kpp: null,
          phone: null,
          bank_name: null,
          bic: null,
          account: null,
          corr_account: null,
          commission: JSON.stringify(s.commission),
          agent_type: 'paying_agent',
          version: v,
        })
        .execute();
    }
    for (const [code, key] of SERVICES) {
      await trx
        .insertInto('services')
        .values({ code, name: code, supplier_id: SUPPLIERS.find((s) => s.key === key)?.id as string, unit: null, version: v })
        .execute();
    }
    for (const number of ['1000008', '1000015']) {
      await trx
        .insertInto('accounts')
        .values({
          number,
          els: null,
          city: 'Новоградск',
          street: 'Ленина',
          house: '1',
          building: null,
          flat: number.slice(-2),
          owner_name: 'Кузнецов А.А.',
          status: 'active',
          version: v,
        })
        .execute();
    }
    const charge = (account: string, service: string, period: string, due: number) => ({
      account_number: account,
      service_code: service,
      period,
      due_kop: due,
      penalty_kop: 0,
      charge_kop: due,
      version: v,
    });
    await trx
      .insertInto('charges')
      .values([
        ...Object.entries(DEBTS_1000008).map(([service, due]) => charge('1000008', service, '2026-11', due)),
        ...['2026-09', '2026-10', '2026-11'].map((p) => charge('1000015', 'TKO', p, 19_800)),
        ...['2026-10', '2026-11'].map((p) => charge('1000015', 'ELEC', p, 103_500)),
        charge('1000015', 'CAPREP', '2026-11', 600_000),
      ])
      .execute();
    // A provider whose 30,00 ₽ fee is included in the sum.
    await trx
      .insertInto('providers')
      .values({
        code: 'GUARD',
        name: 'ЧОП «Охрана»',
        category: 'Охрана',
        inn: '7740000076',
        kpp: null,
        phone: null,
        account_label: 'Договор',
        account_mask: '^\\d{6}$',
        account_example: '100501',
        normalize: 'digits',
        min_kop: null,
        max_kop: null,
        commission: JSON.stringify({ kind: 'fixed', mode: 'included', amountKop: 3_000 }),
        agent_type: 'paying_agent',
        check_required: false,
        offline_allowed: true,
        can_cancel: false,
        channel: 'registry',
        osmp_url: null,
        osmp_user: null,
        osmp_password: null,
        version: v,
      })
      .execute();
  });
}

beforeAll(async () => {
  server = await startTestServer();
  await seed();
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
}, 60_000);

afterAll(async () => {
  await desk?.stop();
  if (desk) removeDir(desk.dataDir);
  await server?.close();
});

interface Quote {
  totalKop: number;
  commissionKop: number;
  amountKop: number;
  lines: { serviceCode: string; amountKop: number; commissionKop: number }[];
  suppliers: { name: string; baseKop: number; commissionKop: number; rule: string; feeExceedsBase: boolean }[];
  warnings: string[];
}

async function onServer(opId: string): Promise<{ review: boolean; codes: string[] }> {
  await desk.api.waitFor('push', (s) => s.unsentCount === 0);
  const p = await server.open.db.selectFrom('payments').select(['review']).where('op_id', '=', opId).executeTakeFirstOrThrow();
  const items = await server.open.db.selectFrom('review_items').select('code').where('op_id', '=', opId).execute();
  return { review: p.review, codes: items.map((i) => i.code) };
}

const receipts = async (): Promise<number> => (await desk.api.ok<{ items: unknown[] }>('GET', '/api/test/receipts')).items.length;

describe('a billing payment over several suppliers (issue 16 item 10)', () => {
  it('123,45 ₽ over seven services: 25,10 ₽ = 15,00 fixed (waste, on 3,53) + 10,00 minimum (power, on 18,47) + 0,10 (water); shown per supplier before accepting', async () => {
    const q = await desk.api.ok<Quote>('POST', '/api/payments/quote', {
      kind: 'billing',
      accountNumber: '1000008',
      amountKop: 12_345,
      method: 'cash',
    });
    expect(q).toMatchObject({ commissionKop: 2_510, totalKop: 14_855, amountKop: 12_345 });
    expect(Object.fromEntries(q.lines.map((l) => [l.serviceCode, l.amountKop]))).toEqual({
      HOUSING: 3_655,
      CW: 609,
      SEWER: 394,
      HEAT: 4_518,
      HW: 969,
      ELEC: 1_847,
      TKO: 353,
    });
    expect(q.suppliers.filter((s) => s.commissionKop > 0).map((s) => [s.name, s.baseKop, s.commissionKop, s.feeExceedsBase])).toEqual([
      ['МУП «Горводоканал»', 1_003, 10, false],
      ['ПАО «Новоградскэнергосбыт»', 1_847, 1_000, false],
      ['ООО «ЭкоРегион» (вывоз ТКО)', 353, 1_500, true],
    ]);
    expect(q.suppliers.find((s) => s.name.startsWith('ООО «ЭкоРегион»'))?.rule).toContain('15,00');
    // The payer is told that a fee is larger than what the supplier gets.
    expect(q.warnings.join(' ')).toMatch(/ЭкоРегион.*15,00.*3,53/);

    const opId = uuidv7();
    const paid = await desk.api.ok<{ totalKop: number; commissionKop: number }>('POST', '/api/payments', {
      opId,
      kind: 'billing',
      accountNumber: '1000008',
      amountKop: 12_345,
      method: 'cash',
      tenderedKop: 15_000,
    });
    expect(paid).toMatchObject({ totalKop: 14_855, commissionKop: 2_510 });
    expect(await onServer(opId)).toEqual({ review: false, codes: [] });
  });

  it('several periods of one supplier pay its fixed fee and its minimum once', async () => {
    const lines = [
      ...['2026-09', '2026-10', '2026-11'].map((period) => ({ serviceCode: 'TKO', period, amountKop: 10_000, penaltyKop: 0 })),
      ...['2026-10', '2026-11'].map((period) => ({ serviceCode: 'ELEC', period, amountKop: 20_000, penaltyKop: 0 })),
    ];
    const opId = uuidv7();
    const paid = await desk.api.ok<{ totalKop: number; commissionKop: number }>('POST', '/api/payments', {
      opId,
      kind: 'billing',
      accountNumber: '1000015',
      lines,
      method: 'card',
    });
    expect(paid).toMatchObject({ commissionKop: 1_500 + 1_000, totalKop: 70_000 + 2_500 });
    expect(await onServer(opId)).toEqual({ review: false, codes: [] });
  });

  it('an included fee: 2 500,00 ₽ to the fund pays 50,00 ₽ out of it, and the server agrees', async () => {
    const lines = [{ serviceCode: 'CAPREP', period: '2026-11', amountKop: 250_000, penaltyKop: 0 }];
    const opId = uuidv7();
    const paid = await desk.api.ok<{ totalKop: number; commissionKop: number }>('POST', '/api/payments', {
      opId,
      kind: 'billing',
      accountNumber: '1000015',
      lines,
      method: 'card',
    });
    expect(paid).toMatchObject({ totalKop: 250_000, commissionKop: 5_000 });
    expect(await onServer(opId)).toEqual({ review: false, codes: [] });
    // The cashier sees the sum the payer gives (the «Итого» of the lines), the fee in it and what the fund gets.
    const q = await desk.api.ok<Quote>('POST', '/api/payments/quote', { kind: 'billing', accountNumber: '1000015', lines, method: 'card' });
    expect(q).toMatchObject({ commissionKop: 5_000, totalKop: 250_000, amountKop: 250_000 });
    expect(q.lines).toEqual([expect.objectContaining({ serviceCode: 'CAPREP', amountKop: 245_000, commissionKop: 5_000 })]);
    expect(q.suppliers).toEqual([
      expect.objectContaining({ name: 'Фонд капремонта', baseKop: 250_000, commissionKop: 5_000, feeExceedsBase: false }),
    ]);
  });

  it('an included fee larger than the sum (15,00 ₽ against a 20,00 ₽ minimum) is refused with the reason, and nothing is taken', async () => {
    const before = await receipts();
    const body = {
      kind: 'billing',
      accountNumber: '1000015',
      lines: [{ serviceCode: 'CAPREP', period: '2026-11', amountKop: 1_500, penaltyKop: 0 }],
      method: 'cash',
      tenderedKop: 1_500,
    };
    const quote = await desk.api.call('POST', '/api/payments/quote', body);
    expect(quote.status).toBe(422);
    const r = await desk.api.call('POST', '/api/payments', { ...body, opId: uuidv7() });
    expect(r.status).toBe(422);
    expect(r.body['code']).toBe('payment.limit');
    expect(String(r.body['detail'])).toMatch(/Фонд капремонта.*20,00.*15,00/);
    expect(await receipts()).toBe(before);
  });

  it('a third-party sum not above the provider’s included fee is refused with the reason; one above it is quoted', async () => {
    const r = await desk.api.call('POST', '/api/providers/quote', { providerCode: 'GUARD', account: '100501', amountKop: 3_000 });
    expect(r.status).toBe(422);
    expect(r.body['code']).toBe('payment.limit');
    expect(String(r.body['detail'])).toMatch(/ЧОП «Охрана».*30,00/);
    expect(await desk.api.ok('POST', '/api/providers/quote', { providerCode: 'GUARD', account: '100501', amountKop: 3_001 })).toMatchObject(
      { principalKop: 1, commissionKop: 3_000, totalKop: 3_001 },
    );
  });
});
