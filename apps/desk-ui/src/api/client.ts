/** The desk's API as the screens call it: JSON in and out, problems as errors with a Russian message. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
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
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
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
    throw new ProblemError(r.status, str(json?.['code']) ?? 'error', str(json?.['detail']) ?? str(json?.['title']) ?? `Ошибка ${r.status}`, json ?? {});
  }
  return json as T;
}

/** A fresh operation id (UUIDv7) for a form: the same id is sent again on a retry or a double Enter. */
export function newOpId(): string {
  const ms = Date.now();
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  const t = ms.toString(16).padStart(12, '0');
  const variant = ((parseInt(hex.slice(4, 5), 16) & 0x3) | 0x8).toString(16);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${hex.slice(0, 3)}-${variant}${hex.slice(5, 8)}-${hex.slice(8, 20)}`;
}

/** Fetches a file (PDF, XLSX, CSV) with the cashier's token and hands it to the browser to save. */
export async function download(path: string): Promise<void> {
  const r = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!r.ok) {
    const body = (await r.json().catch(() => ({}))) as Record<string, unknown>;
    throw new ProblemError(r.status, typeof body['code'] === 'string' ? body['code'] : 'error', typeof body['detail'] === 'string' ? body['detail'] : `Ошибка ${r.status}`, body);
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
