/**
 * The desk's state for the whole UI: polled every two seconds and refreshed at once on server-sent
 * events (connectivity, queue, register, rejections).
 */
import { useEffect, useRef, useState } from 'react';
import { api, getToken } from '../api/client.ts';
import type { DeskStatus } from '../api/types.ts';

export interface DeskEvents {
  onOnline?: (online: boolean) => void;
  onRejected?: (r: { seq: number; code: string | null; message: string | null }) => void;
}

export function useDeskStatus(events: DeskEvents = {}, signedIn = true): DeskStatus | null {
  const [status, setStatus] = useState<DeskStatus | null>(null);
  const handlers = useRef(events);
  handlers.current = events;

  useEffect(() => {
    let alive = true;
    const load = async (): Promise<void> => {
      try {
        const s = await api<DeskStatus>('GET', '/api/status');
        if (alive) setStatus(s);
      } catch {
        // The next poll tries again; the status bar keeps the last known state.
      }
    };
    void load();
    const timer = setInterval(() => void load(), 2000);
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    // The stream opens with a single-use ticket (no session token in a URL); when it drops, EventSource
    // would retry the spent ticket, so it is closed and opened again with a fresh one.
    const open = async (): Promise<void> => {
      if (!alive || !signedIn || !getToken()) return;
      let ticket: string;
      try {
        ticket = (await api<{ ticket: string }>('POST', '/api/events/ticket')).ticket;
      } catch {
        retry = setTimeout(() => void open(), 3000);
        return;
      }
      if (!alive) return;
      const es = new EventSource(`/api/events?ticket=${encodeURIComponent(ticket)}`);
      source = es;
      es.onerror = () => {
        es.close();
        if (alive) retry = setTimeout(() => void open(), 1000);
      };
      es.addEventListener('online', (e) => {
        const data = JSON.parse((e as MessageEvent<string>).data) as { online: boolean };
        handlers.current.onOnline?.(data.online);
        void load();
      });
      es.addEventListener('rejected', (e) => {
        handlers.current.onRejected?.(
          JSON.parse((e as MessageEvent<string>).data) as { seq: number; code: string | null; message: string | null },
        );
        void load();
      });
      for (const type of ['status', 'operation', 'reference']) es.addEventListener(type, () => void load());
    };
    void open();
    return () => {
      alive = false;
      clearInterval(timer);
      if (retry) clearTimeout(retry);
      source?.close();
    };
  }, [signedIn]);
  return status;
}
