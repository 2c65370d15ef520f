/** After Enter: the payment is accepted, the change in large type, the receipt, and Enter for the next payer. */
import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { PaymentResult } from '../api/types.ts';
import { money } from '../format.ts';
import { ReceiptView } from './receipt-view.tsx';

export function PaymentResultView({ result, onNext }: { result: PaymentResult; onNext: () => void }) {
  const { t } = useTranslation();
  const [tape, setTape] = useState<string | null>(null);
  const next = useRef<HTMLButtonElement>(null);
  // A double Enter on «Принять» must not skip the change: the next payer's key is taken a moment later.
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setArmed(true), 600);
    return () => clearTimeout(timer);
  }, []);
  useEffect(() => {
    next.current?.focus();
    api<{ tape: string | null }>('GET', `/api/payments/${result.paymentId}`)
      .then((d) => setTape(d.tape))
      .catch(() => undefined);
  }, [result.paymentId]);
  return (
    <Group align="flex-start" gap="xl" wrap="nowrap" data-testid="payment-result">
      <Stack gap="md" style={{ flex: 1 }}>
        <Alert color="green" variant="light" title={<Title order={3}>{t('pay.done')}</Title>}>
          <Text size="lg">
            {t('pay.number', { number: result.number })} · {money(result.totalKop)}
            {result.commissionKop > 0 ? ` (${t('billing.commission').toLowerCase()} ${money(result.commissionKop)})` : ''}
          </Text>
        </Alert>
        {result.method === 'cash' && (
          <Paper withBorder p="lg" radius="md">
            <Text c="dimmed">{t('pay.change')}</Text>
            <Title order={1} size={56} c="green.8" data-testid="result-change">
              {money(result.changeKop)}
            </Title>
          </Paper>
        )}
        {result.card && (
          <Paper withBorder p="lg" radius="md" data-testid="result-card">
            <Text c="dimmed">{t('pay.cardPaid')}</Text>
            <Text size="xl" fw={700}>
              {[result.card.cardType, result.card.maskedPan].filter(Boolean).join(' ') || t('pay.card')}
            </Text>
            <Text>
              {t('pay.approval')}: {result.card.authCode}
              {result.card.rrn ? ` · RRN ${result.card.rrn}` : ''}
            </Text>
            {result.card.slipPrinted === false && (
              <Text c="orange.8" fw={600}>
                {t('pay.slipNotPrinted')}
              </Text>
            )}
          </Paper>
        )}
        {result.fiscal?.printed === false && (
          <Alert color="orange" variant="filled">
            {t('pay.notPrinted')}
          </Alert>
        )}
        {result.warnings.map((w) => (
          <Alert key={w} color="yellow" variant="light">
            {w}
          </Alert>
        ))}
        <Button ref={next} size="xl" onClick={() => armed && onNext()} data-armed={armed} data-testid="next-payer">
          {t('pay.next')}
        </Button>
      </Stack>
      <ReceiptView tape={tape} fiscal={result.fiscal} />
    </Group>
  );
}
