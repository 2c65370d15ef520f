/**
 * The back office's reports by name: each runs its query and lays the rows out as a report-kit
 * document, which the route returns as JSON (for the admin screens) or renders to PDF, XLSX or CSV.
 */
import type { ReportDoc, Row, TableSection } from '@paydesk/report-kit';
import type { Database } from '../../db/database.ts';
import {
  cashOps,
  correctionsList,
  commissionBySource,
  desksAttention,
  providersByDay,
  readingsBySupplier,
  reversalsList,
  summary,
  suppliersByDay,
  type ReportFilters,
  type SummaryGroup,
} from './queries.ts';

export const REPORT_NAMES = [
  'summary',
  'suppliers',
  'providers',
  'readings',
  'commission',
  'reversals',
  'corrections',
  'cash',
  'desks',
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export const REPORT_TITLES: Record<ReportName, string> = {
  summary: 'Сводка по приёму платежей',
  suppliers: 'Платежи ЖКУ по поставщикам по дням',
  providers: 'Платежи третьим лицам по поставщикам',
  readings: 'Показания счётчиков по поставщикам и периодам',
  commission: 'Вознаграждение агента',
  reversals: 'Сторно',
  corrections: 'Чеки коррекции',
  cash: 'Наличные: внесения, выплаты, пересчёты',
  desks: 'Кассы: открытые смены и неотправленные операции',
};

const GROUP_TITLES: Record<SummaryGroup, string> = { desk: 'Касса', point: 'Пункт', cashier: 'Кассир', day: 'День' };

function sumRow(rows: Row[], keys: string[], label: Record<string, string>): Row {
  const cells: Row['cells'] = { ...label };
  for (const k of keys) cells[k] = rows.reduce((s, r) => s + Number(r.cells[k] ?? 0), 0);
  return { cells, emphasis: 'strong' };
}

function table(title: string, columns: TableSection['columns'], rows: Row[], totalsKeys: string[] | null, ownSheet: string): TableSection {
  const first = columns[0]?.key ?? 'label';
  return {
    kind: 'table',
    title,
    columns,
    rows,
    ownSheet,
    emptyText: 'За период данных нет',
    ...(totalsKeys && rows.length > 0 ? { totals: sumRow(rows, totalsKeys, { [first]: 'Итого' }) } : {}),
  };
}

function when(iso: string | null, timeZone: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat('ru-RU', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

export async function buildReport(
  db: Database,
  name: ReportName,
  f: ReportFilters & { groupBy: SummaryGroup; scopeLabel: string },
  now: Date,
): Promise<ReportDoc> {
  const tz = f.timeZone;
  let section: TableSection;
  switch (name) {
    case 'summary': {
      const rows = await summary(db, f, f.groupBy);
      section = table(
        `По: ${GROUP_TITLES[f.groupBy].toLowerCase()}`,
        [
          { key: 'label', title: GROUP_TITLES[f.groupBy], kind: 'text', width: 2.4 },
          { key: 'billingCount', title: 'ЖКУ, шт', kind: 'count', width: 0.7 },
          { key: 'billingKop', title: 'ЖКУ', kind: 'money' },
          { key: 'thirdpartyCount', title: '3-и лица, шт', kind: 'count', width: 0.7 },
          { key: 'thirdpartyKop', title: 'Третьи лица', kind: 'money' },
          { key: 'serviceKop', title: 'Услуги', kind: 'money', width: 0.9 },
          { key: 'cashKop', title: 'Наличными', kind: 'money' },
          { key: 'cardKop', title: 'Картой', kind: 'money' },
          { key: 'commissionKop', title: 'Комиссия', kind: 'money', width: 0.9 },
          { key: 'reversedKop', title: 'Сторно', kind: 'money', width: 0.9 },
          { key: 'netKop', title: 'Итого', kind: 'money' },
        ],
        rows.map((r) => ({ cells: { ...r } })),
        [
          'billingCount',
          'billingKop',
          'thirdpartyCount',
          'thirdpartyKop',
          'serviceKop',
          'cashKop',
          'cardKop',
          'commissionKop',
          'reversedKop',
          'netKop',
        ],
        'Сводка',
      );
      break;
    }
    case 'suppliers': {
      const rows = await suppliersByDay(db, f);
      section = table(
        'Реестровые суммы (без сторнированных платежей)',
        [
          { key: 'day', title: 'День', kind: 'text' },
          { key: 'supplier', title: 'Поставщик', kind: 'text', width: 2.4 },
          { key: 'inn', title: 'ИНН', kind: 'text', width: 1.2 },
          { key: 'payments', title: 'Платежей', kind: 'count', width: 0.8 },
          { key: 'amountKop', title: 'Основной долг', kind: 'money' },
          { key: 'penaltyKop', title: 'Пени', kind: 'money', width: 0.9 },
          { key: 'commissionKop', title: 'Комиссия', kind: 'money', width: 0.9 },
        ],
        rows.map((r) => ({ cells: { ...r } })),
        ['payments', 'amountKop', 'penaltyKop', 'commissionKop'],
        'Поставщики',
      );
      break;
    }
    case 'providers': {
      const rows = await providersByDay(db, f);
      section = table(
        'По дням',
        [
          { key: 'day', title: 'День', kind: 'text' },
          { key: 'provider', title: 'Поставщик', kind: 'text', width: 2 },
          { key: 'count', title: 'Платежей', kind: 'count', width: 0.8 },
          { key: 'amountKop', title: 'Поставщику', kind: 'money' },
          { key: 'commissionKop', title: 'Комиссия', kind: 'money', width: 0.9 },
          { key: 'confirmed', title: 'Зачислено', kind: 'count', width: 0.9 },
          { key: 'inTransit', title: 'В пути', kind: 'count', width: 0.7 },
          { key: 'failed', title: 'Отказ', kind: 'count', width: 0.7 },
          { key: 'reversed', title: 'Сторно', kind: 'count', width: 0.7 },
        ],
        rows.map((r) => ({ cells: { ...r }, ...(r.failed > 0 ? { emphasis: 'bad' as const } : {}) })),
        ['count', 'amountKop', 'commissionKop', 'confirmed', 'inTransit', 'failed', 'reversed'],
        'Третьи лица',
      );
      break;
    }
    case 'readings': {
      const rows = await readingsBySupplier(db, f);
      section = table(
        'Принятые показания',
        [
          { key: 'supplier', title: 'Поставщик', kind: 'text', width: 2 },
          { key: 'period', title: 'Период', kind: 'text', width: 0.8 },
          { key: 'service', title: 'Услуга', kind: 'text', width: 1.6 },
          { key: 'readings', title: 'Показаний', kind: 'count' },
          { key: 'accounts', title: 'Лицевых счетов', kind: 'count' },
          { key: 'onReview', title: 'На проверке', kind: 'count' },
        ],
        rows.map((r) => ({ cells: { ...r } })),
        ['readings', 'accounts', 'onReview'],
        'Показания',
      );
      break;
    }
    case 'commission': {
      const rows = await commissionBySource(db, f);
      section = table(
        'По поставщикам',
        [
          { key: 'source', title: 'Вид', kind: 'text' },
          { key: 'name', title: 'Поставщик', kind: 'text', width: 2.4 },
          { key: 'count', title: 'Платежей', kind: 'count' },
          { key: 'baseKop', title: 'Принято поставщику', kind: 'money', width: 1.3 },
          { key: 'commissionKop', title: 'Вознаграждение', kind: 'money', width: 1.2 },
        ],
        rows.map((r) => ({ cells: { ...r } })),
        ['count', 'baseKop', 'commissionKop'],
        'Вознаграждение',
      );
      break;
    }
    case 'reversals': {
      const rows = await reversalsList(db, f);
      section = table(
        'Чеки возврата',
        [
          { key: 'at', title: 'Время', kind: 'text', width: 1.3 },
          { key: 'desk', title: 'Касса', kind: 'text', width: 1.6 },
          { key: 'number', title: 'Платёж', kind: 'text' },
          { key: 'cashier', title: 'Кассир', kind: 'text', width: 1.3 },
          { key: 'approvedBy', title: 'Разрешил', kind: 'text', width: 1.3 },
          { key: 'reason', title: 'Причина', kind: 'text', width: 2 },
          { key: 'method', title: 'Оплата', kind: 'text', width: 0.8 },
          { key: 'amountKop', title: 'Сумма', kind: 'money' },
        ],
        rows.map((r) => ({ cells: { ...r, at: when(r.at, tz), method: r.method === 'card' ? 'карта' : 'наличные' } })),
        ['amountKop'],
        'Сторно',
      );
      break;
    }
    case 'corrections': {
      const rows = await correctionsList(db, f);
      section = table(
        'Чеки коррекции',
        [
          { key: 'at', title: 'Время', kind: 'text', width: 1.3 },
          { key: 'desk', title: 'Касса', kind: 'text', width: 1.5 },
          { key: 'number', title: 'Номер', kind: 'text' },
          { key: 'direction', title: 'Коррекция', kind: 'text', width: 0.9 },
          { key: 'correctionType', title: 'Основание', kind: 'text', width: 1.1 },
          { key: 'basis', title: 'Документ', kind: 'text', width: 1.1 },
          { key: 'description', title: 'За что', kind: 'text', width: 2 },
          { key: 'approvedBy', title: 'Старший кассир', kind: 'text', width: 1.2 },
          { key: 'method', title: 'Оплата', kind: 'text', width: 0.8 },
          { key: 'totalKop', title: 'Сумма', kind: 'money' },
        ],
        rows.map((r) => ({
          cells: {
            ...r,
            at: when(r.at, tz),
            direction: r.direction === 'income' ? 'прихода' : 'возврата',
            correctionType: r.correctionType === 'self' ? 'самостоятельно' : 'по предписанию',
            method: r.method === 'card' ? 'карта' : 'наличные',
          },
        })),
        ['totalKop'],
        'Коррекции',
      );
      break;
    }
    case 'cash': {
      const rows = await cashOps(db, f);
      const types = { in: 'Внесение', out: 'Выплата', counted: 'Пересчёт' } as const;
      section = table(
        'Операции с наличными',
        [
          { key: 'at', title: 'Время', kind: 'text', width: 1.3 },
          { key: 'desk', title: 'Касса', kind: 'text', width: 1.6 },
          { key: 'cashier', title: 'Кассир', kind: 'text', width: 1.3 },
          { key: 'shiftNumber', title: 'Смена', kind: 'count', width: 0.6 },
          { key: 'type', title: 'Операция', kind: 'text', width: 0.9 },
          { key: 'amountKop', title: 'Сумма', kind: 'money' },
          { key: 'expectedKop', title: 'Ожидалось', kind: 'money' },
          { key: 'differenceKop', title: 'Разница', kind: 'money' },
          { key: 'comment', title: 'Комментарий', kind: 'text', width: 1.4 },
        ],
        rows.map((r) => ({
          cells: { ...r, at: when(r.at, tz), type: types[r.type] },
          ...(r.differenceKop ? { emphasis: 'bad' as const } : {}),
        })),
        null,
        'Наличные',
      );
      break;
    }
    case 'desks': {
      const rows = await desksAttention(db, f, now);
      section = table(
        'Состояние касс',
        [
          { key: 'point', title: 'Пункт', kind: 'text', width: 1.4 },
          { key: 'desk', title: 'Касса', kind: 'text', width: 1.2 },
          { key: 'lastSeenAt', title: 'Была на связи', kind: 'text', width: 1.3 },
          { key: 'shift', title: 'Смена', kind: 'text', width: 1.5 },
          { key: 'unsentCount', title: 'Не отправлено', kind: 'count' },
          { key: 'rejectedCount', title: 'Отклонено', kind: 'count', width: 0.8 },
          { key: 'problems', title: 'Что не так', kind: 'text', width: 2.4 },
        ],
        rows.map((r) => ({
          cells: {
            point: r.point,
            desk: r.revoked ? `${r.desk} (отозвана)` : r.desk,
            lastSeenAt: when(r.lastSeenAt, tz),
            shift: r.shiftOpen ? `№ ${r.shiftNumber ?? '?'} с ${when(r.shiftOpenedAt, tz)}` : 'закрыта',
            unsentCount: r.unsentCount,
            rejectedCount: r.rejectedCount,
            problems: r.problems.join('; ') || 'в порядке',
          },
          ...(r.problems.length > 0 ? { emphasis: 'bad' as const } : {}),
        })),
        null,
        'Кассы',
      );
      break;
    }
  }
  const meta = [
    ...(name === 'desks'
      ? [{ label: 'На момент', value: when(now.toISOString(), tz) }]
      : [{ label: 'Период', value: `${f.from.split('-').reverse().join('.')} — ${f.to.split('-').reverse().join('.')}` }]),
    { label: 'Отбор', value: f.scopeLabel },
  ];
  return { title: REPORT_TITLES[name], fileName: `${name}-${f.from}-${f.to}`, meta, sections: [section] };
}
