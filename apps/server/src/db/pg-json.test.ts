import { describe, expect, it } from 'vitest';
import { pgJson } from './pg-json.ts';

describe('JSON for jsonb', () => {
  it('replaces NUL and unpaired surrogates, keeps pairs and everything else', () => {
    const s = pgJson({ a: 'x\u0000y', b: 'ok \ud83d\ude00 ok', c: 'cut \ud83d', d: '\ude00 low', e: 'Ёлка "кавычки" \\u0000' });
    const back = JSON.parse(s) as Record<string, string>;
    expect(back['a']).toBe('x\ufffdy');
    expect(back['b']).toBe('ok \ud83d\ude00 ok');
    expect(back['c']).toBe('cut \ufffd');
    expect(back['d']).toBe('\ufffd low');
    expect(back['e']).toBe('Ёлка "кавычки" \\u0000');
  });
});
