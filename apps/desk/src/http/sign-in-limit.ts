/**
 * Failed passwords per address: besides each login's own lockout (session.ts), an address that has given
 * 20 wrong passwords in a minute — sign-ins or a senior's approvals, whatever the logins — gets 429 on
 * every state-changing request until the minute has passed. Password spraying across the few logins of a
 * desk is then as slow as guessing one.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '@paydesk/protocol';

const WINDOW_MS = 60_000;
const MAX_FAILURES = 20;

export function installSignInLimit(app: FastifyInstance, now: () => Date): void {
  const failures = new Map<string, number[]>();
  const recent = (ip: string): number[] => {
    const since = now().getTime() - WINDOW_MS;
    const kept = (failures.get(ip) ?? []).filter((t) => t > since);
    if (kept.length > 0) failures.set(ip, kept);
    else failures.delete(ip);
    return kept;
  };
  // Sign-ins still being checked count as failures until they are answered: a burst sent at once is
  // bounded like one sent in a row.
  const checking = new Map<string, number>();
  const counted = new WeakSet<object>();
  const isSignIn = (req: { method: string; url: string }): boolean => req.method === 'POST' && req.url.split('?')[0] === '/api/session';
  app.addHook('onRequest', async (req) => {
    if (req.method === 'GET' || req.method === 'HEAD') return;
    const pending = isSignIn(req) ? (checking.get(req.ip) ?? 0) : 0;
    if (recent(req.ip).length + pending >= MAX_FAILURES) {
      throw new AppError('auth.rate_limited', 'Слишком много неверных паролей с этого компьютера: подождите минуту');
    }
    if (isSignIn(req)) {
      checking.set(req.ip, pending + 1);
      counted.add(req);
    }
  });
  app.addHook('onResponse', async (req) => {
    if (!counted.has(req)) return;
    const left = (checking.get(req.ip) ?? 1) - 1;
    if (left > 0) checking.set(req.ip, left);
    else checking.delete(req.ip);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode === 401 && typeof payload === 'string' && payload.includes('"auth.invalid_credentials"')) {
      failures.set(req.ip, [...recent(req.ip), now().getTime()]);
    }
    return payload;
  });
}
