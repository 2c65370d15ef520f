/** How a cell reads in text outputs (PDF, paper): money Russian style, counts plain, empty as a dash. */
import { formatRub } from '@paydesk/domain';
import type { Cell, CellKind } from './model.ts';

export function cellText(value: Cell, kind: CellKind): string {
  if (value === null || value === '') return '—';
  if (kind === 'money' && typeof value === 'number') return formatRub(value, { symbol: false });
  return String(value);
}
