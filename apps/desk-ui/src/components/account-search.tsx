/**
 * One field that takes an account number, an ЕЛС, an address as people type it («ленина 10 5»,
 * «ленина 10-5»), or a name; results appear as the cashier types; arrows move, Enter opens. When more
 * match than the list shows, it says so above the list, where it is seen.
 */
import { Badge, Group, Paper, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { AccountHit, AccountSearchAnswer } from '../api/types.ts';

const LIMIT = 20;
const search = (q: string): Promise<AccountSearchAnswer> =>
  api<AccountSearchAnswer>('GET', `/api/accounts?q=${encodeURIComponent(q)}&limit=${LIMIT}`);

export function AccountSearch({ onOpen, autoFocus = true }: { onOpen: (number: string) => void; autoFocus?: boolean }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q, 120);
  const [hits, setHits] = useState<AccountHit[]>([]);
  const [total, setTotal] = useState<{ total: number; capped: boolean }>({ total: 0, capped: false });
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!debounced.trim()) {
      setHits([]);
      setTotal({ total: 0, capped: false });
      return;
    }
    let alive = true;
    search(debounced)
      .then((r) => {
        if (alive) {
          setHits(r.items);
          setTotal({ total: r.total, capped: r.totalCapped });
          setActive(0);
        }
      })
      .catch(() => {
        if (alive) {
          setHits([]);
          setTotal({ total: 0, capped: false });
        }
      });
    return () => {
      alive = false;
    };
  }, [debounced]);

  // The arrows may go below the screen's edge on a small monitor: the chosen result comes into view.
  useEffect(() => {
    list.current?.children[active]?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const open = (i: number): void => {
    const hit = hits[i];
    if (hit) onOpen(hit.number);
  };

  return (
    <Stack gap="sm">
      <TextInput
        ref={input}
        size="xl"
        autoFocus={autoFocus}
        placeholder={t('billing.searchPlaceholder')}
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        data-testid="account-search"
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, hits.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            if (debounced !== q) {
              // The cashier pressed Enter before the results caught up: search now.
              void search(q).then((r) => r.items[0] && onOpen(r.items[0].number));
            } else open(active);
          }
        }}
      />
      {q.trim() !== '' && debounced === q && hits.length === 0 && <Text c="dimmed">{t('billing.noResults')}</Text>}
      {q.trim() !== '' && total.total > hits.length && (
        <Text c="orange.9" fw={500} data-testid="search-more">
          {t(total.capped ? 'billing.searchMoreThan' : 'billing.searchMore', { shown: hits.length, total: total.total })}
        </Text>
      )}
      <Stack gap={4} data-testid="search-results" ref={list}>
        {hits.map((h, i) => (
          <UnstyledButton key={h.number} onClick={() => onOpen(h.number)} onMouseEnter={() => setActive(i)}>
            <Paper
              withBorder
              p="sm"
              bg={i === active ? 'blue.0' : undefined}
              style={{ borderColor: i === active ? 'var(--mantine-color-blue-5)' : undefined }}
            >
              <Group justify="space-between" wrap="nowrap">
                <Group gap="md" wrap="nowrap">
                  <Text fw={700} size="lg" ff="monospace">
                    {h.number}
                  </Text>
                  <Text size="lg">{h.address}</Text>
                </Group>
                <Group gap="sm" wrap="nowrap">
                  <Text c="dimmed">{h.ownerName}</Text>
                  {h.status === 'closed' && <Badge color="red">{t('billing.closed')}</Badge>}
                </Group>
              </Group>
            </Paper>
          </UnstyledButton>
        ))}
      </Stack>
    </Stack>
  );
}
