/**
 * A small JSON-over-HTTP client for register servers, which tells apart "the request never reached
 * the device" (safe to retry) from "it may have reached it" (outcome unknown).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export class TransportError extends Error {
  /** True when the request certainly was not delivered (connection refused, DNS failure). */
  readonly notDelivered: boolean;

  constructor(message: string, notDelivered: boolean) {
    super(message);
    this.name = 'TransportError';
    this.notDelivered = notDelivered;
  }
}

export interface HttpJsonOptions {
  baseUrl: string;
  timeoutMs: number;
  authorization?: string;
}

export interface HttpJsonResponse {
  status: number;
  body: unknown;
}

const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * One request on a fresh connection (no keep-alive), so a refused connection always means "not
 * delivered", never a stale pooled socket that hides whether the device got the request.
 */
export function httpJson(options: HttpJsonOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpJsonResponse> {
  const url = new URL(path, options.baseUrl);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
  const headers: Record<string, string | number> = { accept: 'application/json', connection: 'close' };
  if (payload) {
    headers['content-type'] = 'application/json; charset=utf-8';
    headers['content-length'] = payload.length;
  }
  if (options.authorization) headers['authorization'] = options.authorization;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let connected = false;
    const req = request(url, { method, headers, agent: false, timeout: options.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => reject(new TransportError(`${method} ${url.pathname}: answer lost (${e.message})`, false)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (text.trim() === '') return resolve({ status: res.statusCode ?? 0, body: null });
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
        } catch {
          reject(new TransportError(`${method} ${url.pathname}: answer is not JSON`, false));
        }
      });
    });
    req.on('socket', (socket) => socket.once('connect', () => (connected = true)));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? e.message;
      reject(new TransportError(`${method} ${url.pathname}: ${code}`, !connected && NOT_DELIVERED.has(e.code ?? '')));
    });
    req.end(payload);
  });
}

export function basicAuth(user?: string, password?: string): string | undefined {
  if (!user) return undefined;
  return `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}`;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
