/**
 * A new enrollment writes the desk's key (a file) and its identity (the journal) — two places that must
 * agree: a desk whose key is the new one and whose epoch is the old (or the other way round) cannot sign
 * in to the server and does not say why (a helper's review). Whatever stops a save half-way, the desk is
 * the old desk or the new one, whole.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { EnrollResponse } from '@paydesk/protocol';
import { openJournal, setMeta, type JournalDb } from './db/journal-db.ts';
import { IdentityStore } from './identity.ts';

let dir: string;
let db: JournalDb;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paydesk-identity-'));
  db = openJournal(join(dir, 'journal.sqlite'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const enrollment = (epoch: number, key: string): EnrollResponse => ({
  deskId: '0190f1a0-0000-7000-8000-000000000001',
  pointId: '0190f1a0-0000-7000-8000-0000000000aa',
  epoch,
  name: 'Касса 1',
  deskKey: key,
});
const KEY_A = `pdk_${'a'.repeat(40)}`;
const KEY_B = `pdk_${'b'.repeat(40)}`;

it('a save stopped before the journal took it leaves the old desk whole: its epoch with its key', () => {
  const store = new IdentityStore(db, dir);
  store.save('http://server:8080', enrollment(1, KEY_A));
  // The journal refuses the write (a full disk, a locked file) after the key would have been written.
  db.exec(`CREATE TRIGGER no_epoch BEFORE UPDATE ON meta WHEN NEW.key = 'epoch' BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
  expect(() => store.save('http://server:8080', enrollment(2, KEY_B))).toThrow(/disk full/);
  expect(store.current()).toMatchObject({ epoch: 1, key: KEY_A });
  expect(readFileSync(join(dir, 'desk.key'), 'utf8')).toBe(KEY_A);
});

it('a save stopped after the journal took it, before the key file was renamed, is finished at the next start', () => {
  const store = new IdentityStore(db, dir);
  store.save('http://server:8080', enrollment(1, KEY_A));
  // What a save of epoch 2 leaves when the process dies between its commit and its rename.
  writeFileSync(join(dir, 'desk.key.new'), KEY_B, { mode: 0o600 });
  db.transaction(() => {
    setMeta(db, 'epoch', '2');
    setMeta(db, 'key_sha256', createHash('sha256').update(KEY_B).digest('hex'));
  })();
  expect(new IdentityStore(db, dir).current()).toMatchObject({ epoch: 2, key: KEY_B });
  expect(readFileSync(join(dir, 'desk.key'), 'utf8')).toBe(KEY_B);
  expect(existsSync(join(dir, 'desk.key.new'))).toBe(false);
});

it('a new key file the journal never took is thrown away, the old identity kept', () => {
  const store = new IdentityStore(db, dir);
  store.save('http://server:8080', enrollment(1, KEY_A));
  writeFileSync(join(dir, 'desk.key.new'), KEY_B, { mode: 0o600 });
  expect(new IdentityStore(db, dir).current()).toMatchObject({ epoch: 1, key: KEY_A });
  expect(existsSync(join(dir, 'desk.key.new'))).toBe(false);
});
