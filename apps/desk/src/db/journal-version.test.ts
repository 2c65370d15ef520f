/**
 * Issue 20 item 4: a desk rolled back after an upgrade must not run on a journal whose schema is newer
 * than its code — it would write rows a newer desk reads differently. It refuses to start, saying why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '@paydesk/sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal } from './journal-db.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('a journal newer than the desk', () => {
  it('is refused with the versions named, and left as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paydesk-journal-'));
    dirs.push(dir);
    const file = join(dir, 'journal.sqlite');
    const current = openJournal(file);
    const version = current.pragma('user_version', { simple: true }) as number;
    current.close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${version + 1}`);
    raw.close();
    expect(() => openJournal(file)).toThrow(
      new RegExp(`журнал кассы новее программы: версия схемы ${version + 1}, программа знает до ${version}`, 'i'),
    );
    const after = new Database(file);
    expect(after.pragma('user_version', { simple: true })).toBe(version + 1);
    after.close();
  });
});
