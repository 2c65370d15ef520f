/**
 * backup.json says what the server had confirmed when the copy was taken, in the server's numbering,
 * and how many operations only the copy holds (a helper's review: it gave the newest local seq, unsent
 * ops and a renumbered journal's local numbers included).
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { backupDataFolder } from './backup.ts';
import { openJournal, setMeta } from './journal-db.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paydesk-backup-unit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

it('lastSeq is the server-confirmed seq in the server’s numbering; unsent counts what only the copy holds', () => {
  const data = join(dir, 'data');
  const db = openJournal(join(data, 'journal.sqlite'));
  const insert = db.prepare(
    `INSERT INTO ops (seq, op_id, type, body, hash, created_at, sync_state) VALUES (?, ?, 'payment.accepted', '{}', ?, '2026-12-04T10:00:00Z', ?)`,
  );
  // A journal renumbered after a restore: its epoch's seq 1 is local seq 11.
  setMeta(db, 'seq_base', '11');
  for (const [seq, state] of [
    [11, 'applied'],
    [12, 'applied'],
    [13, 'applied_with_review'],
    [14, 'pending'],
    [15, 'pending'],
  ] as const)
    insert.run(seq, `00000000-0000-7000-8000-0000000000${seq}`, '0'.repeat(64), state);
  db.close();
  const m = backupDataFolder(data, join(dir, 'copy'));
  expect({ lastSeq: m.lastSeq, unsent: m.unsent }).toEqual({ lastSeq: 3, unsent: 2 });
  expect(JSON.parse(readFileSync(join(dir, 'copy', 'backup.json'), 'utf8'))).toMatchObject({ lastSeq: 3, unsent: 2 });
});

it('--out a symlink to an empty folder fills that folder; a crashed backup’s leftover is cleared', () => {
  const data = join(dir, 'data');
  openJournal(join(data, 'journal.sqlite')).close();
  const real = join(dir, 'nightly-real');
  mkdirSync(real);
  const link = join(dir, 'nightly');
  symlinkSync(real, link);
  // An earlier backup into the same place was killed half-way.
  const stale = join(dir, '.nightly-real.partial-99999');
  mkdirSync(stale);
  writeFileSync(join(stale, 'journal.sqlite'), 'half a copy');
  const m = backupDataFolder(data, link);
  expect(m.files).toContain('journal.sqlite');
  expect(lstatSync(link).isSymbolicLink()).toBe(true);
  expect(readdirSync(real).sort()).toEqual(['backup.json', 'journal.sqlite']);
  expect(existsSync(stale)).toBe(false);
});
