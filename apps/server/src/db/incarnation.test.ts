/**
 * Issue 16 item 5: the server knows when its database was put back from a backup, so desks and the
 * billing can resync. A copy of the database (what a restore into a new database is) starts a new
 * incarnation; the same database started again keeps its own; a restore the fingerprint cannot see is
 * declared by hand.
 */
import { describe, expect, it } from 'vitest';
import { pgliteTestDb } from '../testing/test-db.ts';
import { checkIncarnation, incarnation, newIncarnation } from './incarnation.ts';

describe('the server’s incarnation', () => {
  it('is kept across restarts of the same database and changes when declared by hand', async () => {
    const open = await pgliteTestDb();
    try {
      const lines: string[] = [];
      const first = await checkIncarnation(open.db, (l) => lines.push(l));
      expect(await checkIncarnation(open.db, (l) => lines.push(l))).toBe(first);
      expect(lines).toHaveLength(0);
      const declared = await newIncarnation(open.db, 'восстановлено из копии');
      expect(declared).not.toBe(first);
      expect(await incarnation(open.db)).toBe(declared);
    } finally {
      await open.close();
    }
  });

  it('a database whose fingerprint changed (restored elsewhere) gets a new incarnation, and says so', async () => {
    const open = await pgliteTestDb();
    try {
      const first = await checkIncarnation(open.db, () => undefined);
      await open.db.updateTable('server_meta').set({ value: 'другой кластер|1|1' }).where('key', '=', 'fingerprint').execute();
      const lines: string[] = [];
      const next = await checkIncarnation(open.db, (l) => lines.push(l));
      expect(next).not.toBe(first);
      expect(lines.join('\n')).toContain('восстановлена');
    } finally {
      await open.close();
    }
  });
});
