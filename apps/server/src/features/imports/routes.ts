/**
 * Imports by upload: the file streams to a temporary file, the answer (202 with the import id) comes
 * at once, and the import runs in the background with its progress readable at GET /imports/:id.
 * `?wait=true` runs it before answering, for scripts.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, importAccepted, importDetail, importList, importReport } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { integration, requireUser } from '../../http/auth.ts';
import { answers, fileBody } from '../../http/openapi.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { importFile } from './import-file.ts';

const FILE_TYPES = ['text/csv', 'text/plain', 'application/octet-stream', 'application/vnd.ms-excel'];

export function importRoutes(app: FastifyInstance, db: Database): void {
  // Import files are streamed, never parsed as JSON, whatever their size.
  for (const type of FILE_TYPES) {
    if (!app.hasContentTypeParser(type)) app.addContentTypeParser(type, (_req, payload, done) => done(null, payload));
  }
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/imports/:kind', {
    schema: {
      tags: ['Импорт'], summary: 'Загрузить файл счетов, начислений или счётчиков (text/csv)',
      params: z.object({ kind: z.enum(['accounts', 'charges', 'meters']) }),
      querystring: z.object({ encoding: z.enum(['auto', 'utf-8', 'windows-1251']).default('auto'), fileName: z.string().max(200).optional(), wait: z.enum(['true', 'false']).default('false'), asOf: z.coerce.number().int().min(0).optional(), mode: z.enum(['update', 'snapshot']).default('update') }),
      consumes: ['text/csv', 'text/plain', 'application/octet-stream'],
      body: fileBody('Файл с заголовком: ; или , между полями, UTF-8 (с BOM или без) или Windows-1251 — колонки в docs/integration.md. Передаётся как есть, не JSON.', 'number;city;street;house;flat;owner\n1000024;Энск;Берёзовая;10 к2;5;Иванов Иван Иванович\n'),
      response: answers({
        200: importReport.describe('wait=true: файл загружен целиком'),
        202: importAccepted.describe('Файл принят, проверка идёт: ход и отчёт — GET /api/v1/imports/{importId}'),
        422: { description: 'wait=true: в файле ошибки, ничего не изменено — отчёт со всеми ошибками', content: { 'application/json': { schema: importReport } } },
      }, ['validation.failed', 'request.malformed', 'request.too_large', 'request.unsupported_media_type']),
    },
    config: { auth: integration('imports') },
    bodyLimit: 4 * 1024 * 1024 * 1024,
  }, async (req, reply) => {
    const user = requireUser(req.principal);
    const stream = req.body as Readable | undefined;
    if (!stream || typeof (stream as { pipe?: unknown }).pipe !== 'function') throw new AppError('request.unsupported_media_type', 'Файл импорта передаётся как text/csv');
    const dir = await mkdtemp(join(tmpdir(), 'paydesk-import-'));
    const path = join(dir, 'upload.csv');
    await pipeline(stream, createWriteStream(path));
    const importId = randomUUID();
    const fileName = req.query.fileName ?? `${req.params.kind}.csv`;
    await appendAudit(db, { actorType: 'user', actorId: user.userId, action: `import.${req.params.kind}`, target: importId, details: { fileName } });
    const run = importFile(db, createReadStream(path), {
      kind: req.params.kind, fileName, encoding: req.query.encoding, mode: req.query.mode, createdBy: user.login, importId,
      ...(req.query.asOf !== undefined ? { asOfFeedPosition: req.query.asOf } : {}),
    }).finally(() => rm(dir, { recursive: true, force: true }));
    if (req.query.wait === 'true') {
      const report = await run;
      return reply.code(report.status === 'done' ? 200 : 422).send(report);
    }
    run.catch((e: unknown) => req.log.error({ err: e, importId }, 'import failed'));
    return reply.code(202).send({ importId, status: 'validating' });
  });

  r.get('/api/v1/imports', { schema: { tags: ['Импорт'], summary: 'Последние импорты', response: answers({ 200: importList }) }, config: { auth: integration('imports') } }, async () => {
    const rows = await db.selectFrom('imports').select(['id', 'kind', 'file_name', 'status', 'total_rows', 'processed_rows', 'changed_rows', 'error_count', 'created_by', 'started_at', 'finished_at']).orderBy('started_at', 'desc').limit(50).execute();
    return { items: rows.map(view) };
  });

  r.get('/api/v1/imports/:id', { schema: { tags: ['Импорт'], summary: 'Ход и отчёт импорта', params: z.object({ id: z.uuid() }), response: answers({ 200: importDetail }, ['validation.failed', 'not_found']) }, config: { auth: integration('imports') } }, async (req) => {
    const row = await db.selectFrom('imports').selectAll().where('id', '=', req.params.id).executeTakeFirst();
    if (!row) throw new AppError('not_found', 'Импорт не найден');
    return { ...view(row), errors: row.errors as z.input<typeof importDetail>['errors'] };
  });
}

function view(r: { id: string; kind: 'accounts' | 'charges' | 'meters'; file_name: string; status: 'validating' | 'applying' | 'done' | 'failed'; total_rows: number; processed_rows: number; changed_rows: number; error_count: number; created_by: string | null; started_at: Date; finished_at: Date | null }): z.input<typeof importList>['items'][number] {
  return {
    id: r.id, kind: r.kind, fileName: r.file_name, status: r.status, totalRows: r.total_rows, processedRows: r.processed_rows, changedRows: r.changed_rows,
    errorCount: r.error_count, createdBy: r.created_by, startedAt: r.started_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null,
  };
}
