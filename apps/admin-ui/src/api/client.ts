/** The server's back-office API as the screens call it: JSON in and out, problems as errors with a Russian message. */
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

let token: string | null = sessionStorage.getItem('paydesk.admin.token');

export function setToken(t: string | null): void {
  token = t;
  if (t) sessionStorage.setItem('paydesk.admin.token', t);
  else sessionStorage.removeItem('paydesk.admin.token');
}

export function getToken(): string | null {
  return token;
}

async function problemFrom(r: Response): Promise<ProblemError> {
  const body = (await r.json().catch(() => ({}))) as Record<string, unknown>;
  if (r.status === 401) window.dispatchEvent(new CustomEvent('paydesk:unauthorized'));
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return new ProblemError(r.status, str(body['code']) ?? 'error', str(body['detail']) ?? str(body['title']) ?? `Ошибка ${r.status}`, body);
}

export async function api<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
  let r: Response;
  const raw = contentType !== undefined;
  try {
    r = await fetch(path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': contentType ?? 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: raw ? (body as BodyInit) : JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ProblemError(0, 'server.unreachable', 'Сервер не отвечает. Проверьте связь и повторите.', {});
  }
  if (!r.ok) throw await problemFrom(r);
  const text = await r.text();
  return (text ? JSON.parse(text) : null) as T;
}

/** Fetches a file with the session's token and hands it to the browser to save. */
export async function download(path: string): Promise<void> {
  const r = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!r.ok) throw await problemFrom(r);
  const name = /filename="([^"]+)"/.exec(r.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function errorText(e: unknown): string {
  return e instanceof ProblemError ? e.message : String(e);
}
