/**
 * A TCP proxy that puts faults on a link: delay, reset, black-hole, and dropping a response after the
 * request was delivered — the case that duplicates payments in naive systems. It works below HTTP:
 * one connection per request is assumed for the response-dropping modes (the desk's HTTP client
 * opens fresh connections when the old one is cut).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type LinkMode =
  /** Bytes pass both ways. */
  | 'pass'
  /** New connections are accepted and never answered; nothing reaches the target. */
  | 'blackhole'
  /** New connections are reset at once. */
  | 'reset';

export interface FaultProxy {
  port: number;
  url: string;
  mode: LinkMode;
  setMode(mode: LinkMode): void;
  /** Delay each chunk forwarded towards the target by this much. */
  setDelay(ms: number): void;
  /** The next `n` responses are dropped: the request reaches the target, the answer is cut. */
  dropResponses(n: number): void;
  /** Cuts every open connection now. */
  cutAll(): void;
  stats(): { connections: number; droppedResponses: number; resets: number };
  close(): Promise<void>;
}

export async function startFaultProxy(targetHost: string, targetPort: number, listenPort = 0): Promise<FaultProxy> {
  let mode: LinkMode = 'pass';
  let delayMs = 0;
  let dropNext = 0;
  const stats = { connections: 0, droppedResponses: 0, resets: 0 };
  const open = new Set<Socket>();

  const server: Server = createServer((client) => {
    stats.connections++;
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (mode === 'reset') {
      stats.resets++;
      client.resetAndDestroy();
      return;
    }
    if (mode === 'blackhole') {
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect(targetPort, targetHost);
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    let dropThis = false;
    client.on('data', (chunk: Buffer) => {
      const send = (): void => {
        if (!upstream.destroyed) upstream.write(chunk);
      };
      if (delayMs > 0) setTimeout(send, delayMs);
      else send();
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!dropThis && dropNext > 0) {
        dropNext--;
        dropThis = true;
        stats.droppedResponses++;
      }
      if (dropThis) {
        // The target has answered, so it did the work; the caller never hears of it.
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const cutAll = (): void => {
    for (const s of open) s.destroy();
    open.clear();
  };
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : listenPort;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    setMode(m) {
      mode = m;
      if (m !== 'pass') cutAll();
    },
    setDelay(ms) {
      delayMs = ms;
    },
    dropResponses(n) {
      dropNext += n;
    },
    cutAll,
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
