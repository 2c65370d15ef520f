/**
 * The three encodings a GOST R 56042 QR may declare. Decoding uses the platform's TextDecoder (it
 * knows windows-1251 and KOI8-R in Node and in browsers); encoding single-byte charsets is built
 * from the same decoder, so both directions agree by construction.
 */
export type QrEncoding = 'windows-1251' | 'utf-8' | 'koi8-r';

const reverseTables = new Map<QrEncoding, Map<string, number>>();

function reverseTable(encoding: Exclude<QrEncoding, 'utf-8'>): Map<string, number> {
  let table = reverseTables.get(encoding);
  if (!table) {
    table = new Map();
    const decoder = new TextDecoder(encoding);
    for (let b = 0; b < 256; b++) {
      const ch = decoder.decode(new Uint8Array([b]));
      if (ch !== '\ufffd' && !table.has(ch)) table.set(ch, b);
    }
    reverseTables.set(encoding, table);
  }
  return table;
}

/** Encodes text; characters the charset lacks become '?', as real generators do. */
export function encodeText(text: string, encoding: QrEncoding): Uint8Array {
  if (encoding === 'utf-8') return new TextEncoder().encode(text);
  const table = reverseTable(encoding);
  const out = new Uint8Array([...text].length);
  let i = 0;
  for (const ch of text) out[i++] = table.get(ch) ?? 0x3f;
  return out;
}

export function decodeText(bytes: Uint8Array, encoding: QrEncoding): string {
  return new TextDecoder(encoding).decode(bytes);
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export function hasNonAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b >= 0x80) return true;
  return false;
}

const cp1252Specials: Record<string, number> = {
  '€': 0x80,
  '‚': 0x82,
  ƒ: 0x83,
  '„': 0x84,
  '…': 0x85,
  '†': 0x86,
  '‡': 0x87,
  ˆ: 0x88,
  '‰': 0x89,
  Š: 0x8a,
  '‹': 0x8b,
  Œ: 0x8c,
  Ž: 0x8e,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '•': 0x95,
  '–': 0x96,
  '—': 0x97,
  '˜': 0x98,
  '™': 0x99,
  š: 0x9a,
  '›': 0x9b,
  œ: 0x9c,
  ž: 0x9e,
  Ÿ: 0x9f,
};

/**
 * A keyboard-wedge scanner that reads bytes as Latin-1 or cp1252 hands over text like "ÐžÐžÐž".
 * Returns the original bytes when every character maps back to one byte, else null.
 */
export function latin1Bytes(text: string): Uint8Array | null {
  const chars = [...text];
  const out = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x100) out[i] = code;
    else {
      const special = cp1252Specials[ch];
      if (special === undefined) return null;
      out[i] = special;
    }
  }
  return out;
}

export const CYRILLIC = /[\u0400-\u04ff]/;
