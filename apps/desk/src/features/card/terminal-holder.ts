/**
 * The card terminal the desk works with: from the settings screen (`terminal_settings`, its password in
 * `terminal.secret`), or the virtual one beside the virtual register (the demo), or standalone — a
 * terminal not connected to the desk — beside a real register until someone connects it.
 */
import { join } from 'node:path';
import { createTerminal, VirtualTerminal, type TerminalSettings } from '@paydesk/fiscal';
import type { JournalDb } from '../../db/journal-db.ts';
import type { Clock } from '../../clock.ts';
import { loadDeviceSettings, saveDeviceSettings } from '../settings/register-settings.ts';
import type { TerminalHolder } from './card-charges.ts';

export type KkmTerminalSettings = Extract<TerminalSettings, { driver: 'kkmserver' }>;
export type StoredTerminalSettings = KkmTerminalSettings | { driver: 'virtual' } | { driver: 'standalone' };

export function loadTerminalSettings(db: JournalDb, dataDir: string): StoredTerminalSettings | undefined {
  return loadDeviceSettings<StoredTerminalSettings & { password?: string }>(db, dataDir, 'terminal');
}

export function saveTerminalSettings(db: JournalDb, dataDir: string, settings: StoredTerminalSettings): void {
  saveDeviceSettings(db, dataDir, 'terminal', settings);
}

export function createTerminalHolder(
  dataDir: string,
  settings: StoredTerminalSettings | undefined,
  registerDriver: string,
  clock: Clock,
): TerminalHolder {
  const chosen: StoredTerminalSettings = settings ?? (registerDriver === 'virtual' ? { driver: 'virtual' } : { driver: 'standalone' });
  if (chosen.driver === 'virtual') {
    const virtual = new VirtualTerminal({ file: join(dataDir, 'terminal.sqlite'), now: clock });
    return { current: virtual, virtual, describe: { driver: 'virtual' } };
  }
  if (chosen.driver === 'standalone') return { current: null, virtual: null, describe: { driver: 'standalone' } };
  return { current: createTerminal(chosen), virtual: null, describe: { driver: chosen.driver, url: chosen.url } };
}
