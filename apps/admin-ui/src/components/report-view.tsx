/** A report document from the server (report-kit's model) on screen: its tables with money Russian style. */
import { Card, Table, Text, Title } from '@mantine/core';
import type { ReportCell, ReportDoc, ReportSection } from '../api/types.ts';
import { money } from '../format.ts';

function cell(value: ReportCell | undefined, kind: 'text' | 'money' | 'count'): string {
  if (value === null || value === undefined || value === '') return '—';
  return kind === 'money' && typeof value === 'number' ? money(value) : String(value);
}

function SectionTable({ s }: { s: ReportSection }) {
  const columns = s.columns ?? [];
  return (
    <Table fz="sm" striped highlightOnHover data-testid="report-table">
      <Table.Thead>
        <Table.Tr>
          {columns.map((c) => (
            <Table.Th key={c.key} ta={c.kind === 'text' ? undefined : 'right'}>
              {c.title}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {(s.rows ?? []).map((r, i) => (
          <Table.Tr key={i} c={r.emphasis === 'bad' ? 'red' : undefined} fw={r.emphasis ? 700 : undefined}>
            {columns.map((c) => (
              <Table.Td key={c.key} ta={c.kind === 'text' ? undefined : 'right'}>
                {cell(r.cells[c.key], c.kind)}
              </Table.Td>
            ))}
          </Table.Tr>
        ))}
        {s.totals && (
          <Table.Tr fw={700} bg="gray.1">
            {columns.map((c) => (
              <Table.Td key={c.key} ta={c.kind === 'text' ? undefined : 'right'}>
                {c.key in s.totals!.cells ? cell(s.totals!.cells[c.key], c.kind) : ''}
              </Table.Td>
            ))}
          </Table.Tr>
        )}
      </Table.Tbody>
    </Table>
  );
}

export function ReportView({ doc }: { doc: ReportDoc }) {
  return (
    <>
      {doc.sections.map((s) => (
        <Card withBorder key={s.title}>
          <Title order={4} mb="xs">
            {s.title}
          </Title>
          {s.kind === 'table' &&
            ((s.rows?.length ?? 0) > 0 ? <SectionTable s={s} /> : <Text c="dimmed">{s.emptyText ?? 'Нет данных'}</Text>)}
        </Card>
      ))}
    </>
  );
}
