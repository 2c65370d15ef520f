/**
 * «Справочники»: housing suppliers and their services, third-party providers (with a tester for the
 * account mask and the commission previewed on sample sums), and the point's price list.
 */
import { Alert, Badge, Card, Stack, Tabs, Text, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import {
  accountFitsMask,
  describeCommission,
  formatRub,
  normalizeProviderAccount,
  type AccountNormalization,
  type CommissionRule,
} from '@paydesk/domain';
import { api } from '../api/client.ts';
import { activeColumn, CatalogTable, str, type CatalogDef, type Row } from '../components/catalog-table.tsx';
import { Page } from '../components/page.tsx';
import { money } from '../format.ts';
import type { Me } from './login.tsx';

const commissionText = (r: Row): string => describeCommission(r['commission'] as CommissionRule, (k) => formatRub(k));
const AGENT = [
  { value: 'paying_agent', label: 'платёжный агент' },
  { value: 'paying_subagent', label: 'платёжный субагент' },
];

function suppliers(): CatalogDef {
  return {
    path: 'suppliers',
    key: 'id',
    title: 'Поставщик ЖКУ',
    fields: [
      { key: 'name', label: 'Название', type: 'text', column: (r) => <Text fw={600}>{String(r['name'])}</Text> },
      { key: 'inn', label: 'ИНН', type: 'text', column: (r) => String(r['inn']) },
      { key: 'kpp', label: 'КПП', type: 'text', optional: true },
      { key: 'phone', label: 'Телефон (для чека)', type: 'text', optional: true, description: '+7XXXXXXXXXX' },
      { key: 'bankName', label: 'Банк', type: 'text', optional: true },
      { key: 'bic', label: 'БИК', type: 'text', optional: true },
      { key: 'account', label: 'Расчётный счёт', type: 'text', optional: true },
      { key: 'corrAccount', label: 'Корр. счёт', type: 'text', optional: true },
      { key: 'agentType', label: 'Агент', type: 'select', options: AGENT },
      { key: 'commission', label: 'Комиссия', type: 'commission', column: commissionText },
      { key: 'active', label: 'Действует', type: 'bool', column: activeColumn },
    ],
  };
}

function services(supplierOptions: { value: string; label: string }[]): CatalogDef {
  return {
    path: 'services',
    key: 'code',
    title: 'Услуга ЖКУ',
    fields: [
      { key: 'code', label: 'Код', type: 'text', createOnly: true, column: (r) => <Text ff="monospace">{String(r['code'])}</Text> },
      { key: 'name', label: 'Название', type: 'text', column: (r) => String(r['name']) },
      {
        key: 'supplierId',
        label: 'Поставщик',
        type: 'select',
        options: supplierOptions,
        column: (r) => supplierOptions.find((s) => s.value === r['supplierId'])?.label ?? '—',
      },
      { key: 'unit', label: 'Единица', type: 'text', optional: true, column: (r) => str(r['unit']) },
      { key: 'active', label: 'Действует', type: 'bool', column: activeColumn },
    ],
  };
}

function MaskTester({ draft }: { draft: Row }) {
  const [sample, setSample] = useState(str(draft['accountExample']));
  const normalized = normalizeProviderAccount((draft['normalize'] as AccountNormalization | undefined) ?? 'none', sample);
  const fits = accountFitsMask(str(draft['accountMask']), normalized);
  return (
    <Card withBorder bg="gray.0" data-testid="mask-tester">
      <Text fw={600} mb={4}>
        Проверка маски счёта
      </Text>
      <TextInput
        placeholder="Введите счёт, как его скажет клиент"
        value={sample}
        onChange={(e) => setSample(e.currentTarget.value)}
        data-testid="mask-sample"
      />
      <Text size="sm" mt={4}>
        Поставщику уйдёт:{' '}
        <Text span ff="monospace">
          {normalized || '—'}
        </Text>{' '}
        {fits === null ? (
          <Badge color="red">маска не читается</Badge>
        ) : fits ? (
          <Badge color="green" data-testid="mask-ok">
            подходит
          </Badge>
        ) : (
          <Badge color="red" data-testid="mask-bad">
            не подходит
          </Badge>
        )}
      </Text>
    </Card>
  );
}

function providers(): CatalogDef {
  return {
    path: 'providers',
    key: 'code',
    title: 'Поставщик (третьи лица)',
    fields: [
      { key: 'code', label: 'Код', type: 'text', createOnly: true, column: (r) => <Text ff="monospace">{String(r['code'])}</Text> },
      { key: 'name', label: 'Название', type: 'text', column: (r) => <Text fw={600}>{String(r['name'])}</Text> },
      { key: 'category', label: 'Категория', type: 'text', column: (r) => String(r['category']) },
      { key: 'inn', label: 'ИНН', type: 'text' },
      { key: 'kpp', label: 'КПП', type: 'text', optional: true },
      { key: 'phone', label: 'Телефон (для чека)', type: 'text', optional: true },
      { key: 'accountLabel', label: 'Как называется счёт', type: 'text', description: 'Например: «Номер телефона», «Номер договора»' },
      {
        key: 'accountMask',
        label: 'Маска счёта (регулярное выражение)',
        type: 'text',
        column: (r) => (
          <Text ff="monospace" size="sm">
            {String(r['accountMask'])}
          </Text>
        ),
      },
      { key: 'accountExample', label: 'Пример счёта', type: 'text' },
      {
        key: 'normalize',
        label: 'Приведение счёта',
        type: 'select',
        options: [
          { value: 'none', label: 'как ввели' },
          { value: 'digits', label: 'только цифры' },
          { value: 'phone', label: 'телефон: 10 цифр без +7' },
        ],
      },
      {
        key: 'minKop',
        label: 'Минимальная сумма, ₽',
        type: 'money',
        optional: true,
        column: (r) => `${money(r['minKop'] as number | null)} — ${money(r['maxKop'] as number | null)}`,
      },
      { key: 'maxKop', label: 'Максимальная сумма, ₽', type: 'money', optional: true },
      { key: 'commission', label: 'Комиссия', type: 'commission', column: commissionText },
      { key: 'agentType', label: 'Агент', type: 'select', options: AGENT },
      { key: 'checkRequired', label: 'Проверять счёт у поставщика перед приёмом', type: 'bool' },
      { key: 'offlineAllowed', label: 'Принимать без связи', type: 'bool' },
      { key: 'canCancel', label: 'Поставщик принимает отмену', type: 'bool' },
      {
        key: 'channel',
        label: 'Передача',
        type: 'select',
        options: [
          { value: 'osmp', label: 'онлайн по протоколу ОСМП' },
          { value: 'registry', label: 'реестром' },
        ],
        column: (r) => (r['channel'] === 'osmp' ? 'ОСМП' : 'реестр'),
      },
      { key: 'osmpUrl', label: 'Адрес ОСМП', type: 'text', optional: true },
      { key: 'osmpUser', label: 'Логин ОСМП', type: 'text', optional: true },
      { key: 'osmpPassword', label: 'Пароль ОСМП', type: 'password', optional: true },
      { key: 'timeoutMs', label: 'Таймаут, мс', type: 'int' },
      { key: 'active', label: 'Действует', type: 'bool', column: activeColumn },
    ],
    extra: (draft) => <MaskTester draft={draft} />,
    extraAfter: 'normalize',
  };
}

function priceItems(): CatalogDef {
  return {
    path: 'price-items',
    key: 'code',
    title: 'Услуга пункта',
    fields: [
      { key: 'code', label: 'Код', type: 'text', createOnly: true, column: (r) => <Text ff="monospace">{String(r['code'])}</Text> },
      { key: 'name', label: 'Название', type: 'text', column: (r) => String(r['name']) },
      { key: 'priceKop', label: 'Цена, ₽', type: 'money', column: (r) => money(r['priceKop'] as number) },
      { key: 'unit', label: 'Единица', type: 'text', column: (r) => String(r['unit']) },
      {
        key: 'vat',
        label: 'НДС',
        type: 'select',
        options: [
          { value: 'none', label: 'без НДС' },
          { value: 'vat0', label: '0 %' },
          { value: 'vat5', label: '5 %' },
          { value: 'vat7', label: '7 %' },
          { value: 'vat10', label: '10 %' },
          { value: 'vat20', label: '20 %' },
          { value: 'vat22', label: '22 %' },
        ],
        column: (r) => String(r['vat']),
      },
      { key: 'active', label: 'Действует', type: 'bool', column: activeColumn },
    ],
  };
}

export function CatalogsScreen({ me, tab }: { me: Me; tab: string | undefined }) {
  const canWrite = me.role === 'admin';
  const [supplierOptions, setSupplierOptions] = useState<{ value: string; label: string }[]>([]);
  useEffect(() => {
    void api<{ items: { id: string; name: string }[] }>('GET', '/api/v1/suppliers?limit=500')
      .then((r) => setSupplierOptions(r.items.map((s) => ({ value: s.id, label: s.name }))))
      .catch(() => undefined);
  }, [tab]);
  const current = tab ?? 'suppliers';
  return (
    <Page title="Справочники">
      {!canWrite && <Alert color="blue">Изменять справочники может администратор.</Alert>}
      <Tabs
        value={current}
        onChange={(v) => {
          window.location.hash = `#/catalogs/${v ?? 'suppliers'}`;
        }}
      >
        <Tabs.List>
          <Tabs.Tab value="suppliers" data-testid="tab-suppliers">
            Поставщики ЖКУ
          </Tabs.Tab>
          <Tabs.Tab value="services" data-testid="tab-services">
            Услуги ЖКУ
          </Tabs.Tab>
          <Tabs.Tab value="providers" data-testid="tab-providers">
            Третьи лица
          </Tabs.Tab>
          <Tabs.Tab value="price-items" data-testid="tab-price-items">
            Прейскурант пункта
          </Tabs.Tab>
        </Tabs.List>
      </Tabs>
      <Stack>
        {current === 'suppliers' && <CatalogTable def={suppliers()} canWrite={canWrite} />}
        {current === 'services' && <CatalogTable def={services(supplierOptions)} canWrite={canWrite} />}
        {current === 'providers' && <CatalogTable def={providers()} canWrite={canWrite} />}
        {current === 'price-items' && <CatalogTable def={priceItems()} canWrite={canWrite} />}
      </Stack>
    </Page>
  );
}
