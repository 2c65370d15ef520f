/**
 * The JSON client both UIs call their API with: the session's bearer token, JSON in and out, and a
 * problem answer (RFC 9457, the closed code table of @paydesk/protocol) thrown as a ProblemError
 * carrying the Russian words a person reads.
 */
import { ERROR_CODES, type ErrorCode } from '@paydesk/protocol';

/** A code of the closed table; one this UI does not know (a newer back end) reads as `internal`, its words kept. */
export function errorCodeOf(value: unknown): ErrorCode {
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

export function errorText(e: unknown): string {
  return e instanceof ProblemError || e instanceof Error ? e.message : String(e);
}

export interface ClientOptions {
  /** Where the session's token lives for the tab (sessionStorage). */
  tokenKey: string;
  /** What a failed fetch (nothing answered at all) means to the person at this screen. */
  unreachable: { code: ErrorCode; message: string };
  /** A 401 on this path is a wrong password, not an expired session (no sign-out event). */
  signInPath: string;
}

/** Plain functions (no `this`), so a UI can export them one by one. */
export interface Client {
  api: <T = unknown>(method: string, path: string, body?: unknown, contentType?: string) => Promise<T>;
  download: (path: string) => Promise<void>;
  setToken: (t: string | null) => void;
  getToken: () => string | null;
}

function problemOf(status: number, json: Record<string, unknown> | null): ProblemError {
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return new ProblemError(
    status,
    errorCodeOf(json?.['code']),
    str(json?.['detail']) ?? str(json?.['title']) ?? `Ошибка ${status}`,
    json ?? {},
  );
}

/** One client per UI; a 401 outside sign-in raises `paydesk:unauthorized` so the app shows the sign-in screen. */
export function createClient(options: ClientOptions): Client {
  let token: string | null = sessionStorage.getItem(options.tokenKey);
  const auth = (): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
  const unauthorized = (status: number, path: string): void => {
    if (status === 401 && path !== options.signInPath) window.dispatchEvent(new CustomEvent('paydesk:unauthorized'));
  };

  return {
    setToken: (t) => {
      token = t;
      if (t) sessionStorage.setItem(options.tokenKey, t);
      else sessionStorage.removeItem(options.tokenKey);
    },
    getToken: () => token,

    api: async <T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> => {
      const raw = contentType !== undefined;
      let r: Response;
      try {
        r = await fetch(path, {
          method,
          headers: { ...auth(), ...(body !== undefined ? { 'content-type': contentType ?? 'application/json' } : {}) },
          ...(body !== undefined ? { body: raw ? (body as BodyInit) : JSON.stringify(body) } : {}),
        });
      } catch {
        throw new ProblemError(0, options.unreachable.code, options.unreachable.message, {});
      }
      const text = await r.text();
      let json: Record<string, unknown> | null = null;
      try {
        json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
      } catch {
        // A proxy's HTML error page is not our answer: the status says what happened.
        if (r.ok) throw new ProblemError(r.status, 'internal', 'Ответ не в формате JSON', {});
      }
      if (!r.ok) {
        unauthorized(r.status, path);
        throw problemOf(r.status, json);
      }
      return json as T;
    },

    /** Fetches a file (PDF, XLSX, CSV) with the session's token and hands it to the browser to save. */
    download: async (path: string): Promise<void> => {
      const r = await fetch(path, { headers: auth() });
      if (!r.ok) {
        unauthorized(r.status, path);
        throw problemOf(r.status, (await r.json().catch(() => null)) as Record<string, unknown> | null);
      }
      const name = /filename="([^"]+)"/.exec(r.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
      const url = URL.createObjectURL(await r.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  };
}
