/**
 * Attacks on the fresh desk's enrolment code (issue 18 item 3) from another local user who can reach
 * the port: a new code every five wrong tries does not make guessing slower — each guess still has a
 * one-in-a-million chance, and nothing limits how fast they come (the per-address limit counts wrong
 * passwords only, not wrong codes). And a code of six characters that are not one byte each throws.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnrollPin } from './enroll-pin.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paydesk-attack-pin-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('attack: guessing the enrolment code', () => {
  it('a code of six non-ASCII digits is a wrong code, not an exception (a 500)', () => {
    const pin = new EnrollPin(dir, pino({ level: 'silent' }));
    pin.issue();
    // Expected false. Observed: RangeError from timingSafeEqual (6 UTF-16 units, 12 bytes) — and the
    // try is not counted.
    expect(pin.check('١٢٣٤٥٦')).toBe(false);
  });

  it('thousands of wrong codes in a row slow nothing down: the right code is taken at once after them', () => {
    const pin = new EnrollPin(dir, pino({ level: 'silent' }));
    pin.issue();
    const t0 = performance.now();
    for (let i = 0; i < 5000; i++) pin.check('000000'.slice(0, 6 - String(i).length) + String(i));
    const perTry = (performance.now() - t0) / 5000;
    const current = readFileSync(pin.file, 'utf8').trim();
    // 1 in 10^6 per guess whatever the re-issue; at this pace (~perTry ms plus an HTTP round trip) the
    // expected 10^6 guesses are minutes, not "hopeless". Expected: a back-off after so many wrong codes.
    expect({ accepted: pin.check(current), perTryMs: Math.round(perTry * 1000) / 1000 }).toMatchObject({ accepted: false });
  });
});
