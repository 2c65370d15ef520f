/** The desk's API as the screens call it: the shared client, and the op ids a form sends again on a retry. */
import { createClient } from '@paydesk/ui-kit';
import { v7 as uuidv7 } from 'uuid';

export { ProblemError, errorText } from '@paydesk/ui-kit';

const client = createClient({
  tokenKey: 'paydesk.token',
  signInPath: '/api/session',
  unreachable: { code: 'desk.unreachable', message: 'Касса (локальная служба) не отвечает. Проверьте, что она запущена.' },
});

export const { api, download, setToken, getToken } = client;

/**
 * A fresh operation id (UUIDv7) for a form: the same id is sent again on a retry or a double Enter. The
 * uuid package's, whose per-millisecond counter keeps ids made in one millisecond apart and in order —
 * what the providers' txn_id derivation (domain/txn-id.ts) relies on.
 */
export function newOpId(): string {
  return uuidv7();
}

const reversalKey = (paymentId: string): string => `paydesk.reversal.${paymentId}`;

/** The op id of this payment's unfinished reversal, if a tab started one; a new one otherwise. */
export function reversalOpId(paymentId: string): string {
  return localStorage.getItem(reversalKey(paymentId)) ?? newOpId();
}

export function rememberReversalOpId(paymentId: string, opId: string): void {
  localStorage.setItem(reversalKey(paymentId), opId);
}

export function forgetReversalOpId(paymentId: string): void {
  localStorage.removeItem(reversalKey(paymentId));
}
