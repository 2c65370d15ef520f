/**
 * The register's settings as the desk keeps them: the driver, address and user in the journal, the
 * password in `register.secret` of the data folder (owner-only), so a copy of the journal — a backup, a
 * file sent to support — carries no device credentials.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegisterSettings } from '@paydesk/fiscal';
import { getMeta, setMeta, type JournalDb } from '../../db/journal-db.ts';

const SECRET_FILE = 'register.secret';

function writeSecret(dataDir: string, password: string | undefined): void {
  const file = join(dataDir, SECRET_FILE);
  writeFileSync(file, JSON.stringify({ password: password ?? null }), { mode: 0o600 });
  chmodSync(file, 0o600);
}

function readSecret(dataDir: string): string | undefined {
  const file = join(dataDir, SECRET_FILE);
  if (!existsSync(file)) return undefined;
  const { password } = JSON.parse(readFileSync(file, 'utf8')) as { password: string | null };
  return password ?? undefined;
}

export function saveRegisterSettings(db: JournalDb, dataDir: string, settings: RegisterSettings): void {
  const { password, ...rest } = settings as RegisterSettings & { password?: string };
  writeSecret(dataDir, password);
  // The old value is overwritten where it stood (not only unlinked) and the WAL folded back, so the
  // journal's file no longer holds a password written there before.
  db.pragma('secure_delete = ON');
  setMeta(db, 'register_settings', JSON.stringify(rest));
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** The stored settings with their password; a journal from before that kept the password in it has it moved out. */
export function loadRegisterSettings(db: JournalDb, dataDir: string): RegisterSettings | undefined {
  const stored = getMeta(db, 'register_settings');
  if (!stored) return undefined;
  const settings = JSON.parse(stored) as RegisterSettings & { password?: string };
  if (settings.password !== undefined) {
    saveRegisterSettings(db, dataDir, settings);
    return settings;
  }
  const password = readSecret(dataDir);
  if (password === undefined) return settings;
  const whole: RegisterSettings & { password?: string } = { ...settings, password };
  return whole;
}
