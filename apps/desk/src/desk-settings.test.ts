/** Settings are cached between reads, yet a pulled change or a change on this desk shows at once. */
import { describe, expect, it } from 'vitest';
import { openJournal } from './db/journal-db.ts';
import { DeskSettings } from './desk-settings.ts';
import { Replica } from './features/sync/replica.ts';

const setting = (key: string, value: unknown, version: number) => ({ settings: [{ key, value, version: String(version) }] });

describe('desk settings', () => {
  it('a pulled change replaces a cached answer; a bad value falls back to the next scope', () => {
    const db = openJournal(':memory:');
    const settings = new DeskSettings(db);
    const replica = new Replica(db);
    expect(settings.timeZone()).toBe('Europe/Moscow');
    replica.apply(setting('global:timeZone', 'Asia/Yekaterinburg', 1) as never);
    expect(settings.timeZone()).toBe('Asia/Yekaterinburg');
    replica.apply(setting('desk:timeZone', 'Asia/Novosibirsk', 2) as never);
    expect(settings.timeZone()).toBe('Asia/Novosibirsk');
    replica.apply(setting('desk:timeZone', 'Mars/Olympus', 3) as never);
    expect(settings.timeZone()).toBe('Asia/Yekaterinburg');
    // A page without settings keeps the cache; another desk's journal has its own.
    replica.apply({ accounts: [] } as never);
    expect(settings.timeZone()).toBe('Asia/Yekaterinburg');
    expect(new DeskSettings(openJournal(':memory:')).timeZone()).toBe('Europe/Moscow');
  });

  it('a change made on this desk shows at once', () => {
    const db = openJournal(':memory:');
    const settings = new DeskSettings(db);
    expect(settings.get('syncIntervalSeconds')).not.toBe(7);
    settings.setLocal({ syncIntervalSeconds: 7 });
    expect(settings.get('syncIntervalSeconds')).toBe(7);
  });
});
