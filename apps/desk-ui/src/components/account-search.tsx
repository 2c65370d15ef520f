/**
 * One field that takes an account number, an ЕЛС, an address as people type it, or a name; results
 * appear as the cashier types; arrows move, Enter opens.
 */
import { Badge, Group, Paper, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { AccountHit } from '../api/types.ts';

export function AccountSearch({ onOpen, autoFocus = true }: { onOpen: (number: string) => void; autoFocus?: boolean }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q, 120);
  const [hits, setHits] = useState<AccountHit[]>([]);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!debounced.trim()) {
      setHits([]);
      return;
    }
    let alive = true;
    api<{ items: AccountHit[] }>('GET', `/api/accounts?q=${encodeURIComponent(debounced)}&limit=20`)
      .then((r) => {
        if (alive) {
          setHits(r.items);
          setActive(0);
        }
      })
      .catch(() => alive && setHits([]));
    return () => {
      alive = false;
    };
  }, [debounced]);

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
              void api<{ items: AccountHit[] }>('GET', `/api/accounts?q=${encodeURIComponent(q)}&limit=20`).then(
                (r) => r.items[0] && onOpen(r.items[0].number),
              );
            } else open(active);
          }
        }}
      />
      {q.trim() !== '' && debounced === q && hits.length === 0 && <Text c="dimmed">{t('billing.noResults')}</Text>}
      <Stack gap={4} data-testid="search-results">
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
