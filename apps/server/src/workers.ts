/**
 * Background workers that run in the server process by default (PAYDESK_WORKERS=inline), or in a
 * process of their own. They coordinate through the database only, so several may run at once.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from './db/database.ts';

export interface Worker {
  name: string;
  stop(): Promise<void>;
}

export type WorkerFactory = (db: Database, log: FastifyBaseLogger) => Worker;

const factories: WorkerFactory[] = [];

/** Slices register their workers here (provider forwarding, …). */
export function registerWorker(factory: WorkerFactory): void {
  factories.push(factory);
}

export function startWorkers(db: Database, log: FastifyBaseLogger): Worker[] {
  return factories.map((f) => f(db, log));
}
