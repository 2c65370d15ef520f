/**
 * The demo town holds what the cashier's screens offer as an example: the search field's placeholder
 * says «ленина 10 5», so a newcomer who types it in the demo finds an account (issue 19 item 15).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTown } from './town.ts';

const ru = readFileSync(new URL('../../../apps/desk-ui/src/i18n/ru.ts', import.meta.url), 'utf8');

describe('the demo town', () => {
  it('has the address the search field gives as its example', () => {
    const example = /searchPlaceholder: '[^']*«([^»]+)»/.exec(ru)?.[1] ?? '';
    const [street, house, flat] = example.split(' ');
    expect([street, house, flat].every(Boolean), example).toBe(true);
    const rows = buildTown()
      .accountsCsv.trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(';'));
    const found = rows.filter(([, , , s, h, , f]) => s?.toLowerCase() === street?.toLowerCase() && h === house && f === flat);
    expect(found, example).toHaveLength(1);
  });
});
