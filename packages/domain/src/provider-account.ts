/**
 * A third-party provider's account as the provider wants it, and whether it fits the provider's mask:
 * one rule for the desk that accepts the payment and the back office that tests a new mask.
 */
export type AccountNormalization = 'none' | 'digits' | 'phone';

/** "+7 (916) 111-22-33" → "9161112233" for phone providers; digits only for `digits`; trimmed otherwise. */
export function normalizeProviderAccount(normalize: AccountNormalization, account: string): string {
  const text = account.trim();
  if (normalize === 'digits') return text.replace(/\D/g, '');
  if (normalize === 'phone') {
    const d = text.replace(/\D/g, '');
    return d.length === 11 && (d.startsWith('7') || d.startsWith('8')) ? d.slice(1) : d;
  }
  return text;
}

/** Null when the mask is not a valid regular expression. */
export function accountFitsMask(mask: string, account: string): boolean | null {
  try {
    return new RegExp(mask).test(account);
  } catch {
    return null;
  }
}
