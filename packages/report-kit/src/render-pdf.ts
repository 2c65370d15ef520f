/**
 * A report as an A4 PDF (pdfkit) with DejaVu Sans embedded, so Cyrillic prints the same everywhere
 * whatever fonts the machine has. Tables break across pages and repeat their header; money and counts
 * are right-aligned; differences are red; every page is numbered.
 */
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { cellText } from './cells.ts';
import type { Column, Emphasis, Pair, ReportDoc, Row, TableSection } from './model.ts';

const require = createRequire(import.meta.url);
const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

const MARGIN = 40;
const SIZE = 9;
const PAD = 3;
const RED = '#c62828';

type Doc = InstanceType<typeof PDFDocument>;

function fontFor(doc: Doc, emphasis?: Emphasis): void {
  doc.font(emphasis ? 'bold' : 'regular').fillColor(emphasis === 'bad' ? RED : 'black');
}

function ensureRoom(doc: Doc, height: number): boolean {
  if (doc.y + height <= doc.page.height - MARGIN - 20) return false;
  doc.addPage();
  return true;
}

function drawRow(doc: Doc, columns: Column[], widths: number[], texts: string[], emphasis: Emphasis | undefined, fill?: string): number {
  fontFor(doc, emphasis);
  doc.fontSize(SIZE);
  const height = Math.max(...texts.map((t, i) => doc.heightOfString(t, { width: (widths[i] ?? 0) - 2 * PAD }))) + 2 * PAD;
  const top = doc.y;
  let x = MARGIN;
  if (fill)
    doc
      .save()
      .rect(
        MARGIN,
        top,
        widths.reduce((a, b) => a + b, 0),
        height,
      )
      .fill(fill)
      .restore();
  fontFor(doc, emphasis);
  texts.forEach((t, i) => {
    const w = widths[i] ?? 0;
    doc.text(t, x + PAD, top + PAD, { width: w - 2 * PAD, align: columns[i]?.kind === 'text' ? 'left' : 'right' });
    x += w;
  });
  doc
    .moveTo(MARGIN, top + height)
    .lineTo(x, top + height)
    .lineWidth(0.3)
    .strokeColor('#bbbbbb')
    .stroke();
  doc.x = MARGIN;
  doc.y = top + height;
  return height;
}

function drawTable(doc: Doc, t: TableSection): void {
  const usable = doc.page.width - 2 * MARGIN;
  const total = t.columns.reduce((s, c) => s + (c.width ?? 1), 0);
  const widths = t.columns.map((c) => (usable * (c.width ?? 1)) / total);
  const header = (): void => {
    drawRow(
      doc,
      t.columns,
      widths,
      t.columns.map((c) => c.title),
      'strong',
      '#eeeeee',
    );
  };
  header();
  if (t.rows.length === 0) {
    fontFor(doc);
    doc.fontSize(SIZE).text(t.emptyText ?? 'Нет данных', MARGIN + PAD, doc.y + PAD);
    doc.moveDown(0.3);
  }
  // A totals row leaves blank what it does not total, where a data row shows a dash for "nothing".
  const texts = (r: Row, blank: boolean): string[] =>
    t.columns.map((c) => (blank && !(c.key in r.cells) ? '' : cellText(r.cells[c.key] ?? null, c.kind)));
  for (const r of t.rows) {
    if (ensureRoom(doc, 24)) header();
    drawRow(doc, t.columns, widths, texts(r, false), r.emphasis);
  }
  if (t.totals) {
    if (ensureRoom(doc, 24)) header();
    drawRow(doc, t.columns, widths, texts(t.totals, true), t.totals.emphasis ?? 'strong');
  }
}

function drawPairs(doc: Doc, pairs: Pair[]): void {
  const usable = doc.page.width - 2 * MARGIN;
  const cols: Column[] = [
    { key: 'l', title: '', kind: 'text' },
    { key: 'v', title: '', kind: 'money' },
  ];
  for (const p of pairs) {
    ensureRoom(doc, 18);
    drawRow(doc, cols, [usable * 0.65, usable * 0.35], [p.label, cellText(p.value, p.kind)], p.emphasis);
  }
}

export function renderPdf(report: ReportDoc): Promise<Buffer> {
  // Wide tables (a summary with a column per block and method) read better across a landscape page.
  const wide = report.sections.some((s) => s.kind === 'table' && s.columns.length > 7);
  const doc = new PDFDocument({
    size: 'A4',
    layout: wide ? 'landscape' : 'portrait',
    margin: MARGIN,
    bufferPages: true,
    info: { Title: report.title, Creator: 'Paydesk' },
  });
  doc.registerFont('regular', FONT);
  doc.registerFont('bold', FONT_BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('bold').fontSize(15).text(report.title);
  doc.moveDown(0.3);
  for (const m of report.meta) doc.font('bold').fontSize(SIZE).text(`${m.label}: `, { continued: true }).font('regular').text(m.value);
  for (const s of report.sections) {
    doc.moveDown(0.8);
    ensureRoom(doc, 50);
    doc.font('bold').fontSize(11).fillColor('black').text(s.title, MARGIN);
    doc.moveDown(0.2);
    if (s.kind === 'table') drawTable(doc, s);
    else if (s.kind === 'pairs') drawPairs(doc, s.pairs);
    else {
      fontFor(doc, s.emphasis);
      for (const l of s.lines) doc.fontSize(SIZE).text(l, MARGIN);
    }
  }

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.font('regular').fontSize(7).fillColor('#666666');
    doc.text(`${report.title} · стр. ${i + 1} из ${range.count}`, MARGIN, doc.page.height - MARGIN + 10, {
      width: doc.page.width - 2 * MARGIN,
      align: 'right',
      lineBreak: false,
    });
  }
  doc.end();
  return done;
}
