/** The desk's reports: the shift report and the journal, on screen (JSON), in PDF and XLSX, on paper. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { renderCsv, renderPdf, renderText, renderXlsx, type ReportDoc } from '@paydesk/report-kit';
import type { DeskDeps } from '../../deps.ts';
import { requireCashier } from '../../http/auth.ts';
import { journalQuery, queryJournal } from '../journal/journal-query.ts';
import { buildShiftReport, defaultShift } from './shift-report.ts';
import { journalDoc, shiftReportDoc, when } from './report-docs.ts';

const CONTENT_TYPES = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
} as const;

async function sendDoc(reply: FastifyReply, doc: ReportDoc, format: keyof typeof CONTENT_TYPES): Promise<FastifyReply> {
  const body = format === 'pdf' ? await renderPdf(doc) : format === 'xlsx' ? await renderXlsx(doc) : renderCsv(doc);
  return reply
    .header('content-type', CONTENT_TYPES[format])
    .header('content-disposition', `attachment; filename="${doc.fileName}.${format}"`)
    .send(body);
}

const shiftQuery = z.object({
  shift: z.coerce.number().int().min(1).max(1_000_000).optional(),
  format: z.enum(['json', 'pdf', 'xlsx']).default('json'),
});

const journalReportQuery = journalQuery.extend({
  format: z.enum(['json', 'pdf', 'xlsx', 'csv']).default('json'),
  limit: z.coerce.number().int().min(1).max(50_000).default(5_000),
});

export function reportRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tag = { tags: ['Отчёты'] };

  r.get(
    '/api/reports/shift',
    {
      schema: {
        ...tag,
        summary: 'Отчёт о смене: итоги, наличные, сверка с ККТ (текущая смена, если номер не задан)',
        querystring: shiftQuery,
      },
    },
    async (req, reply) => {
      requireCashier(req);
      const report = await buildShiftReport(deps, req.query.shift ?? (await defaultShift(deps)));
      if (req.query.format === 'json') return report;
      return sendDoc(reply, shiftReportDoc(report, deps.settings.timeZone()), req.query.format);
    },
  );

  r.post(
    '/api/reports/shift/print',
    {
      schema: {
        ...tag,
        summary: 'Напечатать отчёт о смене на ККТ (нефискальный текст)',
        body: z
          .object({ shift: z.number().int().min(1).optional(), width: z.union([z.literal(32), z.literal(42), z.literal(48)]).default(42) })
          .default({ width: 42 }),
      },
    },
    async (req) => {
      requireCashier(req);
      const report = await buildShiftReport(deps, req.body.shift ?? (await defaultShift(deps)));
      const lines = renderText(shiftReportDoc(report, deps.settings.timeZone()), req.body.width);
      await deps.runner.direct((reg) => reg.printText(lines));
      return { printed: lines.length };
    },
  );

  r.get(
    '/api/reports/journal',
    { schema: { ...tag, summary: 'Журнал за период с фильтрами: JSON, PDF, XLSX или CSV', querystring: journalReportQuery } },
    async (req, reply) => {
      requireCashier(req);
      const { format, ...filters } = req.query;
      const result = queryJournal(deps, filters);
      if (format === 'json') return result;
      const tz = deps.settings.timeZone();
      const meta = [
        { label: 'Касса', value: deps.identity.current()?.name ?? 'Касса' },
        {
          label: 'Период',
          value: `${filters.from ? when(filters.from, tz) : 'с начала'} — ${filters.to ? when(filters.to, tz) : 'по сей момент'}`,
        },
        ...(filters.shift ? [{ label: 'Смена', value: String(filters.shift) }] : []),
        ...(filters.kind ? [{ label: 'Вид', value: filters.kind }] : []),
        ...(filters.state ? [{ label: 'Состояние', value: filters.state }] : []),
        ...(filters.q ? [{ label: 'Поиск', value: filters.q }] : []),
        ...(result.total > result.items.length ? [{ label: 'Показано', value: `${result.items.length} из ${result.total}` }] : []),
      ];
      return sendDoc(reply, journalDoc(result.items, 'Журнал операций', meta, tz), format);
    },
  );
}
