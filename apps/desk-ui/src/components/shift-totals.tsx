/** A shift's totals by receipt type and payment kind, as X and Z reports and the shift report show them. */
import { Table } from '@mantine/core';
import { money } from '../format.ts';

export interface Totals {
  sales: { count: number; cashKop: number; cardKop: number };
  returns: { count: number; cashKop: number; cardKop: number };
  cashInKop: number;
  cashOutKop: number;
  drawerKop: number;
}

export function ShiftTotalsTable({ totals, compare }: { totals: Totals; compare?: Totals | null }) {
  const rows: [string, number, number | undefined, boolean?][] = [
    ['Чеков прихода', totals.sales.count, compare?.sales.count, true],
    ['  наличными', totals.sales.cashKop, compare?.sales.cashKop],
    ['  картой', totals.sales.cardKop, compare?.sales.cardKop],
    ['Чеков возврата', totals.returns.count, compare?.returns.count, true],
    ['  наличными', totals.returns.cashKop, compare?.returns.cashKop],
    ['  картой', totals.returns.cardKop, compare?.returns.cardKop],
    ['Внесения', totals.cashInKop, compare?.cashInKop],
    ['Выплаты', totals.cashOutKop, compare?.cashOutKop],
    ['Наличных в ящике', totals.drawerKop, compare?.drawerKop],
  ];
  return (
    <Table fz="md" verticalSpacing={2} data-testid="shift-totals">
      <Table.Tbody>
        {rows.map(([label, value, other, count]) => (
          <Table.Tr key={label + String(value)}>
            <Table.Td style={{ whiteSpace: 'pre' }}>{label}</Table.Td>
            <Table.Td ta="right">{count ? value : money(value)}</Table.Td>
            {compare !== undefined && (
              <Table.Td
                ta="right"
                c={other !== undefined && other !== value ? 'red' : undefined}
                fw={other !== undefined && other !== value ? 700 : undefined}
              >
                {other === undefined ? '—' : count ? other : money(other)}
              </Table.Td>
            )}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
