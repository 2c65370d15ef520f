/**
 * Background workers that run in the server process by default (PAYDESK_WORKERS=inline), or in a
 * process of their own. They coordinate through the database only, so several may run at once.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from './db/database.ts';
import { ForwardingWorker } from './features/providers/forwarding-worker.ts';
import type { Metrics } from './http/metrics.ts';

export interface Worker {
  name: string;
  stop(): Promise<void>;
}

export type WorkerFactory = (db: Database, log: FastifyBaseLogger, metrics: Metrics | null) => Worker;

const factories: WorkerFactory[] = [
  (db, log, metrics) => {
    const w = new ForwardingWorker(db, log, {
      ...forwardingOptionsFromEnv(),
      ...(metrics ? { onAttempt: (result) => metrics.forwardings.inc({ result }) } : {}),
    });
    w.start();
    return { name: 'forwarding', stop: () => w.stop() };
  },
];

/** Test and chaos runs shorten the forwarding worker's timings through the environment. */
function forwardingOptionsFromEnv(): ConstructorParameters<typeof ForwardingWorker>[2] {
  const n = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);
  const o: Record<string, number> = {};
  for (const [key, env] of [
    ['intervalMs', 'PAYDESK_FORWARD_INTERVAL_MS'],
    ['leaseMs', 'PAYDESK_FORWARD_LEASE_MS'],
    ['retryBaseMs', 'PAYDESK_FORWARD_RETRY_MS'],
    ['maxRetryMs', 'PAYDESK_FORWARD_MAX_RETRY_MS'],
  ] as const) {
    const v = n(env);
    if (v !== undefined && Number.isFinite(v)) o[key] = v;
  }
  return o;
}

/** Slices register their workers here (provider forwarding, …). */
export function registerWorker(factory: WorkerFactory): void {
  factories.push(factory);
}

/** With `metrics`, the workers count what they do there (the server's or the worker process's /metrics). */
export function startWorkers(db: Database, log: FastifyBaseLogger, metrics: Metrics | null = null): Worker[] {
  return factories.map((f) => f(db, log, metrics));
}
