/**
 * A report as an Excel workbook (exceljs): the whole report on the first sheet as it reads on paper,
 * and long data tables also on sheets of their own with a filter and a frozen header. Money is stored
 * as numbers in rubles with a ruble format, so an accountant can sum and filter it.
 */
import ExcelJS from 'exceljs';
import type { Cell, CellKind, Column, Emphasis, ReportDoc, Row, TableSection } from './model.ts';

const MONEY_FORMAT = '#,##0.00';
const RED = 'FFC62828';

function value(v: Cell, kind: CellKind): string | number | null {
  if (v === null) return null;
  if (kind === 'money' && typeof v === 'number') return v / 100;
  return v;
}

function styleCell(cell: ExcelJS.Cell, kind: CellKind, emphasis?: Emphasis): void {
  if (kind === 'money') cell.numFmt = MONEY_FORMAT;
  if (kind !== 'text') cell.alignment = { horizontal: 'right' };
  if (emphasis === 'bad') cell.font = { color: { argb: RED }, bold: true };
  else if (emphasis === 'strong') cell.font = { bold: true };
}

function addRow(sheet: ExcelJS.Worksheet, columns: Column[], row: Row): void {
  const r = sheet.addRow(columns.map((c) => value(row.cells[c.key] ?? null, c.kind)));
  columns.forEach((c, i) => styleCell(r.getCell(i + 1), c.kind, row.emphasis));
}

function addHeader(sheet: ExcelJS.Worksheet, columns: Column[]): ExcelJS.Row {
  const r = sheet.addRow(columns.map((c) => c.title));
  r.font = { bold: true };
  r.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEEEEE' } };
    cell.border = { bottom: { style: 'thin' } };
  });
  return r;
}

function addTable(sheet: ExcelJS.Worksheet, t: TableSection): void {
  addHeader(sheet, t.columns);
  if (t.rows.length === 0 && t.emptyText) sheet.addRow([t.emptyText]);
  for (const row of t.rows) addRow(sheet, t.columns, row);
  if (t.totals) addRow(sheet, t.columns, { ...t.totals, emphasis: t.totals.emphasis ?? 'strong' });
}

function fitWidths(sheet: ExcelJS.Worksheet): void {
  sheet.columns.forEach((col) => {
    let max = 10;
    col.eachCell?.({ includeEmpty: false }, (cell) => {
      const v = cell.value;
      const text = typeof v === 'number' ? v.toFixed(2) : typeof v === 'string' ? v : '';
      max = Math.max(max, Math.min(text.length + 2, 60));
    });
    col.width = max;
  });
}

export async function renderXlsx(doc: ReportDoc): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Paydesk';
  wb.created = new Date();
  const main = wb.addWorksheet('Отчёт');
  main.addRow([doc.title]).font = { bold: true, size: 14 };
  for (const m of doc.meta) main.addRow([m.label, m.value]);
  for (const s of doc.sections) {
    main.addRow([]);
    main.addRow([s.title]).font = { bold: true, size: 12 };
    if (s.kind === 'pairs') {
      for (const p of s.pairs) {
        const r = main.addRow([p.label, value(p.value, p.kind)]);
        styleCell(r.getCell(2), p.kind, p.emphasis);
        if (p.emphasis) styleCell(r.getCell(1), 'text', p.emphasis);
      }
    } else if (s.kind === 'notes') {
      for (const l of s.lines) {
        const r = main.addRow([l]);
        if (s.emphasis) styleCell(r.getCell(1), 'text', s.emphasis);
      }
    } else addTable(main, s);
  }
  fitWidths(main);
  for (const s of doc.sections) {
    if (s.kind !== 'table' || !s.ownSheet) continue;
    const sheet = wb.addWorksheet(s.ownSheet.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
    const { totals: _totals, ...rowsOnly } = s;
    addTable(sheet, rowsOnly);
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: s.columns.length } };
    fitWidths(sheet);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
