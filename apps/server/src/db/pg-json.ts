/**
 * JSON text that PostgreSQL's jsonb accepts whatever a desk, a device or a provider put in it. jsonb
 * refuses `\u0000` and an unpaired UTF-16 surrogate (a string cut in the middle of an emoji), which
 * JSON.stringify writes as escapes; one such character in one op would fail a whole push. They become
 * U+FFFD; where the exact bytes matter, the caller keeps them elsewhere (a review item's base64 copy).
 */
// An escaped backslash, a surrogate pair, or one \uXXXX escape — matched in that order, so a literal
// backslash followed by "u0000" is never taken for an escape.
const ESCAPES = /\\\\|\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})|\\u([0-9a-f]{4})/gi;

export function pgJson(value: unknown): string {
  return JSON.stringify(value).replace(ESCAPES, (m: string, _high?: string, _low?: string, single?: string) => {
    if (!single) return m;
    const code = parseInt(single, 16);
    return code === 0 || (code >= 0xd800 && code <= 0xdfff) ? '\\ufffd' : m;
  });
}
