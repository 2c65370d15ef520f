/**
 * A commission rule as an administrator sets it — none, a percent with its minimum and maximum, or a
 * fixed fee; on top of the sum or included in it — previewed on sample sums with the domain's own
 * arithmetic, so what is shown is what the desk will charge.
 */
import { Group, NumberInput, SegmentedControl, Select, Stack, Table, Text } from '@mantine/core';
import { computeCommission, describeCommission, formatRub, type CommissionRule } from '@paydesk/domain';

const SAMPLES = [10_000, 50_000, 100_000, 500_000, 1_500_000];

const rub = (kop: number | undefined): number | string => (kop === undefined ? '' : kop / 100);
const kop = (v: number | string): number | undefined => (v === '' || v === undefined ? undefined : Math.round(Number(v) * 100));

export function CommissionEditor({ value, onChange }: { value: CommissionRule; onChange: (rule: CommissionRule) => void }) {
  if (value.kind === 'tiered') {
    return <Text c="dimmed">Ступенчатое правило: {describeCommission(value, (k) => formatRub(k))}. Меняется через API.</Text>;
  }
  const set = (patch: Record<string, unknown>): void => onChange({ ...value, ...patch });
  return (
    <Stack gap="xs">
      <Group grow>
        <Select
          label="Комиссия"
          data={[
            { value: 'none', label: 'без комиссии' },
            { value: 'percent', label: 'процент' },
            { value: 'fixed', label: 'фиксированная' },
          ]}
          value={value.kind}
          allowDeselect={false}
          onChange={(k) =>
            onChange(
              k === 'percent'
                ? { kind: 'percent', mode: value.mode, rateBp: 100 }
                : k === 'fixed'
                  ? { kind: 'fixed', mode: value.mode, amountKop: 3_000 }
                  : { kind: 'none', mode: value.mode },
            )
          }
          data-testid="commission-kind"
        />
        <SegmentedControl
          mt={24}
          value={value.mode}
          onChange={(m) => set({ mode: m })}
          data={[
            { value: 'on_top', label: 'сверх суммы' },
            { value: 'included', label: 'в сумме' },
          ]}
        />
      </Group>
      {value.kind === 'percent' && (
        <Group grow>
          <NumberInput
            label="Ставка, %"
            decimalScale={2}
            min={0}
            max={100}
            value={value.rateBp / 100}
            onChange={(v) => set({ rateBp: Math.round(Number(v || 0) * 100) })}
            data-testid="commission-rate"
          />
          <NumberInput label="Минимум, ₽" decimalScale={2} min={0} value={rub(value.minKop)} onChange={(v) => set({ minKop: kop(v) })} />
          <NumberInput label="Максимум, ₽" decimalScale={2} min={0} value={rub(value.maxKop)} onChange={(v) => set({ maxKop: kop(v) })} />
        </Group>
      )}
      {value.kind === 'fixed' && (
        <NumberInput
          label="Сумма, ₽"
          decimalScale={2}
          min={0}
          value={rub(value.amountKop)}
          onChange={(v) => set({ amountKop: kop(v) ?? 0 })}
        />
      )}
      <CommissionPreview rule={value} />
    </Stack>
  );
}

export function CommissionPreview({ rule }: { rule: CommissionRule }) {
  let rows: { sample: number; commission: number; total: number; principal: number }[];
  try {
    rows = SAMPLES.map((sample) => {
      const r = computeCommission(rule, sample);
      return { sample, commission: r.commissionKop, total: r.totalKop, principal: r.principalKop };
    });
  } catch {
    return (
      <Text c="red" size="sm">
        Правило не применяется к суммам: проверьте значения.
      </Text>
    );
  }
  return (
    <Table fz="sm" data-testid="commission-preview">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Сумма</Table.Th>
          <Table.Th>Комиссия</Table.Th>
          <Table.Th>Поставщику</Table.Th>
          <Table.Th>Платит клиент</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.sample}>
            <Table.Td>{formatRub(r.sample)}</Table.Td>
            <Table.Td fw={600}>{formatRub(r.commission)}</Table.Td>
            <Table.Td>{formatRub(r.principal)}</Table.Td>
            <Table.Td>{formatRub(r.total)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
