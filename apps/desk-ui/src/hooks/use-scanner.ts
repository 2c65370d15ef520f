/**
 * A keyboard-wedge scanner types the bill's QR like a very fast typist: "ST0001…" then Enter. A
 * burst that starts with "ST0001" anywhere on the screen is a scan, not typing: what it typed into
 * the focused field is taken back out, and the text goes to the handler.
 *
 * Characters arrive as keydown events (real scanners) or, in an editable field, as beforeinput
 * events (text a scanner or an input method inserts, or a paste); all are watched.
 */
import { useEffect, useRef } from 'react';

const PREFIX = 'ST0001';
const GAP_MS = 60;
const IDLE_MS = 120;

function setNativeValue(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, value);
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

function editable(t: EventTarget | null): t is HTMLInputElement | HTMLTextAreaElement {
  return t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement;
}

export function useScanner(onScan: (text: string) => void): void {
  const handler = useRef(onScan);
  handler.current = onScan;

  useEffect(() => {
    let buffer = '';
    let last = 0;
    let scanning = false;
    let field: HTMLInputElement | HTMLTextAreaElement | null = null;
    let before = '';
    let idle: ReturnType<typeof setTimeout> | null = null;

    const finish = (): void => {
      if (idle) clearTimeout(idle);
      idle = null;
      if (!scanning) return;
      const text = buffer;
      scanning = false;
      buffer = '';
      if (field) setNativeValue(field, before);
      field = null;
      handler.current(text);
    };

    const take = (text: string, target: EventTarget | null): boolean => {
      const now = performance.now();
      if (!scanning && now - last > GAP_MS) {
        buffer = '';
        field = editable(target) ? target : null;
        before = field?.value ?? '';
      }
      last = now;
      buffer += text;
      if (!scanning && buffer.startsWith(PREFIX)) scanning = true;
      else if (!scanning && !PREFIX.startsWith(buffer.slice(0, PREFIX.length))) buffer = '';
      if (scanning) {
        if (idle) clearTimeout(idle);
        idle = setTimeout(finish, IDLE_MS);
      }
      return scanning;
    };

    const onKeyDown = (e: KeyboardEvent): void => {
      if (e.key === 'Enter' && scanning) {
        e.preventDefault();
        e.stopImmediatePropagation();
        finish();
        return;
      }
      if (e.key.length !== 1 || e.ctrlKey || e.altKey || e.metaKey) return;
      // In a field, the text comes through beforeinput (it also carries what keydown lacks).
      if (editable(e.target)) return;
      if (take(e.key, e.target)) e.preventDefault();
    };

    const onBeforeInput = (e: InputEvent): void => {
      // A paste carries its text in dataTransfer: pasting a bill's QR text works like scanning it.
      const text = e.data ?? e.dataTransfer?.getData('text/plain') ?? '';
      if (!text || !editable(e.target)) return;
      if (take(text, e.target)) e.preventDefault();
    };

    window.addEventListener('keydown', onKeyDown, true);
    window.addEventListener('beforeinput', onBeforeInput as EventListener, true);
    return () => {
      window.removeEventListener('keydown', onKeyDown, true);
      window.removeEventListener('beforeinput', onBeforeInput as EventListener, true);
      if (idle) clearTimeout(idle);
    };
  }, []);
}
