/**
 * The bottom of every payment: cash or card, what was handed over, the change in large type, and
 * Enter to accept. The operation id is minted once per payment, so a double Enter or a retry after an
 * error is the same payment — never a second one.
 *
 * Money at stake needs a deliberate step (issue 19): what the screen asks to confirm (a bill already
 * paid, an advance far above the debt) stops the first Enter and waits for Ctrl+Enter, with focus on
 * «Отмена» so a second Enter cancels; a card paid on a standalone terminal needs the approval code
 * from its slip, while a connected terminal gets the sum by itself; a payment that cannot be taken
 * says why instead of greying the button out.
 */
import { Alert, Button, Checkbox, Group, Loader, Paper, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, newOpId, ProblemError } from '../api/client.ts';
import type { PaymentResult } from '../api/types.ts';
import { inputToKop, money } from '../format.ts';

export interface PaymentPanelHandle {
  focus(): void;
  /** Enter in the sum above: in cash, accept it as exact money (as Enter in an empty «Получено» does); by card, go to the approval code. */
  acceptExact(): void;
}

interface Props {
  /** The request without opId, method and tendered; null while it is not complete. */
  request: Record<string, unknown> | null;
  totalKop: number | null;
  onDone: (result: PaymentResult) => void;
  acceptLabel?: string;
  /** Why there is no request yet, in words the cashier can act on (shown instead of a silent grey button). */
  blockedReason?: string | null;
  /** What the cashier must confirm deliberately (Ctrl+Enter) before this payment is taken. */
  confirmations?: string[];
}

/** A payment on its way to the register: keys that would change or leave the screen wait for its answer. */
let inFlight = 0;
export function paymentInFlight(): boolean {
  return inFlight > 0;
}

const APPROVAL = /^[0-9A-Za-z]{2,8}$/;

/** Codes that say for certain nothing was charged to a card: the corrected payment may be a new operation. */
const CARD_NOT_CHARGED = new Set(['card.declined', 'card.unavailable', 'card.reversed', 'card.approval_needed', 'validation.failed']);

/**
 * What the panel needs of the desk's settings, asked once per panel: the card terminal — standalone
 * (typed approval) or connected (the sum goes to it) — and whether the point lets a payer go paperless.
 */
function usePointFacts(): { terminal: string | null; paperless: boolean } {
  const [facts, setFacts] = useState<{ terminal: string | null; paperless: boolean }>({ terminal: null, paperless: false });
  useEffect(() => {
    let alive = true;
    void api<{ terminalActive: { driver: string }; point: { paperlessReceipts?: boolean } }>('GET', '/api/settings')
      .then((r) => alive && setFacts({ terminal: r.terminalActive.driver, paperless: r.point.paperlessReceipts === true }))
      .catch(() => alive && setFacts({ terminal: 'standalone', paperless: false }));
    return () => {
      alive = false;
    };
  }, []);
  return facts;
}

export const PaymentPanel = forwardRef<PaymentPanelHandle, Props>(function PaymentPanel(
  { request, totalKop, onDone, acceptLabel, blockedReason, confirmations = [] },
  ref,
) {
  const { t } = useTranslation();
  const { terminal, paperless: paperlessAllowed } = usePointFacts();
  /** The approval is typed only from a standalone terminal's slip; a connected one is driven by the desk. */
  const typed = terminal === 'standalone';
  const [method, setMethod] = useState<'cash' | 'card'>('cash');
  const [tendered, setTendered] = useState('');
  const [approval, setApproval] = useState('');
  /** The payer's phone or e-mail for an electronic copy (tag 1008); the desk checks and normalises it. */
  const [contact, setContact] = useState('');
  /** The payer asked for the electronic receipt only (where the point allows it). */
  const [paperless, setPaperless] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [asked, setAsked] = useState<string | null>(null);
  /** Shown after an Enter that could not pay, so the reason is read where the eyes are. */
  const [tried, setTried] = useState(false);
  const confirmKey = confirmations.join('\n');
  const [confirming, setConfirming] = useState(false);
  const cancelConfirm = useRef<HTMLButtonElement>(null);
  const approvalInput = useRef<HTMLInputElement>(null);
  const opId = useRef(newOpId());
  /** The payment sent whose outcome is not known yet: a retry sends exactly it again, whatever was edited since. */
  const unsettled = useRef<Record<string, unknown> | null>(null);
  const tenderedInput = useRef<HTMLInputElement>(null);
  const acceptButton = useRef<HTMLButtonElement>(null);
  const busyRef = useRef(false);

  const acceptRef = useRef<(confirmed?: boolean) => Promise<void>>(async () => {});
  useImperativeHandle(
    ref,
    () => ({
      focus: () => (method === 'cash' ? tenderedInput.current : typed ? approvalInput.current : acceptButton.current)?.focus(),
      acceptExact: () => {
        if ((method === 'cash' && tendered === '') || (method === 'card' && !typed)) void acceptRef.current();
        else (method === 'cash' ? tenderedInput.current : approvalInput.current)?.focus();
      },
    }),
    [method, tendered, typed],
  );
  // Focus follows a change of method, never the panel's first appearance: the screen above decides
  // where typing starts (a provider's account field, not «Получено»).
  // (A change is compared with the method last seen: effects may run twice on mount under StrictMode.)
  const lastMethod = useRef(method);
  useEffect(() => {
    if (lastMethod.current === method) return;
    lastMethod.current = method;
    if (method === 'card') (typed ? approvalInput.current : acceptButton.current)?.focus();
    else tenderedInput.current?.focus();
  }, [method, typed]);
  // Another request (a new sum, other lines) is another question: its confirmation is asked anew.
  useEffect(() => {
    setConfirming(false);
    if (asked !== null && asked !== confirmKey) setAsked(null);
  }, [confirmKey, asked]);
  useEffect(() => {
    if (confirming) cancelConfirm.current?.focus();
  }, [confirming]);

  const tenderedKop = inputToKop(tendered);
  const changeKop = method === 'cash' && tenderedKop !== null && totalKop !== null ? tenderedKop - totalKop : null;
  const short = changeKop !== null && changeKop < 0;
  const approvalCode = approval.trim();
  const reason = ((): string | null => {
    if (blockedReason) return blockedReason;
    if (!request || totalKop === null) return null;
    if (method === 'cash' && tendered !== '' && tenderedKop === null) return t('pay.tenderedInvalid', { text: tendered });
    if (short) return t('pay.short', { sum: money(-(changeKop ?? 0)) });
    if (method === 'card' && terminal === null) return t('pay.terminalLoading');
    if (method === 'card' && typed && !APPROVAL.test(approvalCode)) return t('pay.approvalNeeded');
    return null;
  })();

  const cancel = (): void => {
    setConfirming(false);
    (method === 'cash' ? tenderedInput.current : typed ? approvalInput.current : acceptButton.current)?.focus();
  };

  const accept = async (confirmed = false): Promise<void> => {
    if (busyRef.current) return;
    setTried(true);
    if (!unsettled.current && (reason || !request || totalKop === null)) return;
    if (!unsettled.current && confirmations.length > 0 && !confirmed && asked !== confirmKey) {
      setConfirming(true);
      return;
    }
    if (confirmed) setAsked(confirmKey);
    setConfirming(false);
    busyRef.current = true;
    inFlight++;
    setBusy(true);
    setError(null);
    const body = unsettled.current ?? {
      ...request,
      opId: opId.current,
      method,
      ...(method === 'cash' && tenderedKop !== null ? { tenderedKop } : {}),
      ...(method === 'card' && typed ? { cardApproval: { code: approvalCode } } : {}),
      ...(contact.trim() ? { customerContact: contact.trim() } : {}),
      ...(paperless && paperlessAllowed && contact.trim() ? { paperless: true } : {}),
    };
    try {
      const result = await api<PaymentResult>('POST', '/api/payments', body);
      opId.current = newOpId();
      unsettled.current = null;
      setTendered('');
      setApproval('');
      setContact('');
      setPaperless(false);
      setTried(false);
      onDone(result);
    } catch (e) {
      const sentMethod = (body as { method?: string }).method;
      const unknown =
        !(e instanceof ProblemError) ||
        e.status >= 500 ||
        e.code === 'fiscal.outcome_unknown' ||
        e.code === 'card.outcome_unknown' ||
        e.code === 'payment.in_progress' ||
        // A card may already be charged when the register refused afterwards: the retry is this same
        // payment, whose charge the desk finds, never a second charge under a new id.
        (sentMethod === 'card' && !CARD_NOT_CHARGED.has(e.code));
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
      inFlight--;
      setBusy(false);
    }
  };

  acceptRef.current = accept;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === '*' && !e.ctrlKey) {
        e.preventDefault();
        // The method of a payment on its way is what was sent: it cannot change under it.
        if (!busyRef.current) setMethod((m) => (m === 'cash' ? 'card' : 'cash'));
      } else if (e.key === 'Enter' && e.ctrlKey && confirmingRef.current) {
        e.preventDefault();
        void acceptRef.current(true);
      } else if (e.key === 'Escape' && confirmingRef.current) {
        e.preventDefault();
        e.stopImmediatePropagation();
        cancelRef.current();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
  const confirmingRef = useRef(confirming);
  confirmingRef.current = confirming;
  const cancelRef = useRef(cancel);
  cancelRef.current = cancel;

  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      shadow="md"
      // Always in view above the status bar, however long the lines above it: the money step is never scrolled away.
      style={{ position: 'sticky', bottom: 'calc(var(--app-shell-footer-offset, 52px) + 4px)', zIndex: 3 }}
      data-testid="payment-panel"
    >
      <Stack gap="sm">
        <Group align="flex-end" gap="lg" wrap="wrap">
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
              readOnly={busy}
              onChange={(e) => setTendered(e.currentTarget.value.replace(/[^\d.,\s]/g, ''))}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.ctrlKey) {
                  e.preventDefault();
                  void accept();
                }
              }}
              error={tendered !== '' && tenderedKop === null ? ' ' : undefined}
              data-testid="tendered"
            />
          )}
          {method === 'card' && !typed && (
            <Stack gap={2} maw={260} data-testid="card-terminal-hint">
              <Text size="sm" c="dimmed">
                {t('pay.terminal')}
              </Text>
              <Text fw={600}>{busy ? t('pay.cardWaiting') : t('pay.cardHint')}</Text>
            </Stack>
          )}
          {method === 'card' && typed && (
            <TextInput
              ref={approvalInput}
              size="lg"
              w={220}
              label={t('pay.approval')}
              placeholder={t('pay.approvalHint')}
              value={approval}
              readOnly={busy}
              maxLength={8}
              onChange={(e) => setApproval(e.currentTarget.value.replace(/[^0-9A-Za-z]/g, '').toUpperCase())}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.ctrlKey) {
                  e.preventDefault();
                  void accept();
                }
              }}
              data-testid="card-approval"
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
        {confirming && (
          <Alert color="orange" variant="filled" role="alertdialog" title={t('pay.confirmTitle')} data-testid="confirm-box">
            <Stack gap="xs">
              {confirmations.map((c) => (
                <Text key={c} size="lg" fw={600}>
                  {c}
                </Text>
              ))}
              <Group gap="sm">
                <Button ref={cancelConfirm} variant="white" color="dark" onClick={cancel} data-testid="confirm-cancel">
                  {t('pay.confirmCancel')}
                </Button>
                <Button variant="outline" color="white" onClick={() => void accept(true)} data-testid="confirm-yes">
                  {t('pay.confirmYes')}
                </Button>
              </Group>
            </Stack>
          </Alert>
        )}
        {reason && (tried || blockedReason) && !busy && (
          <Text c="red.8" fw={600} data-testid="blocked-reason">
            {reason}
          </Text>
        )}
        <Group gap="sm" wrap="nowrap" align="stretch">
          <Button
            ref={acceptButton}
            size="xl"
            style={{ flex: 1 }}
            disabled={(!unsettled.current && (!request || totalKop === null || reason !== null)) || busy}
            onClick={() => void accept()}
            data-testid="accept"
            leftSection={busy ? <Loader size="sm" color="white" /> : undefined}
          >
            {busy
              ? method === 'card' && !typed
                ? t('pay.cardWaiting')
                : t('pay.accepting')
              : error
                ? t('pay.retry')
                : (acceptLabel ?? t('pay.accept'))}
          </Button>
          {/* Tag 1008: on the accept row, so the panel grows no taller at 1024×768. */}
          <TextInput
            size="xl"
            w={300}
            aria-label={t('pay.contact')}
            title={t('pay.contact')}
            placeholder={t('pay.contactHint')}
            value={contact}
            readOnly={busy}
            maxLength={100}
            onChange={(e) => setContact(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.ctrlKey) {
                e.preventDefault();
                void accept();
              }
            }}
            data-testid="customer-contact"
          />
        </Group>
        {paperlessAllowed && contact.trim() !== '' && (
          <Checkbox
            label={t('pay.paperless')}
            checked={paperless}
            disabled={busy}
            onChange={(e) => setPaperless(e.currentTarget.checked)}
            data-testid="paperless"
          />
        )}
      </Stack>
    </Paper>
  );
});
