/** Function keys and Esc for the whole screen; the browser's own meaning of F1…F12 is suppressed. */
import { useEffect, useRef } from 'react';

export function useHotkeys(map: Record<string, () => void>): void {
  const ref = useRef(map);
  ref.current = map;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const fn = ref.current[e.key];
      if (!fn) return;
      if (/^F\d+$/.test(e.key) || e.key === 'Escape') e.preventDefault();
      fn();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
