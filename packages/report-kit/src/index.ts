export * from './model.ts';
export { cellText } from './cells.ts';
export { renderText } from './render-text.ts';
export { renderCsv } from './render-csv.ts';
export { renderXlsx } from './render-xlsx.ts';
export { renderPdf } from './render-pdf.ts';
