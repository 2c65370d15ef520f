/**
 * Attacks on the promises of docs/integration.md "Billing → Paydesk": strict decoding (bytes that are
 * not valid refuse the file), what is wrong with the query is refused before the file is read, the
 * accepted content types.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { billingBody, testServer, type TestServer } from '../../testing/fixture.ts';

describe('attack: the import endpoint', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await testServer(await pgliteTestDb());
  });
  afterEach(async () => {
    await s.close();
  });

  const post = (query: string, payload: string | Buffer, contentType?: string) =>
    s.app.inject({
      method: 'POST',
      url: `/api/v1/imports/${query}`,
      headers: { authorization: `Bearer ${s.adminToken}`, ...(contentType ? { 'content-type': contentType } : {}) },
      payload,
    });

  /** An ASCII accounts file of about `size` bytes whose last row's owner has `bad` at byte offset `at` of the file. */
  function fileWithByteAt(at: number, bad: Buffer): { bytes: Buffer; lastNumber: string } {
    const head = 'number;owner\n';
    const rows: string[] = [];
    let size = head.length;
    let n = 400_000;
    while (size < at - 200) {
      const row = `${n};Owner ${n}\n`;
      rows.push(row);
      size += row.length;
      n++;
    }
    const lastNumber = String(n);
    const prefix = `${head}${rows.join('')}${lastNumber};`;
    const filler = 'A'.repeat(at - Buffer.byteLength(prefix));
    const bytes = Buffer.concat([Buffer.from(prefix + filler), bad, Buffer.from('Z\n')]);
    expect(bytes.indexOf(bad, at - 1)).toBe(at);
    return { bytes, lastNumber };
  }

  it('a stray UTF-8 lead byte at the end of the first 64 KB is dropped silently and the file imported (encoding=utf-8)', async () => {
    // 0xD0 alone (a Windows-1251 «Р» in a UTF-8 file): not valid UTF-8 wherever it stands.
    const { bytes, lastNumber } = fileWithByteAt(65_535, Buffer.from([0xd0]));
    const r = await post('accounts?wait=true&encoding=utf-8', bytes, 'text/csv');
    const stored = await s.open.db.selectFrom('accounts').select('owner_name').where('number', '=', lastNumber).executeTakeFirst();
    expect({ status: r.json().status, stored: stored?.owner_name ?? null }).toEqual({ status: 'failed', stored: null });
  });

  it('the same byte one position earlier is refused, as the docs say (control)', async () => {
    const { bytes, lastNumber } = fileWithByteAt(65_534, Buffer.from([0xd0]));
    const r = await post('accounts?wait=true&encoding=utf-8', bytes, 'text/csv');
    expect(r.json().status).toBe('failed');
    expect(r.json().errors).toEqual([expect.objectContaining({ column: 'owner', message: expect.stringMatching(/байты не читаются/) })]);
    expect(await s.open.db.selectFrom('accounts').select('owner_name').where('number', '=', lastNumber).executeTakeFirst()).toBeUndefined();
  });

  it('an empty asOf (asOf=) is taken as position 0: every payment ever is kept on top of the imported debt', async () => {
    const desk = await s.enroll();
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody())]);
    // The billing has read and acknowledged the payment: its figures include it.
    expect((await s.as(s.adminToken)('POST', '/api/v1/billing/feed/ack', { consumer: 'billing', position: 1 })).statusCode).toBe(200);
    const r = await post('charges?wait=true&asOf=', 'account;service;period;due\n1234567;WATER;2026-10;400\n', 'text/csv');
    // A query value that is not a position is refused before the file is read — or the default (the ack) applies.
    if (r.statusCode === 400) return;
    expect(r.json().asOf).toBe(1);
  });
});

describe('a supplier named by a ИНН two suppliers share', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await testServer(await pgliteTestDb());
  });
  afterEach(async () => {
    await s.close();
  });

  it('a charge naming it is an error with its line, not one of them picked', async () => {
    const created = await s.as(s.adminToken)('POST', '/api/v1/suppliers', {
      name: 'ООО "УК Дом", филиал',
      inn: '7707083893',
      kpp: '770701001',
    });
    expect(created.statusCode, created.body).toBe(201);
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/v1/imports/charges?wait=true',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'text/csv' },
      payload: 'account;service;period;due;supplier\n1234567;MAINT;2026-11;300;7707083893\n',
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().errors).toEqual([
      expect.objectContaining({ line: 2, column: 'supplier', message: expect.stringMatching(/нескольких/) }),
    ]);
  });
});

describe('one import of a kind at a time (issue 18 item 7)', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await testServer(await pgliteTestDb());
  });
  afterEach(async () => {
    await s.close();
  });

  it('a second charges file while one is running is 409 naming the running one; another kind goes ahead', async () => {
    // An import left running (as one in progress is): its row says so.
    await s.open.db
      .insertInto('imports')
      .values({
        id: '0190f0d6-0000-7000-8000-00000000a001',
        kind: 'charges',
        file_name: 'big.csv',
        status: 'applying',
        errors: '[]',
        created_by: 'billing',
        finished_at: null,
        encoding: null,
        delimiter: null,
        as_of: null,
      })
      .execute();
    const post = (kind: string) =>
      s.app.inject({
        method: 'POST',
        url: `/api/v1/imports/${kind}?wait=true`,
        headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'text/csv' },
        payload: kind === 'charges' ? 'account;service;period;due\n1234567;WATER;2026-10;400\n' : 'number;owner\n300099;Тестов Т.Т.\n',
      });
    const second = await post('charges');
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: 'conflict', reason: 'import_running' });
    expect(second.json().detail).toMatch(/big\.csv/);
    expect((await post('accounts')).statusCode).toBe(200);
  });
});
