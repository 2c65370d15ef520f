/**
 * Issue 18 item 4: the journal holds password hashes, personal data and the register's settings; it is
 * the desk's alone — owner-only files in an owner-only folder, whatever the process's umask.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openJournal } from './journal-db.ts';

describe.skipIf(process.platform === 'win32')('the journal’s files', () => {
  it('are readable by their owner only, the WAL and its folder too', () => {
    const root = mkdtempSync(join(tmpdir(), 'paydesk-perm-'));
    const old = process.umask(0o022);
    try {
      const file = join(root, 'data', 'journal.sqlite');
      const db = openJournal(file);
      db.prepare("INSERT INTO meta (key, value) VALUES ('probe', 'x') ON CONFLICT (key) DO UPDATE SET value = excluded.value").run();
      for (const f of [file, `${file}-wal`, `${file}-shm`, join(root, 'data')]) expect(statSync(f).mode & 0o077, f).toBe(0);
      db.close();
    } finally {
      process.umask(old);
      rmSync(root, { recursive: true, force: true });
    }
  });
});
