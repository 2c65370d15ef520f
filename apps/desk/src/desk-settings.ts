/**
 * Settings as the desk uses them: what the administrator set on the server (replicated: the desk's
 * own, its point's, global) under what was changed on this desk's settings screen.
 */
import { resolveSetting, type SettingKey, type SettingRead } from '@paydesk/protocol';
import { getMeta, setMeta, type JournalDb } from './db/journal-db.ts';

export interface LocalSettings {
  syncIntervalSeconds?: number;
  pullIntervalSeconds?: number;
  printChange?: boolean;
  language?: 'ru' | 'en';
}

/**
 * A payment reads a dozen settings; resolving each (three scopes, a schema check) on every read cost
 * more than the journal write. Answers are kept until the settings change: the replica bumps the
 * generation when a pulled page carries settings, and so does a change on this desk.
 */
const generations = new WeakMap<JournalDb, number>();

export function settingsChanged(db: JournalDb): void {
  generations.set(db, (generations.get(db) ?? 0) + 1);
}

export class DeskSettings {
  private readonly read;
  private cache = new Map<string, unknown>();
  private cachedGeneration = -1;

  constructor(private readonly db: JournalDb) {
    this.read = db.prepare('SELECT value FROM settings WHERE key = ?');
  }

  local(): LocalSettings {
    return JSON.parse(getMeta(this.db, 'local_settings') ?? '{}') as LocalSettings;
  }

  setLocal(patch: LocalSettings): void {
    setMeta(this.db, 'local_settings', JSON.stringify({ ...this.local(), ...patch }));
    settingsChanged(this.db);
  }

  /** A setting as the desk uses it; keys with a default (protocol's DEFAULT_SETTINGS) are always present. */
  get<K extends SettingKey>(key: K): SettingRead<K> {
    const generation = generations.get(this.db) ?? 0;
    if (generation !== this.cachedGeneration) {
      this.cache = new Map();
      this.cachedGeneration = generation;
    }
    if (this.cache.has(key)) return this.cache.get(key) as SettingRead<K>;
    const value = this.resolve(key);
    this.cache.set(key, value);
    return value;
  }

  private resolve<K extends SettingKey>(key: K): SettingRead<K> {
    const local = this.local() as Record<string, unknown>;
    if (local[key] !== undefined) return local[key] as SettingRead<K>;
    return resolveSetting(key, (scoped) => {
      const r = this.read.get(scoped) as { value: string } | undefined;
      return r ? (JSON.parse(r.value) as unknown) : undefined;
    });
  }

  timeZone(): string {
    return this.get('timeZone');
  }
}
