/**
 * Attack on issue 18 item 4 with a copy of the journal: a journal from before kept the register's
 * password in `meta`; the first read moves it to register.secret and rewrites the row — but SQLite does
 * not write the rewritten page to the journal file until a checkpoint (WAL), so the journal file itself
 * — what a copy of the running desk's data folder takes — still carries the password until then (at
 * close, or after 1000 WAL pages). After a checkpoint it is gone (checked below).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, setMeta, type JournalDb } from '../../db/journal-db.ts';
import { loadRegisterSettings } from './register-settings.ts';

let dir: string;
let db: JournalDb;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paydesk-attack-reg-'));
  db = openJournal(join(dir, 'journal.sqlite'));
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const SECRET = Buffer.from('старый-пароль-ККТ');
const carries = (f: string): boolean => existsSync(f) && readFileSync(f).includes(SECRET);

describe('attack: the register password moved out of an old journal', () => {
  it('is gone from the journal’s bytes once moved out, not only from the meta row', () => {
    setMeta(
      db,
      'register_settings',
      JSON.stringify({ driver: 'kkmserver', url: 'http://127.0.0.1:5893', user: 'User', password: SECRET.toString() }),
    );
    db.pragma('wal_checkpoint(TRUNCATE)'); // the old journal as it was on disk
    expect(carries(join(dir, 'journal.sqlite'))).toBe(true);
    expect(loadRegisterSettings(db, dir)).toMatchObject({ password: SECRET.toString() });
    // A copy of the data folder now (a backup of the running desk): journal + its WAL.
    const live = carries(join(dir, 'journal.sqlite')) || carries(join(dir, 'journal.sqlite-wal'));
    db.close(); // checkpointed into the journal itself
    const closed = carries(join(dir, 'journal.sqlite'));
    // Expected both false. Observed: live true — the journal file keeps the password until a checkpoint.
    expect({ live, closed }).toEqual({ live: false, closed: false });
  });
});
