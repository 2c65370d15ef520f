/**
 * The desk answers only its own names and its own pages. A Host that is not one of them is a page that
 * got a name of its own resolved to the desk (DNS rebinding) and is refused on every route; a
 * state-changing request carrying another site's Origin is a page in the cashier's browser posting to
 * the desk and is refused too. Tools without an Origin (curl, the CLI, the tests) are not browsers and go.
 */
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { AppError } from '@paydesk/protocol';

/** The names a desk answers: the loopback ones, the machine's, the address it listens on, and any the administrator adds. */
export function deskHostNames(listenHost: string | undefined, extra: readonly string[] = []): Set<string> {
  const names = ['localhost', '127.0.0.1', '::1', hostname(), ...extra];
  if (listenHost && listenHost !== '0.0.0.0' && listenHost !== '::') names.push(listenHost);
  return new Set(names.map((n) => n.toLowerCase().replace(/^\[|\]$/g, '')));
}

/** The host part of a Host header or an origin's authority: no port, no IPv6 brackets, lower case. */
function hostOf(authority: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(authority);
  if (bracketed?.[1]) return bracketed[1].toLowerCase();
  return authority.replace(/:\d+$/, '').toLowerCase();
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function installOriginCheck(app: FastifyInstance, names: Set<string>): void {
  app.addHook('onRequest', async (req) => {
    const host = req.headers.host;
    if (!host || !names.has(hostOf(host))) {
      throw new AppError('auth.forbidden', `Касса отвечает только по своему адресу (${[...names].join(', ')}), а не «${host ?? ''}»`);
    }
    const origin = req.headers.origin;
    if (origin === undefined || SAFE.has(req.method)) return;
    let from: string | null;
    try {
      from = hostOf(new URL(origin).host);
    } catch {
      from = null;
    }
    if (!from || !names.has(from)) throw new AppError('auth.forbidden', `Запрос со страницы другого сайта (${origin}) касса не выполняет`);
  });
}
