/**
 * Function keys and Esc for the whole screen; the browser's own meaning of F1…F12 is suppressed.
 * Chords are written "Alt+KeyX", "Ctrl+KeyL" with the key's physical code, so they work whatever the
 * keyboard layout (a Russian layout gives «ч» for the X key).
 */
import { useEffect, useRef } from 'react';

export function useHotkeys(map: Record<string, () => void>): void {
  const ref = useRef(map);
  ref.current = map;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const chord = e.altKey ? `Alt+${e.code}` : e.ctrlKey ? `Ctrl+${e.code}` : null;
      const fn = (chord ? ref.current[chord] : undefined) ?? (e.altKey || e.ctrlKey ? undefined : ref.current[e.key]);
      if (!fn) return;
      if (chord || /^F\d+$/.test(e.key) || e.key === 'Escape') e.preventDefault();
      fn();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
