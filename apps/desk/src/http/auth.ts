/**
 * Who is at the desk: a cashier's session by bearer token (or `?token=` for the event stream, which a
 * browser's EventSource cannot send headers with). Every /api route needs a session unless it says
 * `config: { withoutSession: true }` (PUBLIC); a stranger learns nothing, not even what a valid request looks like,
 * because the session is checked before validation.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '@paydesk/protocol';
import type { DeskDeps } from '../deps.ts';
import type { Cashier } from '../features/payments/prepare.ts';
import { sessionCashier } from '../features/session/session.ts';

declare module 'fastify' {
  interface FastifyRequest {
    cashier: Cashier | null;
  }
  interface FastifyContextConfig {
    /** A desk route that works without a session (status, sign-in and sign-out, enrolling a new desk). */
    withoutSession?: true;
  }
}

/** The route options of a route that works without a session. */
export const PUBLIC = { config: { withoutSession: true as const } };

export function sessionToken(req: FastifyRequest): string | null {
  const h = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (h?.[1]) return h[1];
  const q = (req.query as { token?: unknown } | undefined)?.token;
  return typeof q === 'string' ? q : null;
}

export function requireCashier(req: FastifyRequest, roles?: readonly Cashier['role'][]): Cashier {
  if (!req.cashier) throw new AppError('auth.required', 'Войдите в кассу: сеанс не начат или истёк');
  if (roles && !roles.includes(req.cashier.role)) throw new AppError('auth.forbidden', 'Это действие доступно только администратору');
  return req.cashier;
}

export function installSessionAuth(app: FastifyInstance, deps: Pick<DeskDeps, 'db' | 'clock'>): void {
  // Fastify wants decorated objects to start as null; onRequest sets the cashier on every request.
  (app.decorateRequest as (name: string, value: null) => void)('cashier', null);
  app.addHook('onRequest', async (req) => {
    const t = sessionToken(req);
    req.cashier = t ? sessionCashier(deps.db, t, deps.clock()) : null;
    const url = req.routeOptions.url;
    const open = req.routeOptions.config?.withoutSession === true || url?.startsWith('/api/docs') || url?.startsWith('/api/test/');
    if (!req.cashier && url?.startsWith('/api/') && !open) throw new AppError('auth.required', 'Войдите в кассу: сеанс не начат или истёк');
  });
}
