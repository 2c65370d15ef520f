/**
 * What an integrator working from the docs alone met at the import endpoint (issue 24): the content types
 * the docs promise, messages that say how to fix the file, every undecodable line, a report that says
 * what a snapshot closed and which feed position it counted from, and one shape for the report however
 * it is fetched.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeText } from '@paydesk/domain';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { billingBody, testServer, type TestServer } from '../../testing/fixture.ts';

describe('the import endpoint as an integrator meets it', () => {
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

  it('takes text/csv, text/plain and application/octet-stream; anything else is 415 saying to send text/csv', async () => {
    for (const type of ['text/csv', 'text/plain; charset=utf-8', 'application/octet-stream']) {
      const r = await post('accounts?wait=true', 'number;owner\n300001;Тестов Т.Т.\n', type);
      expect(r.statusCode, type).toBe(200);
    }
    for (const type of ['application/json', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', undefined]) {
      const r = await post('accounts?wait=true', 'number;owner\n300002;Тестов Т.Т.\n', type);
      expect(r.statusCode, String(type)).toBe(415);
      expect(r.json().detail, String(type)).toMatch(/text\/csv/);
    }
    expect(await s.open.db.selectFrom('accounts').select('number').where('number', '=', '300002').executeTakeFirst()).toBeUndefined();
  });

  it('a negative penalty or charge and an empty due are named as what they are', async () => {
    const r = (
      await post(
        'charges?wait=true',
        'account;service;period;due;penalty;charge\n1234567;MAINT;2026-10;10;-5;1\n1234567;WATER;2026-10;10;0;-100\n1234567;MAINT;2026-11;;0;1\n',
        'text/csv',
      )
    ).json();
    expect(r.errors).toEqual([
      { line: 2, column: 'penalty', message: expect.stringMatching(/не могут быть отрицательн/) },
      { line: 3, column: 'charge', message: expect.stringMatching(/не может быть отрицательн/) },
      { line: 4, column: 'due', message: expect.stringMatching(/не указан/) },
    ]);
  });

  it('every line that does not decode is reported once, with its column', async () => {
    const text = 'number;street;owner\n300010;Гагарина;Васильев В.В.\n300011;Ленина;Petrov\n300012;Mira;Орлов О.О.\n';
    const r = (await post('accounts?wait=true&encoding=utf-8', Buffer.from(encodeText(text, 'windows-1251')), 'text/csv')).json();
    expect(r.status).toBe('failed');
    expect(r.errors.map((e: { line: number; column?: string }) => [e.line, e.column])).toEqual([
      [2, 'street'],
      [2, 'owner'],
      [3, 'street'],
      [4, 'owner'],
    ]);
    for (const e of r.errors as { message: string }[]) expect(e.message).not.toMatch(/строка/);
  });

  it('accounts cannot be a snapshot: the query is refused, not the file', async () => {
    const r = await post('accounts?wait=true&mode=snapshot', 'number;owner\n300020;Тестов Т.Т.\n', 'text/csv');
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('validation.failed');
  });

  it('a snapshot says what it closed; a report says which feed position it counted from; asOf past the feed is refused', async () => {
    const desk = await s.enroll();
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody())]);
    const snap = (
      await post('charges?wait=true&mode=snapshot', 'account;service;period;due\n1234567;WATER;2026-10;400\n', 'text/csv')
    ).json();
    expect(snap).toMatchObject({ status: 'done', mode: 'snapshot', changedRows: 1, closedRows: 1, asOf: 1 });
    const ahead = await post('charges?wait=true&asOf=99', 'account;service;period;due\n1234567;WATER;2026-10;400\n', 'text/csv');
    expect(ahead.statusCode).toBe(400);
    expect(ahead.json().detail).toMatch(/99/);
  });

  it('the report is one shape: as answered with wait=true and as read back by its id', async () => {
    const waited = (await post('accounts?wait=true&fileName=a.csv', 'number;owner\n300030;Тестов Т.Т.\n', 'text/csv')).json();
    const read = (await s.as(s.adminToken)('GET', `/api/v1/imports/${waited.importId as string}`)).json();
    expect(Object.keys(read).sort()).toEqual(Object.keys(waited).sort());
    expect(read).toMatchObject({
      importId: waited.importId,
      fileName: 'a.csv',
      encoding: waited.encoding,
      delimiter: ';',
      mode: 'update',
      totalRows: 1,
      changedRows: 1,
    });
    const list = (await s.as(s.adminToken)('GET', '/api/v1/imports')).json();
    expect(list.items[0]).toMatchObject({ importId: waited.importId, fileName: 'a.csv' });
  });
});
