import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeText } from '@paydesk/domain';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { testServer, type TestServer } from '../../testing/fixture.ts';
import { importFile } from './import-file.ts';

describe('billing imports', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await testServer(await pgliteTestDb());
  });
  afterEach(async () => {
    await s.close();
  });

  const accountsCsv = [
    'number;els;city;street;house;building;flat;owner;status',
    '100001;;Энск;Ленина;10;;1;Сидоров С.С.;active',
    '100002;21АБ123456;Энск;Ленина;10;;2;"Кузнецова, Мария";',
    '100003;;Энск;Мира;3;2;7;Орлов О.О.;closed',
  ].join('\n');

  it('imports accounts, and importing the same file again changes nothing', async () => {
    const first = await importFile(s.open.db, Buffer.from(accountsCsv), { kind: 'accounts', fileName: 'a.csv' });
    expect(first).toMatchObject({ status: 'done', totalRows: 3, changedRows: 3, errorCount: 0, encoding: 'utf-8', delimiter: ';' });
    const before = await s.open.db
      .selectFrom('accounts')
      .select(['number', 'version', 'owner_name', 'status'])
      .where('number', 'like', '10000%')
      .orderBy('number')
      .execute();
    expect(before.map((a) => [a.number, a.owner_name, a.status])).toEqual([
      ['100001', 'Сидоров С.С.', 'active'],
      ['100002', 'Кузнецова, Мария', 'active'],
      ['100003', 'Орлов О.О.', 'closed'],
    ]);
    const again = await importFile(s.open.db, Buffer.from(accountsCsv), { kind: 'accounts', fileName: 'a.csv' });
    expect(again).toMatchObject({ status: 'done', changedRows: 0 });
    const after = await s.open.db
      .selectFrom('accounts')
      .select(['number', 'version'])
      .where('number', 'like', '10000%')
      .orderBy('number')
      .execute();
    expect(after).toEqual(before.map((a) => ({ number: a.number, version: a.version })));
  });

  it('reads windows-1251 and comma-separated files', async () => {
    const text = 'number,street,house,flat,owner\n200001,Гагарина,5,9,Васильев В.В.\n';
    const r = await importFile(s.open.db, Buffer.from(encodeText(text, 'windows-1251')), { kind: 'accounts', fileName: 'cp.csv' });
    expect(r).toMatchObject({ status: 'done', encoding: 'windows-1251', delimiter: ',' });
    const a = await s.open.db
      .selectFrom('accounts')
      .select(['street', 'owner_name'])
      .where('number', '=', '200001')
      .executeTakeFirstOrThrow();
    expect(a).toEqual({ street: 'Гагарина', owner_name: 'Васильев В.В.' });
  });

  it('a file with errors imports nothing and reports every error of every kind in one answer (issue 24 item 5)', async () => {
    const csv = [
      'account;service;period;due;penalty',
      '1234567;MAINT;2026-11;1000,00;0',
      '1234567;WATER;13.2026;500;0',
      '9999999;MAINT;2026-11;100;0',
      '1234567;GAS;2026-11;100;0',
      '1234567;MAINT;2026-11;1000,00;0',
      '1234567;WATER;2026-11;сто;0',
    ].join('\n');
    const before = await s.open.db.selectFrom('charges').selectAll().orderBy('service_code').execute();
    const r = await importFile(s.open.db, Buffer.from(csv), { kind: 'charges', fileName: 'c.csv' });
    expect(r.status).toBe('failed');
    expect(r.errors.map((e) => [e.line, e.column ?? null, e.message.split(' ')[0]])).toEqual([
      [3, 'period', 'период'],
      [4, 'account', 'лицевой'],
      [5, 'service', 'услуга'],
      [6, null, 'повторяет'],
      [7, 'due', 'сумма'],
    ]);
    expect(r.errorCount).toBe(5);
    expect(await s.open.db.selectFrom('charges').selectAll().orderBy('service_code').execute()).toEqual(before);
    const imports = await s.open.db.selectFrom('imports').select(['status', 'error_count']).execute();
    expect(imports.every((i) => i.status === 'failed')).toBe(true);
  });

  it('a line whose field count differs from the header is an error with its line (issue 24 item 2)', async () => {
    const r = await importFile(
      s.open.db,
      Buffer.from('account,service,period,due\n1234567,MAINT,2026-10,100,50\n1234567,WATER,2026-10\n1234567,WATER,2026-10,10\n'),
      { kind: 'charges', fileName: 'c.csv' },
    );
    expect(r.status).toBe('failed');
    expect(r.errors.map((e) => e.line)).toEqual([2, 3]);
    expect(r.errors[0]?.message).toMatch(/5.*4|полей/);
    const accounts = await importFile(
      s.open.db,
      Buffer.from('number;street;house;flat;owner\n300001;Мира;1;1;Иванов;лишнее;ещё;x;y;z;w\n'),
      { kind: 'accounts', fileName: 'a.csv' },
    );
    expect(accounts.status).toBe('failed');
    expect(await s.open.db.selectFrom('accounts').select('number').where('number', '=', '300001').executeTakeFirst()).toBeUndefined();
  });

  it('a column absent from the file leaves what is stored alone (issue 24 item 3)', async () => {
    await importFile(s.open.db, Buffer.from(accountsCsv), { kind: 'accounts', fileName: 'a.csv' });
    const r = await importFile(s.open.db, Buffer.from('number;owner\n100001;Сидоров Семён Семёнович\n'), {
      kind: 'accounts',
      fileName: 'owners.csv',
    });
    expect(r).toMatchObject({ status: 'done', changedRows: 1 });
    const a = await s.open.db
      .selectFrom('accounts')
      .select(['street', 'house', 'flat', 'owner_name', 'status'])
      .where('number', '=', '100001')
      .executeTakeFirstOrThrow();
    expect(a).toEqual({ street: 'Ленина', house: '10', flat: '1', owner_name: 'Сидоров Семён Семёнович', status: 'active' });
    const before = await s.open.db
      .selectFrom('charges')
      .select(['service_code', 'charge_kop', 'penalty_kop'])
      .where('account_number', '=', '1234567')
      .orderBy('service_code')
      .execute();
    expect(before.some((c) => c.charge_kop !== null)).toBe(true);
    await importFile(s.open.db, Buffer.from('account;service;period;due\n1234567;MAINT;2026-10;900\n1234567;WATER;2026-10;400\n'), {
      kind: 'charges',
      fileName: 'c.csv',
    });
    const after = await s.open.db
      .selectFrom('charges')
      .select(['service_code', 'charge_kop', 'penalty_kop'])
      .where('account_number', '=', '1234567')
      .orderBy('service_code')
      .execute();
    expect(after).toEqual(before);
  });

  it('a file that does not decode in the encoding asked for is refused with its line (issue 24 item 4)', async () => {
    const text = 'number;street;house;flat;owner\n200001;Гагарина;5;9;Васильев В.В.\n';
    const r = await importFile(s.open.db, Buffer.from(encodeText(text, 'windows-1251')), {
      kind: 'accounts',
      fileName: 'cp.csv',
      encoding: 'utf-8',
    });
    expect(r.status).toBe('failed');
    expect(r.errors[0]).toMatchObject({ line: 2 });
    expect(r.errors[0]?.message).toMatch(/UTF-8|кодировк/i);
    expect(await s.open.db.selectFrom('accounts').select('number').where('number', '=', '200001').executeTakeFirst()).toBeUndefined();
  });

  it('a broken quote is reported in Russian with its real line (issue 24 item 6)', async () => {
    const r = await importFile(s.open.db, Buffer.from('number;owner\n100001;Иванов\n100002;Петров\n100003;Сидоров\n100004;"Орлов\n'), {
      kind: 'accounts',
      fileName: 'q.csv',
    });
    expect(r.status).toBe('failed');
    expect(r.errors[0]?.line).toBe(5);
    expect(r.errors[0]?.message).not.toMatch(/[A-Za-z]{4,}/);
  });

  it('a negative due is an advance the payer has (issue 24 item 14); penalties and charges stay non-negative', async () => {
    const r = await importFile(s.open.db, Buffer.from('account;service;period;due;penalty\n1234567;MAINT;2026-10;-250,00;0\n'), {
      kind: 'charges',
      fileName: 'adv.csv',
    });
    expect(r).toMatchObject({ status: 'done' });
    const c = await s.open.db
      .selectFrom('charges')
      .select('due_kop')
      .where('account_number', '=', '1234567')
      .where('service_code', '=', 'MAINT')
      .executeTakeFirstOrThrow();
    expect(c.due_kop).toBe(-25_000);
    const bad = await importFile(s.open.db, Buffer.from('account;service;period;due;penalty\n1234567;MAINT;2026-10;10;-5\n'), {
      kind: 'charges',
      fileName: 'bad.csv',
    });
    expect(bad.errors.map((e) => e.column)).toEqual(['penalty']);
  });

  it('mode=snapshot: the file is the whole truth for the accounts it names — their charges it leaves out are closed (issue 24 item 14)', async () => {
    await importFile(s.open.db, Buffer.from('account;service;period;due\n1234567;MAINT;2026-11;300\n'), {
      kind: 'charges',
      fileName: 'nov.csv',
    });
    const r = await importFile(s.open.db, Buffer.from('account;service;period;due\n1234567;WATER;2026-10;400\n'), {
      kind: 'charges',
      fileName: 'snap.csv',
      mode: 'snapshot',
    });
    expect(r.status).toBe('done');
    const rows = await s.open.db
      .selectFrom('charges')
      .select(['service_code', 'period', 'due_kop', 'penalty_kop'])
      .where('account_number', '=', '1234567')
      .orderBy('service_code')
      .orderBy('period')
      .execute();
    expect(rows).toEqual([
      { service_code: 'MAINT', period: '2026-10', due_kop: 0, penalty_kop: 0 },
      { service_code: 'MAINT', period: '2026-11', due_kop: 0, penalty_kop: 0 },
      { service_code: 'WATER', period: '2026-10', due_kop: 40_000, penalty_kop: 1_234 },
    ]);
  });

  it('refuses unknown and missing columns, an empty file, a header alone', async () => {
    expect(
      (await importFile(s.open.db, Buffer.from('number;colour\n1;red'), { kind: 'accounts', fileName: 'x' })).errors[0]?.message,
    ).toMatch(/colour/);
    expect(
      (await importFile(s.open.db, Buffer.from('account;service;period\n1;2;2026-01'), { kind: 'charges', fileName: 'x' })).errors[0]
        ?.message,
    ).toMatch(/due/);
    expect((await importFile(s.open.db, Buffer.from(''), { kind: 'accounts', fileName: 'x' })).status).toBe('failed');
    expect((await importFile(s.open.db, Buffer.from('number;street\n'), { kind: 'accounts', fileName: 'x' })).errors[0]?.message).toMatch(
      /нет строк/,
    );
  });

  it('charges: payments after the billing’s acknowledged feed position stay counted as paid', async () => {
    const desk = await s.enroll();
    await s.pushOk(desk, [
      s.op(desk, 'payment.accepted', {
        ...(await import('../../testing/fixture.ts')).billingBody(),
        lines: [{ serviceCode: 'MAINT', period: '2026-10', amountKop: 30_000, penaltyKop: 0 }],
        commissionKop: 0,
        totalKop: 30_000,
        tenderedKop: 30_000,
      }),
    ]);
    // The billing has not consumed the feed yet: its new figure does not include the payment.
    const csv = 'account;service;period;due;penalty\n1234567;MAINT;2026-10;1000,00;0\n';
    const r = await importFile(s.open.db, Buffer.from(csv), { kind: 'charges', fileName: 'c.csv', asOfFeedPosition: 0 });
    expect(r.status).toBe('done');
    const c = await s.open.db
      .selectFrom('charges')
      .select(['due_kop', 'paid_kop'])
      .where('service_code', '=', 'MAINT')
      .executeTakeFirstOrThrow();
    expect(c).toEqual({ due_kop: 100_000, paid_kop: 30_000 });
    // Once it has, its figures include it, and nothing is counted twice.
    const last = await s.open.db.selectFrom('billing_feed').select('position').executeTakeFirstOrThrow();
    await importFile(s.open.db, Buffer.from('account;service;period;due\n1234567;MAINT;2026-10;700,00\n'), {
      kind: 'charges',
      fileName: 'c.csv',
      asOfFeedPosition: last.position,
    });
    expect(
      await s.open.db.selectFrom('charges').select(['due_kop', 'paid_kop']).where('service_code', '=', 'MAINT').executeTakeFirstOrThrow(),
    ).toEqual({ due_kop: 70_000, paid_kop: 0 });
  });

  it('meters: upsert by account and serial, a newer reading only moves forward', async () => {
    const csv =
      'account;service;serial;digits;fraction_digits;verification_due;last_value;last_date\n1234567;WATER;ХВ-002;5;3;01.01.2031;15,5;2026-11-01\n1234567;WATER;ХВ-001;5;3;;999;2026-01-01\n';
    const r = await importFile(s.open.db, Buffer.from(csv), { kind: 'meters', fileName: 'm.csv' });
    expect(r).toMatchObject({ status: 'done', changedRows: 2 });
    const meters = await s.open.db
      .selectFrom('meters')
      .select(['serial', 'last_value_milli', 'last_date', 'verification_due'])
      .orderBy('serial')
      .execute();
    expect(meters).toEqual([
      { serial: 'ХВ-001', last_value_milli: 1_000_000, last_date: '2026-10-20', verification_due: null },
      { serial: 'ХВ-002', last_value_milli: 15_500, last_date: '2026-11-01', verification_due: '2031-01-01' },
    ]);
  });

  it('by upload: 202 at once, then a report with progress; bad input answers problem+json', async () => {
    const up = await s.app.inject({
      method: 'POST',
      url: '/api/v1/imports/accounts?wait=true',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'text/csv' },
      payload: accountsCsv,
    });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ status: 'done', totalRows: 3 });
    const async = await s.app.inject({
      method: 'POST',
      url: '/api/v1/imports/accounts',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'text/csv' },
      payload: 'number;x\n1;2',
    });
    expect(async.statusCode).toBe(202);
    const id = async.json().importId as string;
    let state: { status: string; errors: unknown[] } = { status: 'validating', errors: [] };
    for (let i = 0; i < 50 && (state.status === 'validating' || state.status === 'applying'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = (await s.as(s.adminToken)('GET', `/api/v1/imports/${id}`)).json();
    }
    expect(state.status).toBe('failed');
    expect(state.errors).toHaveLength(1);
    const wrongKind = await s.app.inject({
      method: 'POST',
      url: '/api/v1/imports/payments',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'text/csv' },
      payload: 'x',
    });
    expect(wrongKind.statusCode).toBe(400);
    expect(wrongKind.headers['content-type']).toContain('problem+json');
  });
});
