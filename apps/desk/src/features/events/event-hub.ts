/**
 * Server-sent events for the cashier UI: connectivity changes, the unsent count, an operation the
 * server rejected, register state, reference-data loading progress.
 */
import type { FastifyReply } from 'fastify';

export type DeskEvent =
  | { type: 'status'; data: unknown }
  | { type: 'online'; data: { online: boolean } }
  | { type: 'rejected'; data: { seq: number; opId: string; code: string | null; message: string | null } }
  | { type: 'reference'; data: { loading: boolean; rows: number; remaining: number | null } }
  | { type: 'operation'; data: { opId: string; kind: string; state: string } };

export class EventHub {
  private readonly clients = new Set<FastifyReply>();
  private heartbeat: NodeJS.Timeout | null = null;

  attach(reply: FastifyReply): void {
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    reply.raw.write('retry: 2000\n\n');
    this.clients.add(reply);
    reply.raw.on('close', () => this.clients.delete(reply));
    this.heartbeat ??= setInterval(() => {
      for (const c of this.clients) c.raw.write(': ping\n\n');
    }, 15_000).unref();
  }

  publish(event: DeskEvent): void {
    const payload = `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
    for (const c of this.clients) c.raw.write(payload);
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const c of this.clients) c.raw.end();
    this.clients.clear();
  }
}
