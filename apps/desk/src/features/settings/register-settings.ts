/**
 * A device's settings as the desk keeps them (the register's, the card terminal's): the driver, address
 * and user in the journal, the password in `<device>.secret` of the data folder (owner-only), so a copy
 * of the journal — a backup, a file sent to support — carries no device credentials.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegisterSettings } from '@paydesk/fiscal';
import { getMeta, setMeta, type JournalDb } from '../../db/journal-db.ts';

function writeSecret(dataDir: string, device: string, password: string | undefined): void {
  const file = join(dataDir, `${device}.secret`);
  writeFileSync(file, JSON.stringify({ password: password ?? null }), { mode: 0o600 });
  chmodSync(file, 0o600);
}

function readSecret(dataDir: string, device: string): string | undefined {
  const file = join(dataDir, `${device}.secret`);
  if (!existsSync(file)) return undefined;
  const { password } = JSON.parse(readFileSync(file, 'utf8')) as { password: string | null };
  return password ?? undefined;
}

type WithPassword = { driver: string; password?: string };

/** `device` names both the meta key (`<device>_settings`) and the secret file. */
export function saveDeviceSettings(db: JournalDb, dataDir: string, device: string, settings: WithPassword): void {
  const { password, ...rest } = settings;
  writeSecret(dataDir, device, password);
  // The old value is overwritten where it stood (not only unlinked) and the WAL folded back, so the
  // journal's file no longer holds a password written there before.
  db.pragma('secure_delete = ON');
  setMeta(db, `${device}_settings`, JSON.stringify(rest));
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** The stored settings with their password; a journal from before that kept the password in it has it moved out. */
export function loadDeviceSettings<T extends WithPassword>(db: JournalDb, dataDir: string, device: string): T | undefined {
  const stored = getMeta(db, `${device}_settings`);
  if (!stored) return undefined;
  const settings = JSON.parse(stored) as T;
  if (settings.password !== undefined) {
    saveDeviceSettings(db, dataDir, device, settings);
    return settings;
  }
  const password = readSecret(dataDir, device);
  return password === undefined ? settings : { ...settings, password };
}

export function saveRegisterSettings(db: JournalDb, dataDir: string, settings: RegisterSettings): void {
  saveDeviceSettings(db, dataDir, 'register', settings);
}

export function loadRegisterSettings(db: JournalDb, dataDir: string): RegisterSettings | undefined {
  return loadDeviceSettings<RegisterSettings & WithPassword>(db, dataDir, 'register');
}
