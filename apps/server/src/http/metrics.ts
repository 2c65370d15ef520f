/** Prometheus metrics at /metrics: requests, sync outcomes, push latency, pull volume, queues. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '@paydesk/protocol';
import { sha256 } from '../security/secrets.ts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/database.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** A gauge's database count, asked at most every 15 s however often /metrics is scraped. */
function cached(read: () => Promise<number>): () => Promise<number> {
  let at = 0;
  let value = 0;
  return async () => {
    if (Date.now() - at >= 15_000) {
      value = await read();
      at = Date.now();
    }
    return value;
  };
}

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'paydesk_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'paydesk_http_request_seconds',
    help: 'HTTP request duration',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly syncOps = new Counter({
    name: 'paydesk_sync_ops_total',
    help: 'Operations pushed by desks, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly pushSeconds = new Histogram({
    name: 'paydesk_sync_push_seconds',
    help: 'Time to apply one push batch',
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly pullRows = new Counter({
    name: 'paydesk_sync_pull_rows_total',
    help: 'Reference rows sent to desks',
    registers: [this.registry],
  });
  readonly forwardings = new Counter({
    name: 'paydesk_forwarding_attempts_total',
    help: 'Provider forwarding attempts by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(db: Database) {
    collectDefaultMetrics({ register: this.registry, prefix: 'paydesk_' });
    const registry = this.registry;
    const reviewOpen = cached(async () =>
      Number(
        (
          await db
            .selectFrom('review_items')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', '=', 'open')
            .executeTakeFirst()
        )?.n ?? 0,
      ),
    );
    const forwardingPending = cached(async () =>
      Number(
        (
          await db
            .selectFrom('forwardings')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('state', 'in', ['queued', 'sent'])
            .executeTakeFirst()
        )?.n ?? 0,
      ),
    );
    new Gauge({
      name: 'paydesk_review_open',
      help: 'Open items in the review queue',
      registers: [registry],
      async collect() {
        this.set(await reviewOpen());
      },
    });
    new Gauge({
      name: 'paydesk_forwarding_pending',
      help: 'Third-party payments not yet confirmed by their provider',
      registers: [registry],
      async collect() {
        this.set(await forwardingPending());
      },
    });
  }

  recordPush(s: { applied: number; review: number; rejected: number; replayed: number }): void {
    this.syncOps.inc({ outcome: 'applied' }, s.applied);
    this.syncOps.inc({ outcome: 'applied_with_review' }, s.review);
    this.syncOps.inc({ outcome: 'rejected' }, s.rejected);
    this.syncOps.inc({ outcome: 'replayed' }, s.replayed);
  }

  /**
   * /metrics: with a token configured, only with it (Prometheus' bearer_token); without one, only to a
   * request from the loopback address (a scraper on the same host, or a proxy that decides who may).
   * Either way it is not public: its counts say how busy the point is and its database queries cost.
   */
  install(app: FastifyInstance, token?: string): void {
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unknown';
      this.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
      this.requestSeconds.observe({ route }, reply.elapsedTime / 1000);
    });
    app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (req, reply) => {
      if (token !== undefined) {
        const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
        const a = Buffer.from(sha256(given));
        if (!timingSafeEqual(a, Buffer.from(sha256(token))))
          throw new AppError('auth.required', '/metrics: нужен токен метрик (PAYDESK_METRICS_TOKEN) в заголовке Authorization: Bearer');
      } else if (
        !LOOPBACK.has(req.socket.remoteAddress ?? '') ||
        req.headers['x-forwarded-for'] !== undefined ||
        req.headers.forwarded !== undefined
      ) {
        // A request a proxy forwarded is not the loopback's own, whoever the proxy is.
        throw new AppError(
          'auth.forbidden',
          '/metrics отвечает только с этого же компьютера; для сборщика с другого задайте PAYDESK_METRICS_TOKEN',
        );
      }
      return reply.type(this.registry.contentType).send(await this.registry.metrics());
    });
  }
}
