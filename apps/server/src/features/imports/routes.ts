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
import { checkImportOptions, importFile, readImport, reportOf } from './import-file.ts';

/** What a billing's file may come as: a CSV, plain text, bytes, or what Excel on Windows calls a CSV. */
const FILE_TYPES = ['text/csv', 'text/plain', 'application/octet-stream', 'application/vnd.ms-excel'];

function isFileType(header: string | undefined): boolean {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type !== undefined && FILE_TYPES.includes(type);
}

export function importRoutes(app: FastifyInstance, db: Database, limitBytes = 4 * 1024 * 1024 * 1024): void {
  // Files posted to the server elsewhere (a provider's registry) stream as CSV or text, never parsed as JSON.
  for (const type of ['text/csv', 'text/plain']) {
    if (!app.hasContentTypeParser(type)) app.addContentTypeParser(type, (_req, payload, done) => done(null, payload));
  }
  // The upload route takes every body as a stream and decides itself, so any other type (JSON, a form,
  // none) is refused with what to send instead of a parser's error or a JSON body taken for a file.
  void app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    uploadRoute(scoped, db, limitBytes);
  });
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/imports',
    {
      schema: { tags: ['Импорт'], summary: 'Последние 50 импортов (отчёты без списка ошибок)', response: answers({ 200: importList }) },
      config: { auth: integration('imports') },
    },
    async () => {
      const rows = await db.selectFrom('imports').selectAll().orderBy('started_at', 'desc').limit(50).execute();
      return {
        items: rows.map((row) => {
          const { errors: _errors, ...summary } = reportOf(row);
          return summary;
        }),
      };
    },
  );

  r.get(
    '/api/v1/imports/:id',
    {
      schema: {
        tags: ['Импорт'],
        summary: 'Ход и отчёт импорта — тот же, что ответ wait=true',
        params: z.object({ id: z.uuid() }),
        response: answers({ 200: importDetail }, ['validation.failed', 'not_found']),
      },
      config: { auth: integration('imports') },
    },
    async (req) => {
      const report = await readImport(db, req.params.id);
      if (!report) throw new AppError('not_found', 'Импорт не найден');
      return report;
    },
  );
}

function uploadRoute(app: FastifyInstance, db: Database, limitBytes: number): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/imports/:kind',
    {
      schema: {
        tags: ['Импорт'],
        summary: 'Загрузить файл счетов, начислений или счётчиков (text/csv)',
        params: z.object({ kind: z.enum(['accounts', 'charges', 'meters']) }),
        querystring: z.object({
          encoding: z.enum(['auto', 'utf-8', 'windows-1251']).default('auto'),
          fileName: z.string().max(200).optional(),
          wait: z.enum(['true', 'false']).default('false'),
          asOf: z
            .string()
            .regex(/^\d{1,15}$/, 'asOf: позиция ленты — целое число от 0 (или не передавайте asOf)')
            .transform(Number)
            .optional(),
          mode: z.enum(['update', 'snapshot']).default('update'),
        }),
        consumes: FILE_TYPES,
        body: fileBody(
          'Файл с заголовком: ; или , между полями, UTF-8 (с BOM или без) или Windows-1251 — колонки в docs/integration.md. Передаётся как есть, не JSON.',
          'number;city;street;house;flat;owner\n1000024;Энск;Берёзовая;10 к2;5;Иванов Иван Иванович\n',
        ),
        response: answers(
          {
            200: importReport.describe('wait=true: файл загружен целиком'),
            202: importAccepted.describe('Файл принят, проверка идёт: ход и отчёт — GET /api/v1/imports/{importId}'),
            422: {
              description: 'wait=true: в файле ошибки, ничего не изменено — отчёт со всеми ошибками',
              content: { 'application/json': { schema: importReport } },
            },
          },
          ['validation.failed', 'request.malformed', 'request.too_large', 'request.unsupported_media_type'],
        ),
      },
      config: { auth: integration('imports') },
      bodyLimit: limitBytes,
    },
    async (req, reply) => {
      const user = requireUser(req.principal);
      const stream = req.body as Readable | undefined;
      if (!isFileType(req.headers['content-type']) || !stream || typeof (stream as { pipe?: unknown }).pipe !== 'function') {
        throw new AppError(
          'request.unsupported_media_type',
          `Файл импорта передаётся телом запроса как есть, с Content-Type: text/csv (или text/plain, application/octet-stream, application/vnd.ms-excel), а не ${req.headers['content-type'] ?? 'без Content-Type'}`,
        );
      }
      const options = {
        kind: req.params.kind,
        mode: req.query.mode,
        ...(req.query.asOf !== undefined ? { asOfFeedPosition: req.query.asOf } : {}),
      };
      await checkImportOptions(db, options);
      const dir = await mkdtemp(join(tmpdir(), 'paydesk-import-'));
      const path = join(dir, 'upload.csv');
      await pipeline(stream, createWriteStream(path));
      const importId = randomUUID();
      const fileName = req.query.fileName ?? `${req.params.kind}.csv`;
      await appendAudit(db, {
        actorType: 'user',
        actorId: user.userId,
        action: `import.${req.params.kind}`,
        target: importId,
        details: { fileName },
      });
      const run = importFile(db, createReadStream(path), {
        ...options,
        fileName,
        encoding: req.query.encoding,
        createdBy: user.login,
        importId,
      }).finally(() => rm(dir, { recursive: true, force: true }));
      if (req.query.wait === 'true') {
        const report = await run;
        return reply.code(report.status === 'done' ? 200 : 422).send(report);
      }
      run.catch((e: unknown) => req.log.error({ err: e, importId }, 'import failed'));
      return reply.code(202).send({ importId, status: 'validating' });
    },
  );
}
