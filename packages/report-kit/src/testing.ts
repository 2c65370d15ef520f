/**
 * Reading outputs back, for tests: the text of a PDF as a viewer extracts it (Mozilla's pdf.js), the
 * fonts it embeds, and the cells of an XLSX as Excel stores them.
 */
import ExcelJS from 'exceljs';

export interface PdfReadBack {
  pages: number;
  /** The text of each page, lines joined by newlines. */
  text: string[];
  fonts: string[];
}

export async function readPdfText(data: Uint8Array): Promise<PdfReadBack> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(data), useSystemFonts: false, isEvalSupported: false }).promise;
  const text: string[] = [];
  const fonts = new Set<string>();
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    let line = '';
    const lines: string[] = [];
    for (const item of content.items) {
      if (!('str' in item)) continue;
      line += item.str;
      if (item.hasEOL) {
        lines.push(line);
        line = '';
      } else line += ' ';
    }
    if (line) lines.push(line);
    text.push(lines.join('\n'));
    const ops = await page.getOperatorList();
    for (let k = 0; k < ops.fnArray.length; k++) {
      if (ops.fnArray[k] === pdfjs.OPS.setFont) {
        const id = (ops.argsArray[k] as [string])[0];
        const font = page.commonObjs.has(id) ? (page.commonObjs.get(id) as { name?: string }) : null;
        if (font?.name) fonts.add(font.name);
      }
    }
  }
  await doc.destroy();
  return { pages: text.length, text, fonts: [...fonts] };
}

function plainValue(v: unknown): string | number | null {
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'result' in v) return (v as { result: number }).result;
  if (v instanceof Date) return v.toISOString();
  return null;
}

/** Every sheet as rows of cell values (numbers stay numbers). */
export async function readXlsx(data: Uint8Array): Promise<Record<string, (string | number | null)[][]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as unknown as ArrayBuffer);
  const out: Record<string, (string | number | null)[][]> = {};
  wb.eachSheet((sheet) => {
    const rows: (string | number | null)[][] = [];
    sheet.eachRow({ includeEmpty: false }, (row) => {
      const values = (row.values as unknown[]).slice(1).map(plainValue);
      rows.push(values);
    });
    out[sheet.name] = rows;
  });
  return out;
}
