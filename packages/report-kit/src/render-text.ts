/**
 * A report on the register's paper as non-fiscal text: a fixed width (32, 42 or 48 characters on
 * common tapes), tables folded into "label …… value" lines because columns do not fit a tape.
 */
import { cellText } from './cells.ts';
import type { ReportDoc, Row, TableSection } from './model.ts';

const NBSP = /\u00A0/g;

function fit(label: string, value: string, width: number): string {
  const v = value.replace(NBSP, ' ');
  const room = width - v.length - 1;
  const l = label.length > room ? `${label.slice(0, Math.max(room - 1, 0))}…` : label;
  return `${l}${' '.repeat(Math.max(width - l.length - v.length, 1))}${v}`;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (!word) continue;
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
    while (line.length > width) {
      out.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  if (line) out.push(line);
  return out;
}

function tableLines(t: TableSection, width: number): string[] {
  const out: string[] = [];
  const [first, ...rest] = t.columns;
  if (!first) return out;
  const rowLines = (row: Row): void => {
    const head = cellText(row.cells[first.key] ?? null, first.kind);
    const values = rest.map((c) => cellText(row.cells[c.key] ?? null, c.kind));
    if (rest.length === 1) out.push(fit(head, values[0] ?? '', width));
    else {
      out.push(...wrap(head, width));
      rest.forEach((c, i) => out.push(fit(`  ${c.title}`, values[i] ?? '', width)));
    }
  };
  if (t.rows.length === 0) out.push(...wrap(t.emptyText ?? 'Нет данных', width));
  t.rows.forEach(rowLines);
  if (t.totals) {
    out.push('-'.repeat(width));
    rowLines(t.totals);
  }
  return out;
}

export function renderText(doc: ReportDoc, width = 42): string[] {
  const out: string[] = [...wrap(doc.title.toUpperCase(), width)];
  for (const m of doc.meta) out.push(fit(m.label, m.value, width));
  for (const s of doc.sections) {
    out.push('='.repeat(width), ...wrap(s.title, width));
    if (s.kind === 'pairs') for (const p of s.pairs) out.push(fit(p.label, cellText(p.value, p.kind), width));
    else if (s.kind === 'notes') for (const l of s.lines) out.push(...wrap(l, width));
    else out.push(...tableLines(s, width));
  }
  return out;
}
