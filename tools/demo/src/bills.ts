/**
 * Printable sample bills (ЕПД) for accounts with arrears: a PDF with the services, the debt and the
 * GOST R 56042 QR code a scanner reads at the desk, its PNG, and the QR's text in qr-texts.txt — paste a
 * line into the desk's search field and it acts like a scan.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { buildBillQr, formatRub } from '@paydesk/domain';
import { CITY, SERVICES, type Town } from './town.ts';

const require = createRequire(import.meta.url);
const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

interface BillLine {
  service: string;
  period: string;
  dueKop: number;
  penaltyKop: number;
}

function parseCsv(csv: string): string[][] {
  return csv
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(';'));
}

const kopOf = (text: string): number => Math.round(Number(text.replace(',', '.')) * 100);

export interface BillsResult {
  dir: string;
  qrTexts: { account: string; text: string }[];
}

export async function writeBills(
  town: Town,
  dataDir: string,
  payee: { name: string; inn: string; kpp: string; account: string; bankName: string; bic: string; corrAccount: string },
  count = 8,
): Promise<BillsResult> {
  const dir = join(dataDir, 'bills');
  mkdirSync(dir, { recursive: true });
  const accounts = new Map(parseCsv(town.accountsCsv).map((r) => [r[0] as string, r]));
  const charges = parseCsv(town.chargesCsv);
  const qrTexts: BillsResult['qrTexts'] = [];
  for (const number of town.debtors.filter((n) => accounts.get(n)?.[8] === 'active').slice(0, count)) {
    const a = accounts.get(number) as string[];
    const lines: BillLine[] = charges
      .filter((c) => c[0] === number && kopOf(c[3] ?? '0') + kopOf(c[4] ?? '0') > 0)
      .map((c) => ({
        service: SERVICES.find((s) => s.code === c[1])?.name ?? String(c[1]),
        period: String(c[2]),
        dueKop: kopOf(c[3] ?? '0'),
        penaltyKop: kopOf(c[4] ?? '0'),
      }));
    const total = lines.reduce((s, l) => s + l.dueKop + l.penaltyKop, 0);
    const address = `г. ${CITY}, ул. ${a[3]}, д. ${a[4]}, кв. ${a[6]}`;
    const text = buildBillQr({
      Name: payee.name,
      PersonalAcc: payee.account,
      BankName: payee.bankName,
      BIC: payee.bic,
      CorrespAcc: payee.corrAccount,
      PayeeINN: payee.inn,
      KPP: payee.kpp,
      PersAcc: number,
      LastName: String(a[7]).split(' ')[0] ?? '',
      PayerAddress: address,
      Sum: String(total),
      PaymPeriod: '112026',
      Purpose: `Оплата ЖКУ за ноябрь 2026, л/с ${number}`,
    });
    qrTexts.push({ account: number, text });
    const png = await QRCode.toBuffer(text, { errorCorrectionLevel: 'M', type: 'png', width: 320, margin: 2 });
    writeFileSync(join(dir, `bill-${number}.png`), png);
    writeFileSync(join(dir, `bill-${number}.pdf`), await billPdf({ number, owner: String(a[7]), address, lines, total, png, payee }));
  }
  writeFileSync(join(dir, 'qr-texts.txt'), `${qrTexts.map((q) => `${q.account}\t${q.text}`).join('\n')}\n`);
  return { dir, qrTexts };
}

function billPdf(bill: {
  number: string;
  owner: string;
  address: string;
  lines: BillLine[];
  total: number;
  png: Buffer;
  payee: { name: string; inn: string };
}): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 40, info: { Title: `ЕПД ${bill.number}`, Creator: 'Paydesk demo' } });
  doc.registerFont('r', FONT);
  doc.registerFont('b', FONT_BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.font('b').fontSize(14).text('ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ за ноябрь 2026 г.');
  doc.moveDown(0.3).font('r').fontSize(10);
  doc.text(`Получатель: ${bill.payee.name}, ИНН ${bill.payee.inn}`);
  doc.text(`Лицевой счёт: ${bill.number}`);
  doc.text(`Плательщик: ${bill.owner}`);
  doc.text(`Адрес: ${bill.address}`);
  doc.image(bill.png, 420, 40, { width: 130 });
  doc.moveDown(1.5);
  const cols = [40, 260, 340, 430, 500];
  const row = (cells: string[], bold = false): void => {
    const y = doc.y;
    doc.font(bold ? 'b' : 'r').fontSize(9);
    cells.forEach((c, i) =>
      doc.text(c, cols[i], y, { width: (cols[i + 1] ?? 560) - (cols[i] ?? 0) - 6, align: i === 0 ? 'left' : 'right' }),
    );
    doc.moveDown(0.4);
  };
  row(['Услуга', 'Период', 'К оплате', 'Пени', 'Итого'], true);
  for (const l of bill.lines)
    row([
      l.service,
      l.period.split('-').reverse().join('.'),
      formatRub(l.dueKop, { symbol: false }),
      formatRub(l.penaltyKop, { symbol: false }),
      formatRub(l.dueKop + l.penaltyKop, { symbol: false }),
    ]);
  doc.moveDown(0.5);
  row(['ИТОГО К ОПЛАТЕ', '', '', '', formatRub(bill.total)], true);
  doc
    .moveDown(1)
    .font('r')
    .fontSize(8)
    .fillColor('#555')
    .text('Оплатить можно в пунктах приёма платежей: отсканируйте QR-код на кассе. Демонстрационный документ Paydesk.', 40);
  doc.end();
  return done;
}
