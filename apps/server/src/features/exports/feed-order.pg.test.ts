import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { postgresTestDb, testPgUrl } from '../../testing/test-db.ts';
import { billingBody, testServer, type TestServer } from '../../testing/fixture.ts';
import { readFeed } from './feed.ts';

describe('billing feed on PostgreSQL: a late commit is never skipped', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await testServer(await postgresTestDb());
  });
  afterEach(async () => {
    await s.close();
  });

  it('a reader never sees a later position while an earlier one is still uncommitted', async () => {
    const desk = await s.enroll();
    // A transaction of another writer takes the stamping lock and a position, and does not commit yet.
    const client = new pg.Client({ connectionString: testPgUrl().replace(/\/[^/]*$/, `/${await currentDbName(s)}`) });
    await client.connect();
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(7331001)');
    const { rows } = await client.query<{ p: string }>("SELECT nextval('feed_position') AS p");
    const early = Number(rows[0]!.p);
    await client.query(
      "INSERT INTO billing_feed (position, op_id, kind, at, payload) VALUES ($1, '0190f0d6-0000-7000-8000-0000000f0001', 'reading', now(), '{}')",
      [early],
    );
    // A push now has to wait for the lock before it can take a position after it.
    const push = s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody())]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await readFeed(s.open.db, 0, 100)).items).toEqual([]);
    await client.query('COMMIT');
    await client.end();
    await push;
    const page = await readFeed(s.open.db, 0, 100);
    expect(page.items.map((i) => i.position)).toEqual([early, early + 1]);
  });
});

async function currentDbName(s: TestServer): Promise<string> {
  const r = await sql<{ d: string }>`SELECT current_database() AS d`.execute(s.open.db);
  return r.rows[0]!.d;
}
