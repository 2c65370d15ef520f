/**
 * The server's HTTP application: one Fastify instance with the zod type provider, OpenAPI at
 * /api/docs, structured logs without secrets, the one error mapper, authentication on every route,
 * metrics, and the feature slices.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod';
import type { Database } from './db/database.ts';
import type { ServerConfig } from './config.ts';
import { installAuth, type RouteRecord } from './http/auth.ts';
import { responseSerializer, tidyDocument } from './http/openapi.ts';
import { installErrorHandling, sendProblem } from '@paydesk/http-kit';
import { Metrics } from './http/metrics.ts';
import { healthRoute, SERVER_VERSION } from './http/health.ts';
import { AppError, problem } from '@paydesk/protocol';
import { syncRoutes } from './features/sync/routes.ts';
import { deskRoutes } from './features/desks/routes.ts';
import { authRoutes } from './features/auth/routes.ts';
import { paymentRoutes } from './features/payments/routes.ts';
import { reportRoutes } from './features/reports/routes.ts';
import { overviewRoutes } from './features/overview/routes.ts';
import { accountCardRoutes } from './features/accounts/card.ts';
import { adminUiPage, serveAdminUi } from './http/admin-ui.ts';
import { reviewRoutes } from './features/review/routes.ts';
import { auditRoutes } from './features/audit/routes.ts';
import { settingsRoutes } from './features/settings/routes.ts';
import { CATALOGS } from './features/catalog/catalogs.ts';
import { registerResource } from './features/catalog/resource.ts';
import { importRoutes } from './features/imports/routes.ts';
import { exportRoutes } from './features/exports/routes.ts';
import { registryRoutes } from './features/exports/registry-routes.ts';
import { providerRoutes } from './features/providers/routes.ts';
import { apiKeyRoutes } from './features/apikeys/routes.ts';

export interface AppOptions {
  db: Database;
  config: Pick<ServerConfig, 'logLevel' | 'sessionHours' | 'enrollmentHours' | 'bodyLimitBytes' | 'trustProxy' | 'metricsToken'> & {
    adminUiDir?: string | undefined;
    onlineWindowSeconds?: number | undefined;
    importLimitBytes?: number | undefined;
  };
  now?: () => Date;
  /** Where the JSON log lines go (stdout when absent): tests read them to prove secrets stay out. */
  logStream?: NodeJS.WritableStream;
  /** Routes a test adds after the app's own (the OpenAPI test registers routes to check the document by). */
  extend?: (app: FastifyInstance) => void | Promise<void>;
}

export interface BuiltApp {
  app: FastifyInstance;
  routes: RouteRecord[];
  metrics: Metrics;
}

export async function buildApp(options: AppOptions): Promise<BuiltApp> {
  const { db, config } = options;
  const now = options.now ?? ((): Date => new Date());
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: {
        paths: ['req.headers.authorization', '*.password', '*.deskKey', '*.token', '*.passwordHash', '*.osmpPassword'],
        censor: '***',
      },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializer);
  const uiPage = config.adminUiDir ? adminUiPage(config.adminUiDir) : null;
  installErrorHandling(
    app,
    uiPage
      ? {
          notFoundPage: (req, reply) =>
            req.url.startsWith('/admin/')
              ? uiPage(req, reply)
              : sendProblem(reply, problem('not_found', `Нет такого адреса: ${req.url.split('?')[0] ?? ''}`)),
        }
      : {},
  );
  const routes = installAuth(app, db, now);
  // PostgreSQL text cannot hold a NUL: one in a path or query (a catalog key «%00») is refused as bad input, not a 500.
  app.addHook('preValidation', async (request) => {
    if (/%00/.test(request.url)) throw new AppError('validation.failed', 'Нулевой символ (%00) в адресе запроса недопустим');
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      Object.assign(new Error(`Слишком много попыток. Повторите через ${Math.ceil(ctx.ttl / 1000)} с.`), { statusCode: 429 }),
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Paydesk server API',
        version: SERVER_VERSION,
        description:
          'Синхронизация касс, бэк-офис, импорт и выгрузки для биллинга. Ошибки — application/problem+json с кодом из packages/protocol/src/errors.ts. ' +
          'Интегратору: docs/integration.md — вход (сеанс pdu_… или API-ключ pda_…), области ключей (read, feed, imports, registries, reconcile) и какая нужна каждому адресу.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'Ключ кассы (pdk_…), токен сеанса (pdu_…) или API-ключ интегратора (pda_…)',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: tidyDocument,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  const metrics = new Metrics(db);
  metrics.install(app, options.config.metricsToken);

  healthRoute(app, db, now, 'Сервер жив и база отвечает');

  syncRoutes(app, db, metrics);
  const onlineWindowMs = config.onlineWindowSeconds !== undefined ? config.onlineWindowSeconds * 1000 : undefined;
  deskRoutes(app, db, { enrollmentHours: config.enrollmentHours, onlineWindowMs });
  authRoutes(app, db, { sessionHours: config.sessionHours, now });
  apiKeyRoutes(app, db, now);
  paymentRoutes(app, db);
  reviewRoutes(app, db);
  auditRoutes(app, db);
  settingsRoutes(app, db);
  for (const def of CATALOGS) registerResource(app, db, def);
  importRoutes(app, db, options.config.importLimitBytes);
  exportRoutes(app, db);
  registryRoutes(app, db);
  providerRoutes(app, db);
  reportRoutes(app, db, now);
  overviewRoutes(app, db, now, onlineWindowMs);
  accountCardRoutes(app, db);
  if (config.adminUiDir) await serveAdminUi(app, config.adminUiDir);
  await options.extend?.(app);
  await app.ready();
  return { app, routes, metrics };
}
