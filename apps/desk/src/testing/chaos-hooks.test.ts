import { afterEach, describe, expect, it } from 'vitest';
import { shiftWallClock } from './chaos-hooks.ts';

const YEAR = 365 * 86_400_000;

afterEach(() => shiftWallClock(0));

describe('the chaos harness’s wall-clock shift', () => {
  it('moves now() and new Date() by the offset, leaves explicit dates and the monotonic clock alone, and heals', () => {
    const realBefore = Date.now();
    const monoBefore = performance.now();
    shiftWallClock(-3 * YEAR);
    expect(Date.now()).toBeLessThan(realBefore - 3 * YEAR + 5_000);
    expect(new Date().getTime()).toBeLessThan(realBefore - 3 * YEAR + 5_000);
    expect(new Date(0).getTime()).toBe(0);
    expect(new Date('2026-11-28T12:00:00Z').toISOString()).toBe('2026-11-28T12:00:00.000Z');
    expect(new Date(2026, 0, 1).getFullYear()).toBe(2026);
    expect(new Date() instanceof Date).toBe(true);
    expect(performance.now()).toBeGreaterThanOrEqual(monoBefore);
    shiftWallClock(86_400_000);
    expect(Date.now() - realBefore).toBeGreaterThanOrEqual(86_400_000);
    shiftWallClock(0);
    expect(Math.abs(Date.now() - realBefore)).toBeLessThan(5_000);
  });
});
