import { describe, expect, it } from 'vitest';
import { openJournal } from '../../db/journal-db.ts';
import { Journal } from './journal.ts';

describe('the sync journal', () => {
  // Issue 16 (found by the chaos harness, long profile, seed 20261204): after a server restore, a pull
  // re-marked the desk's acknowledged ops as pending while a push was in flight; that push's answer
  // then marked its own ops applied, leaving a hole in the pending ops. The next batch spanned the
  // hole, the server refused it as unreadable ("операции должны идти подряд по seq") and the desk
  // stopped sending for good, 493 ops behind.
  it('gives a push batch only consecutive seqs, up to the first hole in what is pending', () => {
    const db = openJournal(':memory:');
    const journal = new Journal(db);
    const at = new Date('2026-12-03T12:00:00Z');
    const ids = Array.from({ length: 10 }, (_, i) => `01930000-0000-7000-8000-${String(i + 1).padStart(12, '0')}`);
    db.transaction(() =>
      ids.forEach((id, i) => journal.append('cash.in', id, { cashierId: 'c', shiftNumber: 1, amountKop: i + 1, at: at.toISOString() }, at)),
    )();
    db.prepare("UPDATE ops SET sync_state = 'applied' WHERE seq BETWEEN 4 AND 6").run();

    expect(journal.pending(500).map((o) => o.seq)).toEqual([1, 2, 3]);
    db.prepare("UPDATE ops SET sync_state = 'applied' WHERE seq <= 3").run();
    expect(journal.pending(500).map((o) => o.seq)).toEqual([7, 8, 9, 10]);
    expect(journal.pending(2).map((o) => o.seq)).toEqual([7, 8]);
    expect(journal.counts().unsent).toBe(4);
  });
});
