/**
 * Issue 18 item 4: the register's password is not in the journal. A copied journal (a backup, a support
 * case) carries no device credentials; the password lives in an owner-only file of the data folder.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getMeta, openJournal, setMeta, type JournalDb } from '../../db/journal-db.ts';
import { loadRegisterSettings, saveRegisterSettings } from './register-settings.ts';

let dir: string;
let db: JournalDb;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paydesk-reg-'));
  db = openJournal(join(dir, 'journal.sqlite'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the register’s settings', () => {
  it('keep the password out of the journal, in an owner-only file, and come back whole', () => {
    saveRegisterSettings(db, dir, { driver: 'atol', url: 'http://10.0.0.5:16732', user: 'admin', password: 'Секрет-ККТ-30' });
    expect(getMeta(db, 'register_settings')).not.toContain('Секрет-ККТ-30');
    expect(readFileSync(join(dir, 'journal.sqlite')).includes(Buffer.from('Секрет-ККТ-30'))).toBe(false);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'register.secret')).mode & 0o077).toBe(0);
    expect(loadRegisterSettings(db, dir)).toEqual({
      driver: 'atol',
      url: 'http://10.0.0.5:16732',
      user: 'admin',
      password: 'Секрет-ККТ-30',
    });
  });

  it('a journal from before, with the password in it, has it moved out on the first read', () => {
    setMeta(
      db,
      'register_settings',
      JSON.stringify({ driver: 'kkmserver', url: 'http://127.0.0.1:5893', user: 'User', password: 'старый-пароль' }),
    );
    expect(loadRegisterSettings(db, dir)).toMatchObject({ driver: 'kkmserver', password: 'старый-пароль' });
    expect(getMeta(db, 'register_settings')).not.toContain('старый-пароль');
    expect(loadRegisterSettings(db, dir)).toMatchObject({ password: 'старый-пароль' });
  });

  it('no settings stored: none', () => {
    expect(loadRegisterSettings(db, dir)).toBeUndefined();
  });
});
