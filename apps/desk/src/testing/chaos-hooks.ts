/**
 * Test hooks the chaos harness needs beyond fault injection (only with PAYDESK_TEST_HOOKS=1):
 *
 * - the wall clock of the whole desk process moved (a PC whose CMOS battery died, a clock moved a day
 *   by hand): `globalThis.Date` becomes a subclass whose now() and no-argument constructor add an
 *   offset, so every reader of the time — the desk's clock, UUIDv7, logs, the virtual register —
 *   sees the same wrong time; `performance.now()` and timers stay monotonic, as on a real PC;
 * - a consistent copy of the journal taken while the desk runs (SQLite's online backup), to be put
 *   back later as a restored backup.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { JournalDb } from '../db/journal-db.ts';

const RealDate = Date;
let offsetMs = 0;

class ShiftedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + offsetMs);
    // The other forms mean what they say whatever the clock: pass them through unchanged.
    else super(...(args as [string | number | Date]));
  }

  static override now(): number {
    return RealDate.now() + offsetMs;
  }
}

/** Moves the process's wall clock by `ms` from the real time (0 puts it right again). */
export function shiftWallClock(ms: number): void {
  offsetMs = ms;
  globalThis.Date = ms === 0 ? RealDate : (ShiftedDate as DateConstructor);
}

export function wallClockOffset(): number {
  return offsetMs;
}

export function chaosRoutes(app: FastifyInstance, db: JournalDb): void {
  app.post('/api/test/clock', async (req) => {
    const body = z.object({ offsetMs: z.number().int() }).parse(req.body);
    shiftWallClock(body.offsetMs);
    return { offsetMs: wallClockOffset(), now: new Date().toISOString() };
  });
  app.post('/api/test/backup', async (req) => {
    const body = z.object({ file: z.string().min(1) }).parse(req.body);
    await db.backup(body.file);
    return { ok: true, file: body.file };
  });
}
