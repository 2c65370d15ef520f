/** Timing helpers: percentiles of latencies, and the result record every benchmark returns. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The physical limit of the same work in the same run, in the same unit; null when there is none. */
  baseline: number | null;
  /** value ÷ baseline for rates (higher is better); baseline ÷ value for durations. */
  ratio: number | null;
  goal: string;
  met: boolean | null;
  details: Record<string, number | string>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export function latencies(ms: number[]): { p50: number; p99: number; max: number; count: number } {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number): number => Number(x.toFixed(2));
  return { p50: r(percentile(s, 50)), p99: r(percentile(s, 99)), max: r(s.at(-1) ?? NaN), count: s.length };
}

export const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Runs `fn` for each item with at most `concurrency` in flight. */
export async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}
