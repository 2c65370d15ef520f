/** The screen in the address's hash (#/desks, #/billing/1234567), so links, back and reload work. */
import { useCallback, useEffect, useState } from 'react';

export function useRoute(): [string[], (path: string) => void] {
  const read = (): string[] => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const on = (): void => setParts(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const go = useCallback((path: string) => {
    window.location.hash = `#/${path}`;
  }, []);
  return [parts, go];
}
