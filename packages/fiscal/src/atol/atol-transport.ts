/**
 * The ATOL Driver v10 web server's HTTP API, as its public re-implementations and clients show it
 * (sources in testing/atol-simulator.ts): a request is POSTed under a uuid (201; 409 when the server
 * already holds that uuid; 400 when malformed), read back by GET (404 for a uuid it does not hold),
 * withdrawn by DELETE while none of its tasks has started (405 after); `getRequestsQueueStatus` says
 * whether a blocked task has stopped the queue (older builds: `/stat/requests`); `/operations/query*`
 * ask the device directly, outside the queue. Error answers may be a servlet's HTML page, not JSON, so
 * the body is read as text first and only its status is trusted.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { FiscalError } from '../port.ts';
import { basicAuth, TransportError } from '../http-json.ts';
import type { AtolTask } from './atol-mapping.ts';

export interface TaskResult {
  status: string;
  errorCode: number;
  errorDescription: string;
  result: unknown;
}

/** Statuses after which the web server does nothing more with a task. */
export const FINAL = new Set(['ready', 'error', 'interrupted', 'canceled']);

/** Both result shapes: v2's nested `error` and older builds' flat `errorCode`/`errorDescription`. */
export function normalizeResults(body: unknown): TaskResult[] {
  const results = (body as { results?: unknown[] } | null)?.results;
  if (!Array.isArray(results)) throw new FiscalError('outcome_unknown', 'ответ веб-сервера ДТО без results');
  return results.map((r) => {
    const e = r as {
      status?: string;
      error?: { code?: number; description?: string };
      errorCode?: number;
      errorDescription?: string;
      result?: unknown;
    };
    return {
      status: e.status ?? 'error',
      errorCode: e.error?.code ?? e.errorCode ?? 0,
      errorDescription: e.error?.description ?? e.errorDescription ?? '',
      result: e.result ?? null,
    };
  });
}

export interface QueueState {
  blocked: boolean;
  /** The request whose task stopped the queue, when the server names it. */
  blockedUuid: string | null;
}

interface Answer {
  status: number;
  /** The parsed JSON body; null when empty or not JSON (an HTML error page). */
  body: unknown;
}

/** The body as JSON; null when empty or not JSON (a servlet's HTML error page). */
function parseJson(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface AtolTransportOptions {
  url: string;
  user?: string | undefined;
  password?: string | undefined;
  apiPrefix?: string | undefined;
  deviceId?: string | undefined;
  requestTimeoutMs: number;
}

export class AtolTransport {
  private readonly authorization: string | undefined;
  private readonly prefix: string;
  private readonly query: string;

  constructor(private readonly options: AtolTransportOptions) {
    this.authorization = basicAuth(options.user, options.password);
    this.prefix = options.apiPrefix ?? '/api/v2';
    this.query = options.deviceId ? `?deviceID=${encodeURIComponent(options.deviceId)}` : '';
  }

  /** Posts a request. Throws TransportError when the answer did not come back (it may have arrived). */
  async post(uuid: string, tasks: AtolTask[]): Promise<Answer> {
    return this.send('POST', `${this.prefix}/requests${this.query}`, { uuid, request: tasks });
  }

  /** The results under a uuid; null when the server does not hold it. */
  async get(uuid: string, timeoutMs?: number): Promise<TaskResult[] | null> {
    const r = await this.send('GET', `${this.prefix}/requests/${encodeURIComponent(uuid)}${this.query}`, undefined, timeoutMs);
    if (r.status === 404) return null;
    if (r.status !== 200) throw new TransportError(`GET requests: ${r.status}`, false);
    return normalizeResults(r.body);
  }

  /**
   * Withdraws a request none of whose tasks has started: 'canceled' means it will never run; 'started'
   * (405) that the server has begun it or finished it; 'gone' that it does not hold it.
   */
  async cancel(uuid: string): Promise<'canceled' | 'started' | 'gone'> {
    const r = await this.send('DELETE', `${this.prefix}/requests/${encodeURIComponent(uuid)}${this.query}`);
    if (r.status === 200 || r.status === 204) return 'canceled';
    if (r.status === 404) return 'gone';
    if (r.status === 405 || r.status === 409) return 'started';
    throw new TransportError(`DELETE requests: ${r.status}`, false);
  }

  /** Whether a blocked task has stopped the queue; null when this server does not say. */
  async queueState(): Promise<QueueState | null> {
    const path = this.prefix === '' ? '/stat/requests' : `${this.prefix}/getRequestsQueueStatus`;
    const r = await this.send('GET', `${path}${this.query}`);
    if (r.status === 404 || r.status === 405) return null;
    if (r.status === 401 || r.status === 403)
      throw new FiscalError('unavailable', 'веб-сервер ДТО отказал в доступе', r.status, 'not_done');
    if (r.status !== 200) throw new TransportError(`GET ${path}: ${r.status}`, false);
    if (typeof r.body !== 'object' || r.body === null) return null;
    const b = r.body as { isBlocked?: unknown; is_blocked?: unknown; blockedUUID?: unknown; blocked_uuid?: unknown };
    const blocked = b.isBlocked ?? b.is_blocked;
    if (typeof blocked !== 'boolean') return null;
    const uuid = b.blockedUUID ?? b.blocked_uuid;
    return { blocked, blockedUuid: typeof uuid === 'string' && uuid !== '' ? uuid : null };
  }

  /**
   * A direct operation (queryDeviceStatus, queryFnStatus…), run by the server at once, outside the queue.
   * Returns the task's result; null when this server has no such operation (older builds).
   */
  async operation(name: string): Promise<unknown> {
    if (this.prefix === '') return null;
    const r = await this.send('POST', `${this.prefix}/operations/${name}${this.query}`);
    if (r.status === 404 || r.status === 405 || r.status === 501) return null;
    if (r.status !== 200) {
      const err = (r.body as { error?: { code?: number; description?: string } } | null)?.error;
      throw new FiscalError('unavailable', `${name}: ${err?.description ?? `веб-сервер ДТО ответил ${r.status}`}`, err?.code ?? r.status);
    }
    return r.body;
  }

  /**
   * One request on a fresh connection (no keep-alive), so a refused connection always means "not
   * delivered", never a stale pooled socket that hides whether the server got the request.
   */
  private send(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<Answer> {
    const url = new URL(path, this.options.url);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const headers: Record<string, string | number> = { accept: 'application/json', connection: 'close' };
    if (payload) {
      headers['content-type'] = 'application/json; charset=utf-8';
      headers['content-length'] = payload.length;
    }
    if (this.authorization) headers['authorization'] = this.authorization;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      let connected = false;
      const req = request(url, { method, headers, agent: false, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new TransportError(`${method} ${url.pathname}: answer lost (${e.message})`, false)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: parseJson(text) });
        });
      });
      req.on('socket', (socket) => socket.once('connect', () => (connected = true)));
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        reject(new TransportError(`${method} ${url.pathname}: ${e.code ?? e.message}`, !connected && NOT_DELIVERED.has(e.code ?? '')));
      });
      req.end(payload);
    });
  }
}
