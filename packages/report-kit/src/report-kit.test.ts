/** Every renderer shows the same numbers; the PDF embeds a Cyrillic font and reads back as text. */
import { describe, expect, it } from 'vitest';
import { renderCsv, renderPdf, renderText, renderXlsx, type ReportDoc } from './index.ts';
import { readPdfText, readXlsx } from './testing.ts';

const doc: ReportDoc = {
  title: 'Отчёт о смене № 7',
  fileName: 'smena-7',
  meta: [
    { label: 'Касса', value: 'Касса 1 — ул. Ленина, 1' },
    { label: 'Кассир', value: 'Иванова А.А.' },
  ],
  sections: [
    {
      kind: 'pairs',
      title: 'Наличные',
      pairs: [
        { label: 'Размен на начало', value: 500_000, kind: 'money' },
        { label: 'Расхождение', value: -1_050, kind: 'money', emphasis: 'bad' },
      ],
    },
    {
      kind: 'table',
      title: 'По поставщикам',
      ownSheet: 'Поставщики',
      columns: [
        { key: 'name', title: 'Поставщик', kind: 'text', width: 3 },
        { key: 'n', title: 'Платежей', kind: 'count' },
        { key: 'sum', title: 'Сумма', kind: 'money' },
      ],
      rows: Array.from({ length: 80 }, (_, i) => ({ cells: { name: `ООО «Водоканал-${i}»`, n: i + 1, sum: 123_456 + i } })),
      totals: { cells: { name: 'Итого', n: 3240, sum: 80 * 123_456 + 3160 } },
    },
    { kind: 'notes', title: 'Расхождения', lines: ['Касса насчитала на 10,50 ₽ меньше журнала'], emphasis: 'bad' },
  ],
};

describe('report-kit', () => {
  it('PDF: pages break, Cyrillic survives, DejaVu is embedded, totals print', async () => {
    const pdf = await renderPdf(doc);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const back = await readPdfText(pdf);
    expect(back.pages).toBeGreaterThan(1);
    const all = back.text.join('\n');
    expect(all).toContain('Отчёт о смене № 7');
    expect(all).toContain('ООО «Водоканал-79»');
    expect(all.replace(/\u00A0/g, ' ')).toContain('98 796,40');
    expect(all).toContain('стр. 2 из');
    expect(back.fonts.some((f) => /DejaVuSans/.test(f))).toBe(true);
  });

  it('XLSX: money as rubles numbers, its own sheet for a data table, a red difference', async () => {
    const sheets = await readXlsx(await renderXlsx(doc));
    expect(Object.keys(sheets)).toEqual(['Отчёт', 'Поставщики']);
    const main = sheets['Отчёт']!;
    expect(main[0]).toEqual(['Отчёт о смене № 7']);
    expect(main).toContainEqual(['Расхождение', -10.5]);
    expect(main).toContainEqual(['Итого', 3240, 98_796.4]);
    const own = sheets['Поставщики']!;
    expect(own[0]).toEqual(['Поставщик', 'Платежей', 'Сумма']);
    expect(own).toHaveLength(81);
    expect(own[80]).toEqual(['ООО «Водоканал-79»', 80, 1235.35]);
  });

  it('CSV: the data table, BOM, semicolons, decimal comma', () => {
    const csv = renderCsv(doc).toString('utf8');
    expect(csv.startsWith('\ufeffПоставщик;Платежей;Сумма\r\n')).toBe(true);
    expect(csv).toContain('ООО «Водоканал-0»;1;1234,56\r\n');
    expect(csv.trim().split('\r\n')).toHaveLength(82);
  });

  it('paper: every line fits the tape', () => {
    for (const width of [32, 42, 48]) {
      const lines = renderText(doc, width);
      expect(
        lines.every((l) => l.length <= width),
        String(width),
      ).toBe(true);
      expect(lines.join('\n')).toContain('Размен на начало');
    }
    expect(renderText(doc, 42)).toContain(`Расхождение${' '.repeat(25)}-10,50`);
  });
});
