/**
 * The register's state as the desk shows it everywhere (status bar, banners, /api/status), read
 * from the device now and then and after every operation, never on the cashier's critical path.
 */
import type { RegisterStatus } from '@paydesk/fiscal';
import type { FiscalRunner } from '../fiscal/fiscal-runner.ts';

export class RegisterStatusCache {
  private value: RegisterStatus | null = null;
  private at = 0;
  private pending: Promise<RegisterStatus | null> | null = null;

  constructor(
    private readonly runner: FiscalRunner,
    private readonly maxAgeMs = 10_000,
  ) {}

  /** The last known status, refreshed in the background when old. */
  get(): RegisterStatus | null {
    if (Date.now() - this.at > this.maxAgeMs) void this.refresh();
    return this.value;
  }

  refresh(): Promise<RegisterStatus | null> {
    this.pending ??= this.runner
      .read((r) => r.status())
      .then((s) => {
        this.value = s;
        this.at = Date.now();
        return s;
      })
      .catch(() => this.value)
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }

  invalidate(): void {
    this.at = 0;
  }
}
