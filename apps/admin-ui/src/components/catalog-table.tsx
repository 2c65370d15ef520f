/**
 * One catalog of the server (suppliers, services, providers, price list): search, a table, and a form
 * to create or change a record — described by fields, so each catalog is a list of its fields.
 */
import { Alert, Badge, Button, Card, Group, Modal, NumberInput, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import type { CommissionRule } from '@paydesk/domain';
import { api, errorText } from '../api/client.ts';
import { CommissionEditor } from './commission-editor.tsx';

export type Row = Record<string, unknown>;

export interface Field {
  key: string;
  label: string;
  type: 'text' | 'money' | 'int' | 'select' | 'bool' | 'commission' | 'password';
  options?: { value: string; label: string }[];
  /** Shown in the table, with how to show it. */
  column?: (row: Row) => ReactNode;
  /** Only when creating (the record's key). */
  createOnly?: boolean;
  optional?: boolean;
  description?: string;
}

export interface CatalogDef {
  path: string;
  key: string;
  title: string;
  fields: Field[];
  /** Extra tools in the form, given the record being edited (e.g. the provider's mask tester)… */
  extra?: (draft: Row) => ReactNode;
  /** …shown after this field (at the end when absent). */
  extraAfter?: string;
}

export function CatalogTable({ def, canWrite }: { def: CatalogDef; canWrite: boolean }) {
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q, 250);
  const [rows, setRows] = useState<Row[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Row | 'new' | null>(null);
  const load = useCallback(() => {
    api<{ items: Row[]; total: number }>('GET', `/api/v1/${def.path}?limit=200${debounced ? `&q=${encodeURIComponent(debounced)}` : ''}`)
      .then((r) => {
        setRows(r.items);
        setTotal(r.total);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, [def.path, debounced]);
  useEffect(load, [load]);
  const columns = def.fields.filter((f) => f.column);
  return (
    <Card withBorder>
      <Group justify="space-between" mb="sm">
        <TextInput placeholder="Поиск" value={q} onChange={(e) => setQ(e.currentTarget.value)} w={320} data-testid={`${def.path}-search`} />
        <Group>
          <Text c="dimmed" size="sm">
            Записей: {total}
          </Text>
          {canWrite && (
            <Button onClick={() => setEditing('new')} data-testid={`${def.path}-new`}>
              Добавить
            </Button>
          )}
        </Group>
      </Group>
      {error && (
        <Alert color="red" mb="sm">
          {error}
        </Alert>
      )}
      <Table striped highlightOnHover verticalSpacing="xs" data-testid={`${def.path}-table`}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((c) => (
              <Table.Th key={c.key}>{c.label}</Table.Th>
            ))}
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={String(r[def.key])}>
              {columns.map((c) => (
                <Table.Td key={c.key}>{c.column?.(r)}</Table.Td>
              ))}
              <Table.Td>
                {canWrite && (
                  <Button size="xs" variant="default" onClick={() => setEditing(r)}>
                    Изменить
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <RecordDialog
        def={def}
        record={editing}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          load();
        }}
      />
    </Card>
  );
}

function initial(def: CatalogDef, record: Row | null): Row {
  const out: Row = {};
  for (const f of def.fields) {
    const v = record?.[f.key];
    if (f.type === 'password') out[f.key] = '';
    else if (v !== undefined && v !== null) out[f.key] = v;
    else if (f.type === 'bool') out[f.key] = f.key === 'active';
    else if (f.type === 'commission') out[f.key] = { kind: 'none', mode: 'on_top' };
    else if (f.type === 'select') out[f.key] = f.optional ? null : (f.options?.[0]?.value ?? null);
    else out[f.key] = f.type === 'text' ? '' : null;
  }
  return out;
}

/** A field's value as the server takes it: an optional text left empty is null. */
function wire(f: Field, v: unknown): unknown {
  return f.type === 'text' && f.optional && v === '' ? null : v;
}

/** JSON with sorted keys, so two equal rules compare equal whatever order their keys came in. */
function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Row).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );
}

/**
 * What the form sends. A new record: every field. A change: only the fields the administrator
 * changed, so a PATCH never rewrites what nobody touched (another administrator's edit made
 * meanwhile, a commission or a flag); an empty password means "keep the one set".
 */
function requestBody(def: CatalogDef, draft: Row, existing: Row | null): Row {
  const base = existing ? initial(def, existing) : null;
  const body: Row = {};
  for (const f of def.fields) {
    if (existing && f.createOnly) continue;
    const v = draft[f.key];
    if (f.type === 'password' && !v) continue;
    if (base && f.type !== 'password' && stable(wire(f, v)) === stable(wire(f, base[f.key]))) continue;
    body[f.key] = wire(f, v);
  }
  return body;
}

function RecordDialog({
  def,
  record,
  onClose,
  onSaved,
}: {
  def: CatalogDef;
  record: Row | 'new' | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const existing = record !== 'new' ? record : null;
  const [draft, setDraft] = useState<Row>({});
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDraft(initial(def, existing));
    setError(null);
    // Only a new record to edit resets the form; the parent re-creating `def` must not.
  }, [record]);
  const set = (key: string, value: unknown): void => setDraft((d) => ({ ...d, [key]: value }));
  const save = async (): Promise<void> => {
    const body = requestBody(def, draft, existing);
    try {
      if (existing) {
        // Nothing edited: nothing to send (an empty PATCH is refused by the server).
        if (Object.keys(body).length > 0) await api('PATCH', `/api/v1/${def.path}/${encodeURIComponent(String(existing[def.key]))}`, body);
      } else await api('POST', `/api/v1/${def.path}`, body);
      onSaved();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Modal
      opened={record !== null}
      onClose={onClose}
      size="xl"
      title={
        <Title order={3}>
          {def.title}
          {existing ? `: ${String(existing['name'] ?? existing[def.key])}` : ' — новая запись'}
        </Title>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack gap="sm">
          {def.fields.flatMap((f, i) => {
            const common = {
              label: f.label,
              description: f.description,
              disabled: existing !== null && f.createOnly === true,
              'data-testid': `field-${f.key}`,
              ...(i === 0 ? { 'data-autofocus': true } : {}),
            };
            const v = draft[f.key];
            const element = ((): ReactNode => {
              switch (f.type) {
                case 'bool':
                  return <Switch key={f.key} {...common} checked={v === true} onChange={(e) => set(f.key, e.currentTarget.checked)} />;
                case 'select':
                  return (
                    <Select
                      key={f.key}
                      {...common}
                      data={f.options ?? []}
                      value={(v as string | null) ?? null}
                      onChange={(x) => set(f.key, x)}
                      allowDeselect={f.optional === true}
                      clearable={f.optional === true}
                    />
                  );
                case 'money':
                  return (
                    <NumberInput
                      key={f.key}
                      {...common}
                      decimalScale={2}
                      min={0}
                      value={typeof v === 'number' ? v / 100 : ''}
                      onChange={(x) => set(f.key, x === '' ? null : Math.round(Number(x) * 100))}
                    />
                  );
                case 'int':
                  return (
                    <NumberInput
                      key={f.key}
                      {...common}
                      allowDecimal={false}
                      min={0}
                      value={typeof v === 'number' ? v : ''}
                      onChange={(x) => set(f.key, x === '' ? null : Number(x))}
                    />
                  );
                case 'commission':
                  return <CommissionEditor key={f.key} value={v as CommissionRule} onChange={(rule) => set(f.key, rule)} />;
                case 'password':
                  return (
                    <TextInput
                      key={f.key}
                      {...common}
                      type="password"
                      placeholder={existing?.[f.key] ? 'задан; оставьте пустым, чтобы не менять' : ''}
                      value={str(v)}
                      onChange={(e) => set(f.key, e.currentTarget.value)}
                    />
                  );
                default:
                  return <TextInput key={f.key} {...common} value={str(v)} onChange={(e) => set(f.key, e.currentTarget.value)} />;
              }
            })();
            return def.extra && def.extraAfter === f.key ? [element, <div key="extra">{def.extra(draft)}</div>] : [element];
          })}
          {def.extraAfter === undefined && def.extra?.(draft)}
          {error && (
            <Alert color="red" data-testid="record-error">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Отмена
            </Button>
            <Button type="submit" data-testid="record-save">
              Сохранить
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** A record's value as a form field's text. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

export const activeColumn = (r: Row): ReactNode =>
  r['active'] === false ? (
    <Badge color="gray">не действует</Badge>
  ) : (
    <Badge color="green" variant="light">
      действует
    </Badge>
  );
