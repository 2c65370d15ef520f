/**
 * A report as data: a title, facts about it, and sections of tables, label–value pairs and notes.
 * Apps build this once; the renderers turn it into PDF, XLSX, CSV or lines for the register's paper,
 * so every output of a report shows the same numbers.
 */

/** `money` cells hold integer kopecks; `count` whole numbers; `text` anything printable. */
export type CellKind = 'text' | 'money' | 'count';

export type Cell = string | number | null;

/** `bad` is printed red (a difference, a rejection); `strong` bold (a total). */
export type Emphasis = 'bad' | 'strong';

export interface Column {
  key: string;
  title: string;
  kind: CellKind;
  /** Relative width in PDF and XLSX; 1 when absent. */
  width?: number;
}

export interface Row {
  cells: Record<string, Cell>;
  emphasis?: Emphasis;
}

export interface TableSection {
  kind: 'table';
  title: string;
  columns: Column[];
  rows: Row[];
  totals?: Row;
  /** Shown instead of an empty table. */
  emptyText?: string;
  /** In XLSX, on a sheet of its own (long data tables an accountant will filter). */
  ownSheet?: string;
}

export interface Pair {
  label: string;
  value: Cell;
  kind: CellKind;
  emphasis?: Emphasis;
}

export interface PairsSection {
  kind: 'pairs';
  title: string;
  pairs: Pair[];
}

export interface NotesSection {
  kind: 'notes';
  title: string;
  lines: string[];
  emphasis?: Emphasis;
}

export type Section = TableSection | PairsSection | NotesSection;

export interface ReportDoc {
  title: string;
  /** Who, where, when: the header lines of every output. */
  meta: { label: string; value: string }[];
  sections: Section[];
  /** The file name without extension, safe for a Content-Disposition header. */
  fileName: string;
}
