/**
 * The desk's HTTP API on 127.0.0.1 (and the cashier UI's files): one Fastify instance with the zod
 * type provider, OpenAPI at /api/docs, logs without secrets, the one error mapper, the cashier's
 * session (http/auth.ts), and the feature slices, each with its own routes.ts. Nothing else lives here.
 */
import { existsSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { installErrorHandling } from '@paydesk/http-kit';
import type { DeskDeps } from './deps.ts';
import { installSessionAuth, loggableUrl } from './http/auth.ts';
import { deskHostNames, installOriginCheck } from './http/origin.ts';
import { installSignInLimit } from './http/sign-in-limit.ts';
import { accountRoutes } from './features/accounts/routes.ts';
import { cardRoutes } from './features/card/routes.ts';
import { correctionRoutes } from './features/corrections/routes.ts';
import { journalRoutes } from './features/journal/routes.ts';
import { paymentRoutes } from './features/payments/routes.ts';
import { providerRoutes } from './features/providers/routes.ts';
import { readingRoutes } from './features/readings/routes.ts';
import { registerRoutes } from './features/register/routes.ts';
import { reportRoutes } from './features/reports/routes.ts';
import { reversalRoutes } from './features/reversals/routes.ts';
import { scanRoutes } from './features/scan/routes.ts';
import { sessionRoutes } from './features/session/routes.ts';
import { settingsRoutes } from './features/settings/routes.ts';
import { shiftRoutes } from './features/shift/routes.ts';
import { statusRoutes } from './features/status/routes.ts';

export interface DeskAppOptions {
  uiDir?: string | undefined;
  logLevel?: string;
  logStream?: NodeJS.WritableStream;
  /** The names the desk answers (Host, and the Origin of a state-changing request): http/origin.ts. */
  hostNames?: Set<string>;
  /** Test-only controls (faults, crash points); off unless PAYDESK_TEST_HOOKS=1. */
  testRoutes?: (app: FastifyInstance) => void;
}

const ROUTES = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

/** Every route a desk app registered, for the tests that try each one. */
export function routesOf(app: FastifyInstance): { method: string; url: string }[] {
  return ROUTES.get(app) ?? [];
}

export async function buildDeskApp(deps: DeskDeps, options: DeskAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: options.logLevel ?? 'info',
      redact: { paths: ['req.headers.authorization', '*.password', '*.deskKey', '*.token'], censor: '***' },
      // A logged URL keeps its path and loses the values of token and ticket parameters.
      serializers: {
        req: (req: FastifyRequest) => ({ method: req.method, url: loggableUrl(req.url), host: req.hostname, remoteAddress: req.ip }),
      },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit: 1024 * 1024,
  });
  const routes: { method: string; url: string }[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const hasUi = options.uiDir !== undefined && existsSync(options.uiDir);
  installErrorHandling(app, hasUi ? { notFoundPage: (_req, reply) => reply.sendFile('index.html') } : {});
  installOriginCheck(app, options.hostNames ?? deskHostNames(undefined));
  installSignInLimit(app, deps.clock);
  installSessionAuth(app, deps);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Paydesk desk API',
        version: '0.1.0',
        description: 'API кассы для интерфейса кассира и сценариев. Ошибки — application/problem+json.',
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  for (const slice of [
    statusRoutes,
    sessionRoutes,
    accountRoutes,
    paymentRoutes,
    providerRoutes,
    readingRoutes,
    reversalRoutes,
    cardRoutes,
    correctionRoutes,
    shiftRoutes,
    registerRoutes,
    scanRoutes,
    settingsRoutes,
    journalRoutes,
    reportRoutes,
  ]) {
    slice(app, deps);
  }
  options.testRoutes?.(app);

  // The UI routes its screens itself: unknown non-API paths get its page (see installErrorHandling).
  if (hasUi) await app.register(fastifyStatic, { root: options.uiDir as string, prefix: '/', wildcard: false });
  await app.ready();
  return app;
}
