/** The shift report and the journal as report-kit documents, for PDF, XLSX, CSV and the register's paper. */
import type { ReportDoc, Row, Section } from '@paydesk/report-kit';
import type { JournalEntry } from '../journal/journal-query.ts';
import { FiscalState, SyncState } from '../journal/lifecycle.ts';
import type { ShiftReport } from './shift-report.ts';

const KIND_NAMES: Record<string, string> = {
  billing: 'Платёж ЖКУ',
  thirdparty: 'Третьи лица',
  service: 'Услуга',
  reversal: 'Сторно',
  reading: 'Показания',
  cash_in: 'Внесение',
  cash_out: 'Выплата',
  cash_count: 'Пересчёт',
  shift_open: 'Открытие смены',
  shift_close: 'Закрытие смены',
};
const STATE_NAMES: Record<string, string> = {
  [FiscalState.done]: 'проведена',
  [FiscalState.pending]: 'не завершена',
  [FiscalState.failed]: 'ошибка',
} satisfies Record<FiscalState, string>;
const SYNC_NAMES: Record<string, string> = {
  [SyncState.pending]: 'не отправлена',
  [SyncState.applied]: 'принята',
  [SyncState.appliedWithReview]: 'принята, на проверке',
  [SyncState.rejected]: 'отклонена',
} satisfies Record<SyncState, string>;

export function when(iso: string | null, timeZone: string): string {
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

export function shiftReportDoc(r: ShiftReport, timeZone: string): ReportDoc {
  const sections: Section[] = [
    {
      kind: 'table',
      title: 'Итоги по видам платежей',
      columns: [
        { key: 'name', title: 'Вид', kind: 'text', width: 3 },
        { key: 'count', title: 'Кол-во', kind: 'count' },
        { key: 'sum', title: 'Принято', kind: 'money', width: 1.4 },
        { key: 'commission', title: 'Комиссия', kind: 'money' },
        { key: 'reversed', title: 'Сторно', kind: 'money' },
        { key: 'net', title: 'Итого', kind: 'money', width: 1.4 },
      ],
      rows: r.blocks.map((b) => ({
        cells: { name: b.name, count: b.count, sum: b.sumKop, commission: b.commissionKop, reversed: b.reversedKop, net: b.netKop },
      })),
      totals: {
        cells: {
          name: 'Всего',
          count: r.blocks.reduce((s, b) => s + b.count, 0),
          sum: r.blocks.reduce((s, b) => s + b.sumKop, 0),
          commission: r.commissionKop,
          reversed: r.reversals.sumKop,
          net: r.blocks.reduce((s, b) => s + b.netKop, 0),
        },
      },
      emptyText: 'Платежей в смене не было',
    },
    {
      kind: 'table',
      title: 'По способам оплаты',
      columns: [
        { key: 'name', title: 'Способ', kind: 'text', width: 3 },
        { key: 'count', title: 'Платежей', kind: 'count' },
        { key: 'sum', title: 'Принято', kind: 'money' },
        { key: 'returns', title: 'Возвраты', kind: 'money' },
        { key: 'net', title: 'Итого', kind: 'money' },
      ],
      rows: r.byMethod.map((m) => ({ cells: { name: m.name, count: m.count, sum: m.sumKop, returns: m.returnsKop, net: m.netKop } })),
      emptyText: 'Платежей в смене не было',
    },
  ];
  if (r.bySupplier.length > 0) {
    sections.push({
      kind: 'table',
      title: 'ЖКУ по поставщикам',
      columns: [
        { key: 'name', title: 'Поставщик', kind: 'text', width: 3 },
        { key: 'inn', title: 'ИНН', kind: 'text', width: 1.3 },
        { key: 'count', title: 'Строк', kind: 'count', width: 0.7 },
        { key: 'amount', title: 'Основной долг', kind: 'money', width: 1.3 },
        { key: 'penalty', title: 'Пени', kind: 'money' },
        { key: 'commission', title: 'Комиссия', kind: 'money' },
      ],
      rows: r.bySupplier.map((s) => ({
        cells: { name: s.name, inn: s.inn, count: s.count, amount: s.amountKop, penalty: s.penaltyKop, commission: s.commissionKop },
      })),
    });
    sections.push({
      kind: 'table',
      title: 'ЖКУ по услугам',
      columns: [
        { key: 'name', title: 'Услуга', kind: 'text', width: 3 },
        { key: 'code', title: 'Код', kind: 'text' },
        { key: 'count', title: 'Строк', kind: 'count' },
        { key: 'amount', title: 'Основной долг', kind: 'money' },
        { key: 'penalty', title: 'Пени', kind: 'money' },
      ],
      rows: r.byService.map((s) => ({ cells: { name: s.name, code: s.code, count: s.count, amount: s.amountKop, penalty: s.penaltyKop } })),
    });
  }
  if (r.byProvider.length > 0) {
    sections.push({
      kind: 'table',
      title: 'Третьи лица по поставщикам',
      columns: [
        { key: 'name', title: 'Поставщик', kind: 'text', width: 2.5 },
        { key: 'count', title: 'Кол-во', kind: 'count', width: 0.8 },
        { key: 'amount', title: 'Поставщику', kind: 'money', width: 1.3 },
        { key: 'commission', title: 'Комиссия', kind: 'money' },
        { key: 'confirmed', title: 'Зачислено', kind: 'count', width: 1.1 },
        { key: 'pending', title: 'В пути', kind: 'count', width: 0.8 },
        { key: 'failed', title: 'Отказ', kind: 'count', width: 0.8 },
      ],
      rows: r.byProvider.map((p) => ({
        cells: {
          name: p.name,
          count: p.count,
          amount: p.amountKop,
          commission: p.commissionKop,
          confirmed: p.confirmed,
          pending: p.pending,
          failed: p.failed,
        },
        ...(p.failed > 0 ? { emphasis: 'bad' as const } : {}),
      })),
    });
  }
  if (r.byPriceItem.length > 0) {
    sections.push({
      kind: 'table',
      title: 'Услуги пункта',
      columns: [
        { key: 'name', title: 'Услуга', kind: 'text', width: 3 },
        { key: 'quantity', title: 'Кол-во', kind: 'count' },
        { key: 'amount', title: 'Сумма', kind: 'money' },
      ],
      rows: r.byPriceItem.map((p) => ({ cells: { name: p.name, quantity: p.quantity, amount: p.amountKop } })),
    });
  }
  sections.push({
    kind: 'table',
    title: 'Сторно',
    columns: [
      { key: 'number', title: '№', kind: 'text' },
      { key: 'original', title: 'Платёж', kind: 'text' },
      { key: 'at', title: 'Время', kind: 'text', width: 1.4 },
      { key: 'cashier', title: 'Кассир', kind: 'text', width: 1.5 },
      { key: 'reason', title: 'Причина', kind: 'text', width: 2.5 },
      { key: 'amount', title: 'Сумма', kind: 'money' },
    ],
    rows: r.reversals.items.map((x) => ({
      cells: {
        number: x.number,
        original: x.originalNumber,
        at: when(x.at, timeZone),
        cashier: x.cashierName,
        reason: x.reason,
        amount: x.amountKop,
      },
    })),
    ...(r.reversals.count > 0 ? { totals: { cells: { number: 'Итого', amount: r.reversals.sumKop } } } : {}),
    emptyText: 'Сторно не было',
  });
  sections.push({
    kind: 'pairs',
    title: 'Наличные в ящике',
    pairs: [
      ...(r.cash.carriedKop !== 0 ? [{ label: 'Остаток с прошлой смены', value: r.cash.carriedKop, kind: 'money' as const }] : []),
      { label: 'Размен на начало смены', value: r.cash.openingFloatKop, kind: 'money' },
      { label: 'Принято наличными', value: r.cash.salesCashKop, kind: 'money' },
      { label: 'Возвращено наличными', value: r.cash.returnsCashKop, kind: 'money' },
      { label: 'Внесения', value: r.cash.cashInKop, kind: 'money' },
      { label: 'Выплаты (инкассация)', value: r.cash.cashOutKop, kind: 'money' },
      { label: 'Должно быть в ящике', value: r.cash.expectedDrawerKop, kind: 'money', emphasis: 'strong' },
    ],
  });
  if (r.cash.counts.length > 0) {
    sections.push({
      kind: 'table',
      title: 'Пересчёты наличных',
      columns: [
        { key: 'at', title: 'Время', kind: 'text', width: 1.4 },
        { key: 'cashier', title: 'Кассир', kind: 'text', width: 1.6 },
        { key: 'counted', title: 'Насчитано', kind: 'money' },
        { key: 'expected', title: 'Ожидалось', kind: 'money' },
        { key: 'difference', title: 'Разница', kind: 'money' },
      ],
      rows: r.cash.counts.map((c) => ({
        cells: {
          at: when(c.at, timeZone),
          cashier: c.cashierName,
          counted: c.countedKop,
          expected: c.expectedKop,
          difference: c.differenceKop,
        },
        ...(c.differenceKop !== 0 ? { emphasis: 'bad' as const } : {}),
      })),
    });
  }
  const registerTitle =
    r.registerSource === 'z_report' ? 'ККТ (Z-отчёт)' : r.registerSource === 'live' ? 'ККТ (счётчики)' : 'ККТ — нет данных';
  sections.push({
    kind: 'table',
    title: `Сверка с ККТ: ${registerTitle}`,
    columns: [
      { key: 'label', title: 'Показатель', kind: 'text', width: 2.5 },
      { key: 'journal', title: 'Журнал', kind: 'text' },
      { key: 'register', title: 'ККТ', kind: 'text' },
    ],
    rows: reconciliationRows(r),
  });
  if (r.differences.length > 0) {
    sections.push({
      kind: 'notes',
      title: 'Расхождения с ККТ',
      lines: r.differences.map(
        (d) =>
          `${d.label}: журнал ${d.money ? rub(d.journal) : d.journal}, ККТ ${d.money ? rub(d.register) : d.register}. ${d.explanation}`,
      ),
      emphasis: 'bad',
    });
  } else if (r.register) sections.push({ kind: 'notes', title: 'Расхождения с ККТ', lines: ['Журнал и ККТ сходятся до копейки.'] });
  const card = r.cardSettlement;
  if (card) {
    const totals = (t: NonNullable<typeof card.terminal>): string =>
      `оплаты ${t.payCount} на ${rub(t.payKop)}, возвраты и отмены ${t.refundCount} на ${rub(t.refundKop)}`;
    sections.push({
      kind: 'notes',
      title: 'Сверка итогов терминала оплаты картой',
      lines: [
        `Журнал кассы: ${totals(card.journal)}.`,
        card.terminal ? `Терминал: ${totals(card.terminal)}.` : 'Терминал не сообщил итоги числами: сверьте чек сверки итогов с журналом.',
        ...(card.matches === true ? ['Итоги терминала и журнала совпадают.'] : card.differences),
      ],
      ...(card.matches === false ? { emphasis: 'bad' as const } : {}),
    });
  }
  const notes: string[] = [];
  if (r.readingsCount > 0) notes.push(`Принято показаний счётчиков: ${r.readingsCount}.`);
  if (r.corrections.count > 0)
    notes.push(
      `Чеков коррекции: ${r.corrections.count} — прихода на ${rub(r.corrections.incomeKop)}, возврата на ${rub(r.corrections.returnKop)} (в итогах смены).`,
    );
  if (r.electronicReceipts > 0)
    notes.push(
      `Чеков отправлено покупателям на телефон или e-mail: ${r.electronicReceipts}${r.paperlessReceipts > 0 ? `, из них без печати: ${r.paperlessReceipts}` : ''}.`,
    );
  if (r.sync.unsent > 0) notes.push(`Не отправлено на сервер: ${r.sync.unsent} (уйдут автоматически при связи).`);
  if (r.sync.rejected > 0) notes.push(`Отклонено сервером: ${r.sync.rejected} — см. журнал, фильтр «Отклонённые».`);
  if (r.pendingCount > 0) notes.push(`Незавершённых операций: ${r.pendingCount}.`);
  if (notes.length > 0)
    sections.push({
      kind: 'notes',
      title: 'Прочее',
      lines: notes,
      ...(r.sync.rejected > 0 || r.pendingCount > 0 ? { emphasis: 'bad' as const } : {}),
    });

  return {
    title: `Отчёт о смене № ${r.shiftNumber}`,
    fileName: `shift-${r.shiftNumber}`,
    meta: [
      { label: 'Касса', value: r.place ? `${r.deskName}, ${r.place}` : r.deskName },
      { label: 'Смена', value: `${when(r.openedAt, timeZone)} — ${r.state === 'closed' ? when(r.closedAt, timeZone) : 'открыта'}` },
      { label: 'Кассиры', value: r.cashiers.join(', ') || '—' },
      { label: 'Сформирован', value: when(r.generatedAt, timeZone) },
    ],
    sections,
  };
}

function rub(kop: number): string {
  return `${(kop / 100).toFixed(2).replace('.', ',')} ₽`;
}

function reconciliationRows(r: ShiftReport): Row[] {
  const j = r.journal;
  const k = r.register;
  const line = (label: string, a: number, b: number | undefined, money: boolean): Row => {
    const fmt = (v: number | undefined): string => (v === undefined ? '—' : money ? rub(v) : String(v));
    return { cells: { label, journal: fmt(a), register: fmt(b) }, ...(b !== undefined && a !== b ? { emphasis: 'bad' as const } : {}) };
  };
  return [
    line('Чеков прихода', j.sales.count, k?.sales.count, false),
    line('Приход наличными', j.sales.cashKop, k?.sales.cashKop, true),
    line('Приход картой', j.sales.cardKop, k?.sales.cardKop, true),
    line('Чеков возврата', j.returns.count, k?.returns.count, false),
    line('Возврат наличными', j.returns.cashKop, k?.returns.cashKop, true),
    line('Возврат картой', j.returns.cardKop, k?.returns.cardKop, true),
    line('Внесения', j.cashInKop, k?.cashInKop, true),
    line('Выплаты', j.cashOutKop, k?.cashOutKop, true),
    line('Наличных в ящике', j.drawerKop, k?.drawerKop, true),
  ];
}

export function journalDoc(items: JournalEntry[], title: string, filters: { label: string; value: string }[], timeZone: string): ReportDoc {
  return {
    title,
    fileName: 'journal',
    meta: filters,
    sections: [
      {
        kind: 'table',
        title: `Операции: ${items.length}`,
        ownSheet: 'Журнал',
        columns: [
          { key: 'at', title: 'Время', kind: 'text', width: 1.4 },
          { key: 'number', title: '№', kind: 'text', width: 1.1 },
          { key: 'kind', title: 'Операция', kind: 'text', width: 1.2 },
          { key: 'subject', title: 'Счёт / получатель', kind: 'text', width: 1.6 },
          { key: 'cashier', title: 'Кассир', kind: 'text', width: 1.4 },
          { key: 'method', title: 'Оплата', kind: 'text', width: 0.8 },
          { key: 'total', title: 'Сумма', kind: 'money' },
          { key: 'commission', title: 'Комиссия', kind: 'money', width: 0.9 },
          { key: 'state', title: 'Состояние', kind: 'text', width: 1.3 },
        ],
        rows: items.map((i) => ({
          cells: {
            at: when(i.createdAt, timeZone),
            number: i.number,
            kind: KIND_NAMES[i.kind] ?? i.kind,
            subject: i.accountNumber ?? (i.providerCode ? `${i.providerCode} ${i.providerAccount ?? ''}` : null),
            cashier: i.cashierName,
            method: i.method === 'card' ? 'карта' : i.method === 'cash' ? 'наличные' : null,
            total: i.totalKop,
            commission: i.commissionKop,
            state: [
              STATE_NAMES[i.state] ?? i.state,
              i.reversedBy ? 'сторнирована' : null,
              i.sync ? SYNC_NAMES[i.sync.state] : null,
              i.forwarding && i.forwarding !== 'confirmed' ? `поставщику: ${i.forwarding}` : null,
            ]
              .filter(Boolean)
              .join(', '),
          },
          ...(i.state === FiscalState.failed || i.sync?.state === SyncState.rejected || i.forwarding === 'failed'
            ? { emphasis: 'bad' as const }
            : {}),
        })),
        emptyText: 'Операций не найдено',
      },
    ],
  };
}
