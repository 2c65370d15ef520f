/** The desk's API as the screens call it: JSON in and out, problems as errors with a Russian message. */
import { ERROR_CODES, type ErrorCode } from '@paydesk/protocol';
import { v7 as uuidv7 } from 'uuid';

/** A code of the closed table; one this UI does not know (a newer desk) reads as `internal`, its words kept. */
function errorCodeOf(value: unknown): ErrorCode {
  return ERROR_CODES.includes(value as ErrorCode) ? (value as ErrorCode) : 'internal';
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

let token: string | null = sessionStorage.getItem('paydesk.token');

export function setToken(t: string | null): void {
  token = t;
  if (t) sessionStorage.setItem('paydesk.token', t);
  else sessionStorage.removeItem('paydesk.token');
}

export function getToken(): string | null {
  return token;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  let r: Response;
  try {
    r = await fetch(path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ProblemError(0, 'desk.unreachable', 'Касса (локальная служба) не отвечает. Проверьте, что она запущена.', {});
  }
  const text = await r.text();
  const json = (text ? JSON.parse(text) : null) as Record<string, unknown> | null;
  if (!r.ok) {
    if (r.status === 401 && path !== '/api/session') window.dispatchEvent(new CustomEvent('paydesk:unauthorized'));
    const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    throw new ProblemError(
      r.status,
      errorCodeOf(json?.['code']),
      str(json?.['detail']) ?? str(json?.['title']) ?? `Ошибка ${r.status}`,
      json ?? {},
    );
  }
  return json as T;
}

/**
 * A fresh operation id (UUIDv7) for a form: the same id is sent again on a retry or a double Enter. The
 * uuid package's, whose per-millisecond counter keeps ids made in one millisecond apart and in order —
 * what the providers' txn_id derivation (domain/txn-id.ts) relies on.
 */
export function newOpId(): string {
  return uuidv7();
}

/** Fetches a file (PDF, XLSX, CSV) with the cashier's token and hands it to the browser to save. */
export async function download(path: string): Promise<void> {
  const r = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!r.ok) {
    const body = (await r.json().catch(() => ({}))) as Record<string, unknown>;
    throw new ProblemError(
      r.status,
      errorCodeOf(body['code']),
      typeof body['detail'] === 'string' ? body['detail'] : `Ошибка ${r.status}`,
      body,
    );
  }
  const name = /filename="([^"]+)"/.exec(r.headers.get('content-disposition') ?? '')?.[1] ?? 'report';
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
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
