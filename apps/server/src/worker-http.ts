/**
 * The worker process's own small HTTP: /health (alive, the database answers) and /metrics (its
 * forwarding attempts), so a supervisor and Prometheus watch it as they watch a server. Nothing else:
 * the worker takes no requests that change anything.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandling } from '@paydesk/http-kit';
import type { Database } from './db/database.ts';
import type { ServerConfig } from './config.ts';
import { healthRoute } from './http/health.ts';
import { Metrics } from './http/metrics.ts';

export async function buildWorkerApp(
  db: Database,
  config: Pick<ServerConfig, 'logLevel' | 'metricsToken'>,
): Promise<{ app: FastifyInstance; metrics: Metrics }> {
  const app = Fastify({ logger: { level: config.logLevel } });
  installErrorHandling(app, {});
  const metrics = new Metrics(db);
  metrics.install(app, config.metricsToken);
  healthRoute(app, db, () => new Date(), 'Процесс работ жив и база отвечает');
  await app.ready();
  return { app, metrics };
}
