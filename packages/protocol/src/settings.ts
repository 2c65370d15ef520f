/**
 * Settings replicated to desks, each with its schema: global ones, a point's, a desk's. The most
 * specific value wins at the desk (desk over point over global over the default here). The server
 * refuses unknown keys and bad values.
 */
import { z } from 'zod';

export const SETTINGS = {
  billingName: z.string().trim().min(1).max(60),
  orgName: z.string().trim().min(1).max(200),
  orgInn: z.string().regex(/^(\d{10}|\d{12})$/),
  agentType: z.enum(['paying_agent', 'paying_subagent']),
  agentPhone: z.string().regex(/^\+\d{11,15}$/),
  operatorPhone: z.string().regex(/^\+\d{11,15}$/),
  taxSystem: z.enum(['osn', 'usn_income', 'usn_income_outcome', 'esn', 'patent']),
  settlementAddress: z.string().trim().min(1).max(300),
  settlementPlace: z.string().trim().min(1).max(200),
  subagentCapKop: z.number().int().min(100).max(100_000_000),
  readingCutoffDay: z.number().int().min(1).max(31),
  reversalWindowDays: z.number().int().min(0).max(365),
  syncIntervalSeconds: z.number().int().min(5).max(3600),
  pullIntervalSeconds: z.number().int().min(5).max(3600),
  timeZone: z
    .string()
    .min(3)
    .max(64)
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('ru-RU', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'неизвестный часовой пояс'),
  receiptFooter: z.string().max(200),
  /** How far back a desk re-sends its acknowledged ops after it is enrolled again (a restored server). */
  resendWindowDays: z.number().int().min(1).max(3650),
  /**
   * The point may leave out the paper receipt when the payer asks for the electronic one only (phone or
   * e-mail given): where the law allows it for the point's kind of settlements.
   */
  paperlessReceipts: z.boolean(),
  /** A billing payment more than this share above the account's debt asks the cashier to confirm (0: any excess). */
  overpaymentMarginPercent: z.number().int().min(0).max(1000),
} as const;

export type SettingKey = keyof typeof SETTINGS;

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

export type SettingValue<K extends SettingKey> = z.infer<(typeof SETTINGS)[K]>;

/**
 * The one place a setting's default is written: a desk and the server read these keys as always present
 * (no `?? value` beside a read), and the server seeds them as the global values of a fresh install.
 */
export const DEFAULT_SETTINGS = {
  billingName: 'Биллинг Эксперт',
  agentType: 'paying_agent',
  taxSystem: 'usn_income',
  subagentCapKop: 1_500_000,
  readingCutoffDay: 25,
  reversalWindowDays: 3,
  syncIntervalSeconds: 30,
  pullIntervalSeconds: 60,
  timeZone: 'Europe/Moscow',
  resendWindowDays: 35,
  overpaymentMarginPercent: 10,
  paperlessReceipts: false,
} as const satisfies { [K in SettingKey]?: SettingValue<K> };

/** A key with a default: read as present. */
export type DefaultedKey = keyof typeof DEFAULT_SETTINGS;

/** What reading a setting gives: the value, or undefined for a key without a default nobody set. */
export type SettingRead<K extends SettingKey> = K extends DefaultedKey ? SettingValue<K> : SettingValue<K> | undefined;

/** The value a desk should use: its own, else its point's, else the global one, else the default. */
export function resolveSetting<K extends SettingKey>(key: K, scoped: (scopedKey: string) => unknown): SettingRead<K> {
  for (const scope of ['desk', 'point', 'global']) {
    const v = scoped(`${scope}:${key}`);
    if (v !== undefined) {
      const parsed = SETTINGS[key].safeParse(v);
      if (parsed.success) return parsed.data as SettingRead<K>;
    }
  }
  return (DEFAULT_SETTINGS as Partial<Record<SettingKey, unknown>>)[key] as SettingRead<K>;
}
