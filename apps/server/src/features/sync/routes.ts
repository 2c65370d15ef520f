/** The sync endpoints a desk calls: push its journal, pull reference data, report its state. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AppError,
  PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  deskStatusReport,
  pullQuery,
  pushRequest,
  validationProblem,
} from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { DESK, requireDesk } from '../../http/auth.ts';
import type { Metrics } from '../../http/metrics.ts';
import { noteDeskSync, processPull } from './pull.ts';
import { processPush } from './push.ts';

/** A desk speaking a version the server does not: refused before anything is read or written. */
function checkProtocol(version: unknown): void {
  if (typeof version === 'number' && !(SUPPORTED_PROTOCOL_VERSIONS as readonly number[]).includes(version)) {
    throw new AppError(
      'sync.protocol_version',
      version > PROTOCOL_VERSION
        ? `Касса говорит на версии протокола ${version}, сервер — на ${SUPPORTED_PROTOCOL_VERSIONS.join(' и ')}: сначала обновите сервер`
        : `Касса говорит на версии протокола ${version}, сервер — на ${SUPPORTED_PROTOCOL_VERSIONS.join(' и ')}: обновите кассу`,
      { supported: [...SUPPORTED_PROTOCOL_VERSIONS] },
    );
  }
}

export function syncRoutes(app: FastifyInstance, db: Database, metrics: Metrics): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/sync/push',
    { schema: { tags: ['Синхронизация'], summary: 'Принять операции кассы по порядку seq', body: z.unknown() }, config: { auth: DESK } },
    async (req) => {
      const desk = requireDesk(req.principal);
      checkProtocol((req.body as { protocolVersion?: unknown } | null)?.protocolVersion);
      const parsed = pushRequest.safeParse(req.body);
      if (!parsed.success) throw validationProblem(parsed.error, 'пакета');
      const started = process.hrtime.bigint();
      const result = await processPush(db, desk, parsed.data, (s) => metrics.recordPush(s));
      metrics.pushSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      req.log.info(
        { desk: desk.deskId, ops: parsed.data.ops.length, lastSeq: result.lastSeq, opIds: parsed.data.ops.slice(0, 20).map((o) => o.opId) },
        'push applied',
      );
      return result;
    },
  );

  r.get(
    '/api/v1/sync/pull',
    {
      schema: { tags: ['Синхронизация'], summary: 'Изменения справочников с позиции cursor', querystring: pullQuery },
      config: { auth: DESK },
    },
    async (req) => {
      const desk = requireDesk(req.principal);
      checkProtocol(req.query.protocol);
      // Version 1 desks name no version on pull.
      const version = req.query.protocol ?? 1;
      const page = await processPull(db, { deskId: desk.deskId, pointId: desk.pointId }, Number(req.query.cursor), req.query.limit);
      // A desk too old to say what it holds is trusted as before (it gets no protection from a restore).
      // What it holds and the version it speaks, in the one write a pull makes anyway: a push, the hot
      // path, writes nothing more (every desk pulls within its pull interval).
      await noteDeskSync(db, desk.deskId, req.query.epoch ?? null, req.query.acked ?? null, version);
      metrics.pullRows.inc(Object.values(page.changes).reduce((n, rows) => n + (rows?.length ?? 0), 0));
      return { ...page, protocolVersion: version };
    },
  );

  r.post(
    '/api/v1/desks/status',
    { schema: { tags: ['Синхронизация'], summary: 'Состояние кассы для мониторинга', body: deskStatusReport }, config: { auth: DESK } },
    async (req) => {
      const desk = requireDesk(req.principal);
      await db
        .updateTable('desks')
        .set({ status: JSON.stringify(req.body), status_at: new Date() })
        .where('id', '=', desk.deskId)
        .execute();
      return { ok: true, serverTime: new Date().toISOString() };
    },
  );
}
