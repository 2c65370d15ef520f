/**
 * Who is at the desk: a cashier's session by bearer token — and, for the event stream only (a browser's
 * EventSource sends no headers), a single-use ticket in `?ticket=` that the session asked for seconds
 * before, so no session token ever stands in a URL (URLs end up in logs). Every /api route needs a session unless it says
 * `config: { withoutSession: true }` (PUBLIC); a stranger learns nothing, not even what a valid request looks like,
 * because the session is checked before validation.
 */
import { randomBytes } from 'node:crypto';
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
  return h?.[1] ?? null;
}

const TICKET_MS = 30_000;
/** Event-stream tickets: the session token they stand for, until when. In memory: a restart ends them, as it ends streams. */
const tickets = new Map<string, { token: string; until: number }>();

/** A ticket for the event stream: good once, for thirty seconds, for the session that asked. */
export function issueTicket(token: string, now: Date): string {
  for (const [t, v] of tickets) if (v.until <= now.getTime()) tickets.delete(t);
  const ticket = `pdt_${randomBytes(24).toString('base64url')}`;
  tickets.set(ticket, { token, until: now.getTime() + TICKET_MS });
  return ticket;
}

function redeemTicket(req: FastifyRequest, now: Date): string | null {
  const q = (req.query as { ticket?: unknown } | undefined)?.ticket;
  if (typeof q !== 'string') return null;
  const held = tickets.get(q);
  tickets.delete(q);
  return held && held.until > now.getTime() ? held.token : null;
}

/** A URL as it may be logged: the values of token and ticket parameters replaced. */
export function loggableUrl(url: string): string {
  // Names are compared decoded (?%74icket= is ?ticket= to the router, so it is to the redaction).
  return url.replace(/([?&])([^=&#]*)=([^&#]*)/g, (whole: string, sep: string, name: string) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      decoded = name;
    }
    return /^(token|ticket)$/i.test(decoded.trim()) ? `${sep}${name}=***` : whole;
  });
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
    const url = req.routeOptions.url;
    const t = url === '/api/events' ? redeemTicket(req, deps.clock()) : sessionToken(req);
    req.cashier = t ? sessionCashier(deps.db, t, deps.clock()) : null;
    const open = req.routeOptions.config?.withoutSession === true || url?.startsWith('/api/docs') || url?.startsWith('/api/test/');
    if (!req.cashier && url?.startsWith('/api/') && !open) throw new AppError('auth.required', 'Войдите в кассу: сеанс не начат или истёк');
  });
}
