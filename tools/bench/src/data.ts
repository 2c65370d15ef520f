/**
 * The benchmarks' billing files, the same every time: N accounts on the streets of a big town, three
 * charges each (housing, cold water, heating for the current month) and one meter each. Written as the
 * billing's import layouts (docs/integration.md).
 */
import { createWriteStream, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

export const STREETS = [
  'Ленина',
  'Мира',
  'Советская',
  'Гагарина',
  'Молодёжная',
  'Садовая',
  'Школьная',
  'Лесная',
  'Набережная',
  'Октябрьская',
  'Пушкина',
  'Комсомольская',
  'Кирова',
  'Чкалова',
  'Лермонтова',
  'Горького',
  'Победы',
  'Строителей',
  'Заводская',
  'Полевая',
];
const SURNAMES = [
  'Иванов',
  'Смирнов',
  'Кузнецов',
  'Попов',
  'Васильев',
  'Петров',
  'Соколов',
  'Михайлов',
  'Новиков',
  'Фёдоров',
  'Морозов',
  'Волков',
  'Алексеев',
  'Лебедев',
  'Семёнов',
];
export const CHARGE_SERVICES = ['MAINT', 'CW', 'HEAT'];

export function accountNumber(i: number): string {
  return `2${String(i).padStart(7, '0')}`;
}

/** Where account i lives: 20 streets, 120 houses each, 80 flats each — as many as needed. */
export function addressOf(i: number): { street: string; house: number; flat: number } {
  return {
    street: STREETS[i % STREETS.length] as string,
    house: 1 + (Math.floor(i / STREETS.length) % 120),
    flat: 1 + Math.floor(i / (STREETS.length * 120)),
  };
}

async function writeLines(path: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  let chunk: string[] = [];
  for (let i = 0; i < count; i++) {
    chunk.push(line(i));
    if (chunk.length === 5_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
      chunk = [];
    }
  }
  if (chunk.length) out.write(`${chunk.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
  // PostgreSQL's own process reads these files for the COPY baseline.
  chmodSync(path, 0o644);
}

export interface BenchFiles {
  accounts: string;
  charges: string;
  meters: string;
}

export async function writeBillingFiles(dir: string, accounts: number): Promise<BenchFiles> {
  chmodSync(dir, 0o755);
  const files = { accounts: join(dir, 'accounts.csv'), charges: join(dir, 'charges.csv'), meters: join(dir, 'meters.csv') };
  await writeLines(files.accounts, 'number;els;city;street;house;building;flat;owner;status', accounts, (i) => {
    const a = addressOf(i);
    return `${accountNumber(i)};;Мегаполис;${a.street};${a.house};;${a.flat};${SURNAMES[i % SURNAMES.length] as string}${i % 2 ? 'а' : ''} ${String.fromCharCode(1040 + (i % 28))}.${String.fromCharCode(1040 + ((i >> 3) % 28))}.;active`;
  });
  await writeLines(files.charges, 'account;service;period;due;penalty;charge', accounts * 3, (j) => {
    const i = Math.floor(j / 3);
    const service = CHARGE_SERVICES[j % 3] as string;
    const due = 1_000 + ((i * 37 + j * 11) % 4_000);
    return `${accountNumber(i)};${service};2026-11;${due},00;${i % 5 === 0 ? '12,34' : '0'};${due},00`;
  });
  await writeLines(
    files.meters,
    'account;service;serial;digits;fraction_digits;verification_due;jump_threshold;last_value;last_date',
    accounts,
    (i) => `${accountNumber(i)};CW;CW-${accountNumber(i)};5;3;2030-01-01;30;${100 + (i % 500)};2026-10-25`,
  );
  return files;
}
