/**
 * The back office's web UI at /admin: its built files served as they are, any deeper /admin path
 * answered with its page (the UI routes its screens itself), and a plain page saying how to build it
 * when the files are missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const NOT_BUILT = `<!doctype html><html lang="ru"><meta charset="utf-8"><title>Paydesk</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>Paydesk: бэк-офис не собран</h1>
<p>Соберите интерфейс командой <code>npm run build</code> в корне проекта (или запустите <code>npm start</code>) и обновите страницу.</p>
<p>API сервера работает: <a href="/api/docs">/api/docs</a>.</p></body></html>`;

export function adminUiPage(dir: string): ((request: FastifyRequest, reply: FastifyReply) => FastifyReply) | null {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return null;
  const html = readFileSync(index, 'utf8');
  return (_request, reply) => reply.type('text/html; charset=utf-8').send(html);
}

export async function serveAdminUi(app: FastifyInstance, dir: string): Promise<void> {
  const page = adminUiPage(dir);
  app.get('/', { config: { auth: 'public' }, schema: { hide: true } }, (_req, reply) => reply.redirect('/admin/'));
  app.get('/admin', { config: { auth: 'public' }, schema: { hide: true } }, (_req, reply) => reply.redirect('/admin/'));
  if (!page) {
    app.get('/admin/', { config: { auth: 'public' }, schema: { hide: true } }, (_req, reply) =>
      reply.type('text/html; charset=utf-8').send(NOT_BUILT),
    );
    return;
  }
  await app.register(fastifyStatic, { root: dir, prefix: '/admin/', wildcard: false, index: 'index.html' });
}
