/** The receipt as the register printed it: the virtual register's tape, or a real register's fiscal details. */
import { Paper, ScrollArea, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Fiscal } from '../api/types.ts';
import { dateTime } from '../format.ts';

export function ReceiptView({ tape, fiscal, maxHeight = 520 }: { tape: string | null; fiscal: Fiscal | null; maxHeight?: number }) {
  const { t } = useTranslation();
  if (tape) {
    return (
      <Paper withBorder shadow="xs" p="sm" bg="#fffef6" style={{ width: 'fit-content' }} data-testid="receipt-tape">
        <ScrollArea.Autosize mah={maxHeight}>
          <pre style={{ margin: 0, fontFamily: '"DejaVu Sans Mono", "Courier New", monospace', fontSize: 12.5, lineHeight: 1.35 }}>
            {tape}
          </pre>
        </ScrollArea.Autosize>
      </Paper>
    );
  }
  if (!fiscal) return null;
  return (
    <Paper withBorder p="md" data-testid="receipt-fiscal">
      <Stack gap={4}>
        <Text fw={700}>{t('pay.receipt')}</Text>
        <Text>
          ФД {fiscal.documentNumber} · ФП {fiscal.fiscalSign}
        </Text>
        <Text>
          Смена {fiscal.shiftNumber}, чек {fiscal.receiptNumber}
        </Text>
        <Text>{dateTime(fiscal.at)}</Text>
      </Stack>
    </Paper>
  );
}
