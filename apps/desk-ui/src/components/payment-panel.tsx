/**
 * The bottom of every payment: cash or card, what was handed over, the change in large type, and
 * Enter to accept. The operation id is minted once per payment, so a double Enter or a retry after an
 * error is the same payment — never a second one.
 */
import { Alert, Button, Group, Loader, Paper, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, newOpId, ProblemError } from '../api/client.ts';
import type { PaymentResult } from '../api/types.ts';
import { inputToKop, money } from '../format.ts';

export interface PaymentPanelHandle {
  focus(): void;
}

interface Props {
  /** The request without opId, method and tendered; null while it is not complete. */
  request: Record<string, unknown> | null;
  totalKop: number | null;
  onDone: (result: PaymentResult) => void;
  acceptLabel?: string;
}

export const PaymentPanel = forwardRef<PaymentPanelHandle, Props>(function PaymentPanel({ request, totalKop, onDone, acceptLabel }, ref) {
  const { t } = useTranslation();
  const [method, setMethod] = useState<'cash' | 'card'>('cash');
  const [tendered, setTendered] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const opId = useRef(newOpId());
  /** The payment sent whose outcome is not known yet: a retry sends exactly it again, whatever was edited since. */
  const unsettled = useRef<Record<string, unknown> | null>(null);
  const tenderedInput = useRef<HTMLInputElement>(null);
  const acceptButton = useRef<HTMLButtonElement>(null);
  const busyRef = useRef(false);

  useImperativeHandle(ref, () => ({ focus: () => (method === 'cash' ? tenderedInput.current : acceptButton.current)?.focus() }), [method]);
  useEffect(() => {
    if (method === 'card') acceptButton.current?.focus();
    else tenderedInput.current?.focus();
  }, [method]);

  const tenderedKop = inputToKop(tendered);
  const changeKop = method === 'cash' && tenderedKop !== null && totalKop !== null ? tenderedKop - totalKop : null;
  const short = changeKop !== null && changeKop < 0;

  const accept = async (): Promise<void> => {
    if (busyRef.current || !request || totalKop === null || short) return;
    busyRef.current = true;
    setBusy(true);
    setError(null);
    const body = unsettled.current ?? {
      ...request,
      opId: opId.current,
      method,
      ...(method === 'cash' && tenderedKop !== null ? { tenderedKop } : {}),
    };
    try {
      const result = await api<PaymentResult>('POST', '/api/payments', body);
      opId.current = newOpId();
      unsettled.current = null;
      setTendered('');
      onDone(result);
    } catch (e) {
      const unknown =
        !(e instanceof ProblemError) || e.status >= 500 || e.code === 'fiscal.outcome_unknown' || e.code === 'payment.in_progress';
      if (unknown) {
        // No answer, or the register cannot say yet: the same payment is retried, never a second one.
        unsettled.current = body;
        setError(`${e instanceof ProblemError ? e.message : String(e)} ${t('pay.retrySame')}`);
      } else {
        // A definite "no": nothing was taken, so the corrected payment is a new operation.
        opId.current = newOpId();
        unsettled.current = null;
        setError(e.message);
      }
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === '*' && !e.ctrlKey) {
        e.preventDefault();
        setMethod((m) => (m === 'cash' ? 'card' : 'cash'));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <Paper withBorder p="md" radius="md" data-testid="payment-panel">
      <Stack gap="sm">
        <Group align="flex-end" gap="lg" wrap="nowrap">
          <Stack gap={4}>
            <Text size="sm" c="dimmed">
              {t('pay.method')} · {t('pay.toggleHint')}
            </Text>
            <SegmentedControl
              size="md"
              value={method}
              onChange={(v) => setMethod(v)}
              data={[
                { value: 'cash', label: t('pay.cash') },
                { value: 'card', label: t('pay.card') },
              ]}
              data-testid="method"
            />
          </Stack>
          {method === 'cash' && (
            <TextInput
              ref={tenderedInput}
              size="lg"
              w={200}
              label={t('pay.tendered')}
              placeholder={t('pay.tenderedHint')}
              value={tendered}
              onChange={(e) => setTendered(e.currentTarget.value.replace(/[^\d.,\s]/g, ''))}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  void accept();
                }
              }}
              error={tendered !== '' && tenderedKop === null ? ' ' : undefined}
              data-testid="tendered"
            />
          )}
          <Stack gap={0} ml="auto" align="flex-end">
            <Text size="sm" c="dimmed">
              {t('billing.grandTotal')}
            </Text>
            <Title order={2} data-testid="total">
              {money(totalKop)}
            </Title>
          </Stack>
          {method === 'cash' && (
            <Stack gap={0} align="flex-end" miw={170}>
              <Text size="sm" c="dimmed">
                {short ? t('pay.short', { sum: money(-(changeKop ?? 0)) }) : t('pay.change')}
              </Text>
              <Title order={1} c={short ? 'red' : 'green.8'} data-testid="change">
                {changeKop === null ? money(0) : money(Math.abs(changeKop))}
              </Title>
            </Stack>
          )}
        </Group>
        {error && (
          <Alert color="red" variant="filled" title={t('pay.failed')} data-testid="payment-error">
            {error}
          </Alert>
        )}
        <Button
          ref={acceptButton}
          size="xl"
          fullWidth
          disabled={!request || totalKop === null || short || busy}
          onClick={() => void accept()}
          data-testid="accept"
          leftSection={busy ? <Loader size="sm" color="white" /> : undefined}
        >
          {busy ? t('pay.accepting') : error ? t('pay.retry') : (acceptLabel ?? t('pay.accept'))}
        </Button>
      </Stack>
    </Paper>
  );
});
