/**
 * The register's state as the desk shows it everywhere (status bar, banners, /api/status), read
 * from the device now and then and after every operation, never on the cashier's critical path.
 *
 * A read that fails is shown as "not answering" with its reason — never as the last good status — and
 * the device is asked again only after a pause that grows while it keeps failing, so a dead device is
 * not flooded with status requests. A look at the status never waits behind an operation that holds
 * the register: it shows what is known and reads again when the register is free.
 */
import type { RegisterStatus } from '@paydesk/fiscal';
import type { FiscalRunner } from '../fiscal/fiscal-runner.ts';

const MAX_PAUSE_MS = 60_000;

export class RegisterStatusCache {
  private value: RegisterStatus | null = null;
  private at = 0;
  private failures = 0;
  private error: string | null = null;
  private pending: Promise<RegisterStatus | null> | null = null;

  constructor(
    private readonly runner: Pick<FiscalRunner, 'read' | 'busy'>,
    private readonly maxAgeMs = 10_000,
  ) {}

  /** How long a status is good for; longer while the device keeps failing. */
  private ageLimit(): number {
    return this.failures === 0 ? this.maxAgeMs : Math.min(Math.max(this.maxAgeMs, 1_000) * 2 ** Math.min(this.failures, 6), MAX_PAUSE_MS);
  }

  /** The last known status, refreshed in the background when old and the register is free. */
  get(): RegisterStatus | null {
    if (Date.now() - this.at > this.ageLimit() && !this.runner.busy) void this.refresh();
    return this.value;
  }

  /** Why the last read failed, or null when it did not. */
  lastError(): string | null {
    return this.error;
  }

  refresh(): Promise<RegisterStatus | null> {
    this.pending ??= this.runner
      .read((r) => r.status())
      .then((s) => {
        this.value = s;
        this.failures = s.connected ? 0 : this.failures + 1;
        this.error = s.connected ? null : 'ККТ не отвечает';
        return s;
      })
      .catch((e: unknown) => {
        this.failures++;
        this.error = (e as Error).message;
        this.value = this.value ? { ...this.value, connected: false } : null;
        return this.value;
      })
      .finally(() => {
        this.at = Date.now();
        this.pending = null;
      });
    return this.pending;
  }

  invalidate(): void {
    this.at = 0;
  }
}
