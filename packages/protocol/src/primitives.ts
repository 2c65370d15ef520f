/** The building blocks every wire format shares. Money is integer kopecks, never a float. */
import { z } from 'zod';

export const MAX_KOP = 1_000_000_000_000;

/** A sum in kopecks: a non-negative safe integer no larger than 10 billion rubles. */
export const kop = z
  .number()
  .int('сумма должна быть целым числом копеек')
  .min(0, 'сумма не может быть отрицательной')
  .max(MAX_KOP, 'сумма слишком велика');
export const positiveKop = kop.min(1, 'сумма должна быть больше нуля');

export const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i, 'ожидается UUID');
/** Whether a key is an id rather than a code or a ИНН (routes that take either). */
export function isUuid(value: string): boolean {
  return uuid.safeParse(value).success;
}
/** Operation ids are UUIDv7, minted by the desk. */
export const opId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i, 'ожидается UUIDv7');

export const period = z.string().regex(/^20\d{2}-(0[1-9]|1[0-2])$/, 'период в формате ГГГГ-ММ');
export const isoDate = z.iso.date('дата в формате ГГГГ-ММ-ДД');
export const isoDateTime = z.iso.datetime({ offset: true, message: 'дата и время в формате ISO 8601' });

export const nonEmpty = (max: number): z.ZodString =>
  z.string().trim().min(1, 'не может быть пустым').max(max, `не длиннее ${max} символов`);

export const accountNumber = nonEmpty(30);
export const serviceCode = z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'код: латиница, цифры, _ . - (до 32)');
export const inn = z.string().regex(/^(\d{10}|\d{12})$/, 'ИНН: 10 или 12 цифр');
export const phone = z.string().regex(/^\+\d{11,15}$/, 'телефон в формате +7…');
/** A meter value as a decimal string with up to three decimals: never a float. */
export const meterValue = z.string().regex(/^\d{1,12}([.,]\d{1,3})?$/, 'показание: число с не более чем 3 знаками после запятой');

export const paymentMethod = z.enum(['cash', 'card']);
export const role = z.enum(['cashier', 'senior_cashier', 'admin']);

export const fiscalAttrs = z.object({
  documentNumber: z.number().int().min(1),
  fiscalSign: z.string().regex(/^\d{1,10}$/),
  shiftNumber: z.number().int().min(1),
  receiptNumber: z.number().int().min(0),
  at: isoDateTime,
  fnNumber: z.string().max(16).optional(),
  registrationNumber: z.string().max(20).optional(),
  qr: z.string().max(200).optional(),
  /** The senior cashier who settled by hand an outcome the register could not tell (see the desk's settle.ts). */
  settledBy: uuid.optional(),
});
export type FiscalAttrs = z.infer<typeof fiscalAttrs>;
