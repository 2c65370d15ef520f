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
  app.addHook('onRequest', async (req) => {
    if (req.method === 'GET' || req.method === 'HEAD') return;
    if (recent(req.ip).length >= MAX_FAILURES) {
      throw new AppError('auth.rate_limited', 'Слишком много неверных паролей с этого компьютера: подождите минуту');
    }
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode === 401 && typeof payload === 'string' && payload.includes('"auth.invalid_credentials"')) {
      failures.set(req.ip, [...recent(req.ip), now().getTime()]);
    }
    return payload;
  });
}
