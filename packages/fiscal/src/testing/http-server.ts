/** A tiny JSON HTTP server for the protocol simulators, with a switch to drop the next answer. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `text`, when given, is sent as is (text/html), the way a Java servlet's sendError answers. */
export type JsonHandler = (req: {
  method: string;
  path: string;
  body: unknown;
  headers: IncomingMessage['headers'];
}) => Promise<{ status: number; body: unknown; text?: string }>;

export type RequestMatcher = (req: { method: string; path: string; body: unknown }) => boolean;

export interface JsonServer {
  url: string;
  port: number;
  /**
   * The next request that matches is handled, but its answer is never sent: the connection is cut.
   * Several calls queue up in order; each matches only after the one before it has struck.
   */
  dropNextAnswer(match?: RequestMatcher): void;
  stop(): Promise<void>;
}

export async function startJsonServer(handler: JsonHandler, port = 0): Promise<JsonServer> {
  const drops: RequestMatcher[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async (): Promise<void> => {
        let body: unknown = null;
        const text = Buffer.concat(chunks).toString('utf8');
        if (text.trim()) {
          try {
            body = JSON.parse(text) as unknown;
          } catch {
            res
              .writeHead(400, { 'content-type': 'application/json' })
              .end(JSON.stringify({ error: { code: 501, description: 'JSON parse error' } }));
            return;
          }
        }
        const url = new URL(req.url ?? '/', 'http://localhost');
        const answer = await handler({ method: req.method ?? 'GET', path: url.pathname + url.search, body, headers: req.headers });
        const head = drops[0];
        if (head?.({ method: req.method ?? 'GET', path: url.pathname + url.search, body })) {
          drops.shift();
          req.socket.destroy();
          return;
        }
        if (answer.text !== undefined) res.writeHead(answer.status, { 'content-type': 'text/html; charset=utf-8' }).end(answer.text);
        else res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer.body));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    dropNextAnswer: (match = () => true) => {
      drops.push(match);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
