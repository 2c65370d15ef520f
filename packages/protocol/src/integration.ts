/**
 * The integration API's own wire shapes (billing systems, suppliers, providers): API keys and their
 * scopes. A key works as the `integrator` role restricted to its scopes; each route an integrator may
 * call names the one scope it needs (see docs/integration.md).
 */
import { z } from 'zod';

/**
 * The closed set of scopes a key can hold:
 * - `read` — catalogs and ids (points, desks, suppliers, services, accounts, meters, providers, price list) and payments;
 * - `feed` — the billing feed and its acknowledgement;
 * - `imports` — uploading accounts, charges and meters, and reading import reports;
 * - `registries` — the daily registries of payments to suppliers;
 * - `reconcile` — a provider's reconciliation and the forwarding states.
 */
export const API_SCOPES = ['read', 'feed', 'imports', 'registries', 'reconcile'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const API_SCOPE_TITLES: Record<ApiScope, string> = {
  read: 'справочники, кассы и платежи (чтение)',
  feed: 'лента платежей, сторно и показаний',
  imports: 'загрузка счетов, начислений и счётчиков',
  registries: 'реестры платежей поставщикам',
  reconcile: 'сверка с поставщиками и передача платежей',
};

export const apiScope = z.enum(API_SCOPES);

export const apiKeyState = z.enum(['active', 'revoked', 'expired']);
export type ApiKeyState = z.infer<typeof apiKeyState>;
