/**
 * One table of a report as CSV the way Russian Excel opens it: UTF-8 with a BOM, `;` between fields,
 * rubles with a decimal comma.
 */
import { stringify } from 'csv-stringify/sync';
import { kopToDecimalComma } from '@paydesk/domain';
import type { Cell, ReportDoc, TableSection } from './model.ts';

export function renderCsv(doc: ReportDoc, tableTitle?: string): Buffer {
  const tables = doc.sections.filter((s): s is TableSection => s.kind === 'table');
  const t = tableTitle ? tables.find((x) => x.title === tableTitle) : (tables.find((x) => x.ownSheet) ?? tables[0]);
  if (!t) throw new Error(`no table ${tableTitle ?? ''} in ${doc.title}`);
  const value = (v: Cell, kind: string): string =>
    v === null ? '' : kind === 'money' && typeof v === 'number' ? kopToDecimalComma(v) : String(v);
  const records = [
    t.columns.map((c) => c.title),
    ...[...t.rows, ...(t.totals ? [t.totals] : [])].map((r) => t.columns.map((c) => value(r.cells[c.key] ?? null, c.kind))),
  ];
  return Buffer.concat([Buffer.from('\ufeff'), Buffer.from(stringify(records, { delimiter: ';', record_delimiter: '\r\n' }))]);
}
