/** `GET /api/v1/reports/:name`: the back office's reports as JSON, PDF, XLSX or CSV. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '@paydesk/protocol';
import { renderCsv, renderPdf, renderXlsx } from '@paydesk/report-kit';
import type { Database } from '../../db/database.ts';
import { BACK_OFFICE } from '../../http/auth.ts';
import { buildReport, REPORT_NAMES, REPORT_TITLES } from './catalog.ts';
import { organisationTimeZone, todayIn } from '../settings/time-zone.ts';

const CONTENT_TYPES = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
} as const;
const MAX_DAYS = 366;

const reportQuery = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  point: z.uuid().optional(),
  desk: z.uuid().optional(),
  cashier: z.uuid().optional(),
  groupBy: z.enum(['desk', 'point', 'cashier', 'day']).default('desk'),
  format: z.enum(['json', 'pdf', 'xlsx', 'csv']).default('json'),
});

export function reportRoutes(app: FastifyInstance, db: Database, now: () => Date): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/reports', { schema: { tags: ['Отчёты'], summary: 'Какие отчёты есть' }, config: { auth: BACK_OFFICE } }, async () => ({
    items: REPORT_NAMES.map((name) => ({ name, title: REPORT_TITLES[name] })),
  }));

  r.get(
    '/api/v1/reports/:name',
    {
      schema: {
        tags: ['Отчёты'],
        summary: 'Отчёт за период по пунктам, кассам и кассирам: JSON, PDF, XLSX или CSV',
        params: z.object({ name: z.enum(REPORT_NAMES) }),
        querystring: reportQuery,
      },
      config: { auth: BACK_OFFICE },
    },
    async (req, reply) => {
      const q = req.query;
      const tz = await organisationTimeZone(db);
      const from = q.from ?? q.to ?? todayIn(tz, now());
      const to = q.to ?? q.from ?? todayIn(tz, now());
      const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
      if (days < 0) throw new AppError('validation.failed', 'Начало периода позже его конца');
      if (days >= MAX_DAYS) throw new AppError('validation.failed', `Период отчёта не длиннее ${MAX_DAYS} дней`);
      const scopeLabel = await describeScope(db, q);
      const doc = await buildReport(
        db,
        req.params.name,
        { from, to, point: q.point, desk: q.desk, cashier: q.cashier, timeZone: tz, groupBy: q.groupBy, scopeLabel },
        now(),
      );
      if (q.format === 'json') return doc;
      const body = q.format === 'pdf' ? await renderPdf(doc) : q.format === 'xlsx' ? await renderXlsx(doc) : renderCsv(doc);
      return reply
        .header('content-type', CONTENT_TYPES[q.format])
        .header('content-disposition', `attachment; filename="${doc.fileName}.${q.format}"`)
        .send(body);
    },
  );
}

/** The filter in words for the report's header; an id that names nothing is an error, not an empty report. */
async function describeScope(
  db: Database,
  q: { point?: string | undefined; desk?: string | undefined; cashier?: string | undefined },
): Promise<string> {
  const parts: string[] = [];
  if (q.point) {
    const p = await db.selectFrom('points').select('name').where('id', '=', q.point).executeTakeFirst();
    if (!p) throw new AppError('not_found', 'Пункт не найден');
    parts.push(`пункт «${p.name}»`);
  }
  if (q.desk) {
    const d = await db.selectFrom('desks').select('name').where('id', '=', q.desk).executeTakeFirst();
    if (!d) throw new AppError('not_found', 'Касса не найдена');
    parts.push(`касса «${d.name}»`);
  }
  if (q.cashier) {
    const u = await db.selectFrom('users').select('name').where('id', '=', q.cashier).executeTakeFirst();
    if (!u) throw new AppError('not_found', 'Кассир не найден');
    parts.push(`кассир ${u.name}`);
  }
  return parts.join(', ') || 'все пункты и кассы';
}
