/**
 * «Чек коррекции» on the «ККМ» screen: money taken or returned without a receipt (the register failed,
 * the cashier wrote a note) made good by a senior cashier — the direction, the basis (1173 self or by
 * instruction, 1178 its date, 1179 its number), what the money was for, the sum and how it was paid.
 * The operation id is minted once per dialog, so a double Enter or a retry is the same correction.
 */
import { Alert, Button, Group, Modal, PasswordInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { DateField } from '@paydesk/ui-kit';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, newOpId, ProblemError } from '../api/client.ts';
import { inputToKop, money } from '../format.ts';

interface Props {
  opened: boolean;
  onClose: () => void;
  onDone: (text: string) => void;
  /** The signed-in cashier is not a senior: the senior's login and password are asked here. */
  needsApproval: boolean;
}

const today = (): string => new Date().toISOString().slice(0, 10);

export function CorrectionDialog({ opened, onClose, onDone, needsApproval }: Props) {
  const { t } = useTranslation();
  const [direction, setDirection] = useState<'income' | 'return'>('income');
  const [type, setType] = useState<'self' | 'instruction'>('self');
  const [baseDate, setBaseDate] = useState(today());
  const [baseNumber, setBaseNumber] = useState('');
  const [description, setDescription] = useState('');
  const [amount, setAmount] = useState('');
  const [method, setMethod] = useState<'cash' | 'card'>('cash');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const opId = useRef(newOpId());
  const amountKop = inputToKop(amount);

  const close = (): void => {
    opId.current = newOpId();
    setError(null);
    onClose();
  };

  const submit = async (): Promise<void> => {
    if (busy) return;
    setError(null);
    if (amountKop === null || amountKop <= 0) return setError(t('correction.amountNeeded'));
    setBusy(true);
    try {
      const r = await api<{ number: string; totalKop: number; fiscal: { documentNumber: number } | null }>('POST', '/api/corrections', {
        opId: opId.current,
        direction,
        correctionType: type,
        baseDate,
        baseNumber: baseNumber.trim(),
        description: description.trim(),
        amountKop,
        method,
        ...(needsApproval ? { approval: { login, password } } : {}),
      });
      opId.current = newOpId();
      setDescription('');
      setAmount('');
      setBaseNumber('');
      setPassword('');
      onDone(t('correction.done', { number: r.number, sum: money(r.totalKop), fd: r.fiscal?.documentNumber ?? '—' }));
    } catch (e) {
      // A definite "no" leaves the form as it was; an unknown outcome keeps the id, so the retry is the same correction.
      if (e instanceof ProblemError && e.status < 500 && e.code !== 'fiscal.outcome_unknown') opId.current = newOpId();
      setError(e instanceof ProblemError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={close} title={t('correction.title')} size="lg" returnFocus={false}>
      <Stack gap="sm" data-testid="correction-dialog">
        <Text size="sm" c="dimmed">
          {t('correction.help')}
        </Text>
        {/* One row each: at 1024×768 the two side by side cut their labels. */}
        <SegmentedControl
          fullWidth
          value={direction}
          onChange={(v) => setDirection(v)}
          data={[
            { value: 'income', label: t('correction.income') },
            { value: 'return', label: t('correction.return') },
          ]}
          data-testid="correction-direction"
        />
        <SegmentedControl
          fullWidth
          value={type}
          onChange={(v) => setType(v)}
          data={[
            { value: 'self', label: t('correction.self') },
            { value: 'instruction', label: t('correction.instruction') },
          ]}
          data-testid="correction-type"
        />
        <Group grow align="flex-start">
          <DateField label={t('correction.baseDate')} value={baseDate} onChange={setBaseDate} data-testid="correction-date" />
          <TextInput
            label={type === 'instruction' ? t('correction.instructionNumber') : t('correction.baseNumber')}
            value={baseNumber}
            maxLength={32}
            onChange={(e) => setBaseNumber(e.currentTarget.value)}
            data-testid="correction-number"
          />
        </Group>
        <TextInput
          label={t('correction.description')}
          placeholder={t('correction.descriptionHint')}
          value={description}
          maxLength={128}
          onChange={(e) => setDescription(e.currentTarget.value)}
          data-autofocus
          data-testid="correction-description"
        />
        <Group grow align="flex-end">
          <TextInput
            label={t('register.amount')}
            value={amount}
            onChange={(e) => setAmount(e.currentTarget.value.replace(/[^\d.,\s]/g, ''))}
            data-testid="correction-amount"
          />
          <SegmentedControl
            value={method}
            onChange={(v) => setMethod(v)}
            data={[
              { value: 'cash', label: t('pay.cash') },
              { value: 'card', label: t('pay.card') },
            ]}
          />
        </Group>
        {needsApproval && (
          <Group grow>
            <TextInput label={t('correction.seniorLogin')} value={login} onChange={(e) => setLogin(e.currentTarget.value)} />
            <PasswordInput
              label={t('correction.seniorPassword')}
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') void submit();
              }}
            />
          </Group>
        )}
        {error && (
          <Alert color="red" variant="filled" data-testid="correction-error">
            {error}
          </Alert>
        )}
        <Button size="lg" loading={busy} onClick={() => void submit()} data-testid="correction-submit">
          {t('correction.submit')}
        </Button>
      </Stack>
    </Modal>
  );
}
