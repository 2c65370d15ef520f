/** /health for the server and the worker process: alive, and the database answers. */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { sendProblem } from '@paydesk/http-kit';
import { problem } from '@paydesk/protocol';
import type { Database } from '../db/database.ts';

export const SERVER_VERSION = '0.1.0';

export function healthRoute(app: FastifyInstance, db: Database, now: () => Date, summary: string): void {
  app.get('/health', { config: { auth: 'public' }, schema: { tags: ['Служебное'], summary } }, async (_req, reply) => {
    try {
      await sql`SELECT 1`.execute(db);
      return { status: 'ok', version: SERVER_VERSION, time: now().toISOString() };
    } catch {
      return sendProblem(reply, problem('unavailable', 'База данных не отвечает'));
    }
  });
}
