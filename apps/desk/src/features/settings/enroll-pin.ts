/**
 * The desk's own one-time code for its first enrolment: proof that whoever enrolls it is at the desk.
 * Written to the desk's console log and to enroll.pin in its data folder (owner-only) — what another
 * local user or a web page cannot read. Five wrong tries make a new one (six digits, so guessing is
 * hopeless); enrolling removes it. A desk enrolled already is re-enrolled by its administrator instead.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

const TRIES = 5;
const PAUSE_MS = 60_000;

export class EnrollPin {
  private pin: string | null = null;
  private wrong = 0;
  /** After five wrong codes, a minute when none is tried: a million codes then take about 139 days. */
  private pausedUntil = 0;

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {}

  get file(): string {
    return join(this.dataDir, 'enroll.pin');
  }

  issue(): void {
    this.pin = String(randomInt(0, 1_000_000)).padStart(6, '0');
    this.wrong = 0;
    writeFileSync(this.file, `${this.pin}\n`, { mode: 0o600 });
    chmodSync(this.file, 0o600);
    this.log.warn(`Код этой кассы для регистрации: ${this.pin} (он же в файле ${this.file}); введите его вместе с кодом с сервера`);
  }

  /** Whether the code given is this desk's; a wrong one counts, and the fifth makes a new code. */
  check(given: string | undefined, now = Date.now()): boolean {
    if (this.pin === null || now < this.pausedUntil) return false;
    const a = Buffer.from(given ?? '');
    const b = Buffer.from(this.pin);
    const ok = a.length === b.length && timingSafeEqual(a, b);
    if (!ok && ++this.wrong >= TRIES) {
      this.issue();
      this.pausedUntil = now + PAUSE_MS;
    }
    return ok;
  }

  /** Whether codes are not being taken now (after five wrong ones). */
  paused(now = Date.now()): boolean {
    return now < this.pausedUntil;
  }

  clear(): void {
    this.pin = null;
    rmSync(this.file, { force: true });
  }
}
