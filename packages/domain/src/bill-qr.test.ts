import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { billAccountRefs, buildBillQr, decodeEntities, encodeBillQr, parseBillQr, parseBillQrBytes, type BillQr } from './bill-qr.ts';
import { encodeText } from './text-encodings.ts';

interface Vector {
  name: string;
  text: string;
  expect: {
    ok: boolean;
    encoding?: string;
    separator?: string;
    sumKop?: number;
    sumNeedsConfirmation?: boolean;
    fields?: Record<string, string>;
  };
}

const vectors = (JSON.parse(readFileSync(new URL('../testdata/bill-qr-public.json', import.meta.url), 'utf8')) as { cases: Vector[] })
  .cases;

function ok(text: string): BillQr {
  const r = parseBillQr(text);
  if (!r.ok) throw new Error(`expected a bill QR, got ${r.code}: ${r.message}`);
  return r;
}

const required = {
  Name: 'ООО «Три кита»',
  PersonalAcc: '40702810138250123017',
  BankName: 'ОАО "БАНК"',
  BIC: '044525225',
  CorrespAcc: '30101810965770000413',
};

describe('bill QR: the public vectors', () => {
  for (const v of vectors) {
    it(v.name, () => {
      const r = parseBillQr(v.text);
      expect(r.ok).toBe(v.expect.ok);
      if (!r.ok) return;
      if (v.expect.encoding) expect(r.encoding).toBe(v.expect.encoding);
      if (v.expect.separator) expect(r.separator).toBe(v.expect.separator);
      if (v.expect.sumKop !== undefined) expect(r.sumKop).toBe(v.expect.sumKop);
      if (v.expect.sumNeedsConfirmation !== undefined) expect(r.sumNeedsConfirmation).toBe(v.expect.sumNeedsConfirmation);
      for (const [key, value] of Object.entries(v.expect.fields ?? {})) expect(r.fields[key], key).toBe(value);
    });
  }
});

describe('bill QR: what real bills contain (GOST R 56042 section 1.5)', () => {
  it('rule 1: matches keys in any case and keeps unknown keys as written', () => {
    const r = ok(
      'ST00012|name=УК|PERSONALACC=40702810138250123017|bic=044525225|persAcc=123|paymPeriod=0521|penaltyFee=150|KaznPersonalAcc=1',
    );
    expect(r.fields).toMatchObject({
      Name: 'УК',
      PersonalAcc: '40702810138250123017',
      BIC: '044525225',
      PersAcc: '123',
      PaymPeriod: '0521',
      penaltyFee: '150',
      KaznPersonalAcc: '1',
    });
    expect(r.period).toBe('2021-05');
  });

  it('rule 1: accepts the TaxPayKind spelling as TaxPaytKind', () => {
    expect(ok('ST00012|Name=X|TaxPayKind=НС').fields['TaxPaytKind']).toBe('НС');
  });

  it('rule 2: splits each pair on the first "=" only', () => {
    const r = ok('ST00012|Name=a=b=c|Purpose==x=|PersAcc=1');
    expect(r.fields['Name']).toBe('a=b=c');
    expect(r.fields['Purpose']).toBe('=x=');
  });

  it('rule 3: trims the whole text and every key and value', () => {
    const r = ok('  ST00012|Name=УК| PersAcc= 0000000012 |Sum=150000 \n');
    expect(r.fields['PersAcc']).toBe('0000000012');
    expect(r.sumKop).toBe(150000);
  });

  it('rule 4: repairs UTF-8 read by the scanner as cp1252 / Latin-1', () => {
    const original = buildBillQr({ ...required, PersAcc: '0000000012', Purpose: 'Оплата ЖКУ' });
    const mangled = new TextDecoder('windows-1252').decode(encodeText(original, 'utf-8'));
    expect(mangled).toContain('Ð¢');
    const r = ok(mangled);
    expect(r.fields['Name']).toBe('ООО «Три кита»');
    expect(r.fields['Purpose']).toBe('Оплата ЖКУ');
    expect(r.warnings.map((w) => w.code)).toContain('qr.encoding_repaired');
  });

  it('rule 4: repairs windows-1251 read as Latin-1', () => {
    const text = buildBillQr({ ...required, PersAcc: '12' }, { encoding: 'windows-1251' });
    const mangled = text.slice(0, 8) + String.fromCharCode(...encodeText(text.slice(8), 'windows-1251'));
    const r = ok(mangled);
    expect(r.encoding).toBe('windows-1251');
    expect(r.fields['Name']).toBe('ООО «Три кита»');
  });

  it('rule 4: decodes bytes by the flag, and falls back when the flag lies', () => {
    for (const enc of ['windows-1251', 'utf-8', 'koi8-r'] as const) {
      const r = parseBillQrBytes(encodeBillQr({ ...required, Purpose: 'Оплата за май' }, enc));
      expect(r.ok && r.encoding, enc).toBe(enc);
      expect(r.ok && r.fields['Purpose'], enc).toBe('Оплата за май');
    }
    // Flag 2 (UTF-8) over windows-1251 bytes: not valid UTF-8, so read as windows-1251.
    const cp = encodeBillQr({ ...required }, 'windows-1251');
    cp[6] = '2'.charCodeAt(0);
    const lied = parseBillQrBytes(cp);
    expect(lied.ok && lied.encoding).toBe('windows-1251');
    expect(lied.ok && lied.fields['Name']).toBe('ООО «Три кита»');
    expect(lied.ok && lied.warnings.map((w) => w.code)).toContain('qr.encoding_flag_wrong');
    // Flag 1 over UTF-8 bytes: valid multi-byte UTF-8, so read as UTF-8.
    const u = encodeBillQr({ ...required }, 'utf-8');
    u[6] = '1'.charCodeAt(0);
    const lied2 = parseBillQrBytes(u);
    expect(lied2.ok && lied2.fields['Name']).toBe('ООО «Три кита»');
  });

  it('KOI8-R cannot hold « »: they become "?" as real generators write them', () => {
    const bytes = encodeBillQr({ ...required }, 'koi8-r');
    const r = parseBillQrBytes(bytes);
    expect(r.ok && r.fields['Name']).toBe('ООО ?Три кита?');
  });

  it('rule 5: accepts missing or reordered required fields, with a warning', () => {
    const r = ok('ST00012|PersonalAcc=40702810138250123017|BIC=044525225|PayeeINN=7701234567|Sum=100|PersAcc=5');
    expect(r.fields['PersAcc']).toBe('5');
    expect(r.warnings.map((w) => w.code)).toContain('qr.required_missing');
    const reordered = ok('ST00012|BIC=044525225|Name=X|PersonalAcc=40702810138250123017|BankName=Б|CorrespAcc=30101810400000000225');
    expect(reordered.warnings.map((w) => w.code)).toContain('qr.required_order');
  });

  it('rule 6: a sum with a comma or dot is rubles and needs confirmation', () => {
    expect(ok('ST00012|Name=X|Sum=20616,36')).toMatchObject({ sumKop: 2061636, sumNeedsConfirmation: true });
    expect(ok('ST00012|Name=X|Sum=1000.00')).toMatchObject({ sumKop: 100000, sumNeedsConfirmation: true });
    expect(ok('ST00012|Name=X|Sum=100000')).toMatchObject({ sumKop: 100000, sumNeedsConfirmation: false });
    const bad = ok('ST00012|Name=X|Sum=сто');
    expect(bad.sumKop).toBeUndefined();
    expect(bad.warnings.map((w) => w.code)).toContain('qr.sum_invalid');
    expect(ok('ST00012|Name=X|Sum=').sumKop).toBeUndefined();
  });

  it('rule 7: reads the periods seen on real bills', () => {
    const cases: [string, string | undefined][] = [
      ['0521', '2021-05'],
      ['042026', '2026-04'],
      ['112021', '2021-11'],
      ['07.2023', '2023-07'],
      ['62015', '2015-06'],
      ['0926', '2026-09'],
      ['202604', '2026-04'],
      ['7.2023', '2023-07'],
      ['май 2024', '2024-05'],
      ['2023-07', '2023-07'],
      ['1399', undefined],
    ];
    for (const [raw, period] of cases) {
      const r = ok(`ST00012|Name=X|PaymPeriod=${raw}`);
      expect(r.period, raw).toBe(period);
      expect(r.fields['PaymPeriod']).toBe(raw);
    }
  });

  it('rule 8: decodes HTML entities and keeps empty values', () => {
    const r = ok('ST00012|Name=ООО &quot;ИВЦ-Ижевск&quot;|PayerINN=|Purpose=&laquo;Квартплата&raquo; &#8470; 5 &amp; пени');
    expect(r.fields['Name']).toBe('ООО "ИВЦ-Ижевск"');
    expect(r.fields['PayerINN']).toBe('');
    expect(r.fields['Purpose']).toBe('«Квартплата» № 5 & пени');
    expect(decodeEntities('&bogus; &#0; &#x110000;')).toBe('&bogus; &#0; &#x110000;');
  });

  it('rule 9: rejects other headers, plain text, URLs and a bare header', () => {
    for (const text of [
      'ST00014|persAcc=1',
      'ST00022|Name=X',
      'SA00012|Name=X',
      'persAcc=0000000012',
      'ST00012',
      'ST00012|',
      'ST0001',
      'https://qr.nspk.ru/AS1000',
      '',
      '   ',
      '4607001234567',
      'ST00012Name=X',
    ]) {
      expect(parseBillQr(text).ok, JSON.stringify(text)).toBe(false);
    }
    expect(ok('ST00012|Name=X').fields['Name']).toBe('X');
  });

  it('reports duplicate keys and pairs without a name', () => {
    const r = ok('ST00012|Name=X|name=Y|=Z|junk');
    expect(r.fields['Name']).toBe('X');
    expect(r.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['qr.duplicate_key', 'qr.bad_pair']));
  });

  it('finds the ЕЛС, ИЖКУ and ИПД a bill identifies the payer by', () => {
    expect(billAccountRefs(ok('ST00012|Name=X|PersAcc=20MB875415|UIN=20МВ875415-07-1051'))).toEqual([
      { kind: 'els', value: '20МВ875415', els: '20МВ875415' },
      { kind: 'ipd', value: '20МВ875415-07-1051', els: '20МВ875415' },
    ]);
    expect(billAccountRefs(ok('ST00012|Name=X|PersAcc=0000000012'))).toEqual([{ kind: 'account', value: '0000000012' }]);
  });
});

describe('bill QR: generator and parser agree (property)', () => {
  const value = fc
    .string({ minLength: 1, maxLength: 30 })
    .filter((s) => s.trim() === s && s !== '' && !s.includes('&') && ![...s].some((c) => c.charCodeAt(0) < 0x20));
  const cyrillic = fc
    .string({
      unit: fc.constantFrom(...'АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюя0123456789 .,-"'.split('')),
      minLength: 1,
      maxLength: 40,
    })
    .map((s) => s.trim())
    .filter((s) => s !== '');

  it('any values that can be separated survive a round trip', () => {
    fc.assert(
      fc.property(value, value, cyrillic, fc.nat({ max: 10_000_000 }), (name, bank, purpose, sum) => {
        const fields = { ...required, Name: name, BankName: bank, Purpose: purpose, Sum: String(sum) };
        let text: string;
        try {
          text = buildBillQr(fields);
        } catch {
          return true; // every separator occurs in some value: the generator refuses, as it should
        }
        const r = parseBillQr(text);
        return r.ok && r.fields['Name'] === name && r.fields['BankName'] === bank && r.fields['Purpose'] === purpose && r.sumKop === sum;
      }),
    );
  });

  it('Cyrillic values survive every encoding as bytes', () => {
    fc.assert(
      fc.property(cyrillic, fc.constantFrom('windows-1251' as const, 'utf-8' as const, 'koi8-r' as const), (purpose, enc) => {
        const r = parseBillQrBytes(encodeBillQr({ ...required, Name: 'УК', Purpose: purpose }, enc));
        return r.ok && r.fields['Purpose'] === purpose && r.encoding === enc;
      }),
    );
  });

  it('never throws on arbitrary text or bytes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = parseBillQr(s);
        return typeof r.ok === 'boolean';
      }),
    );
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => typeof parseBillQr(`ST00012|${s}`).ok === 'boolean'));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const withHeader = new Uint8Array([...new TextEncoder().encode('ST00011|'), ...b]);
        return typeof parseBillQrBytes(b).ok === 'boolean' && typeof parseBillQrBytes(withHeader).ok === 'boolean';
      }),
    );
  });

  it('picks a separator that occurs in no value', () => {
    const text = buildBillQr({ ...required, BankName: 'ОАО | "БАНК"' });
    expect(text.startsWith('ST00012#')).toBe(true);
    expect(ok(text).fields['BankName']).toBe('ОАО | "БАНК"');
    expect(() => buildBillQr({ ...required, Name: '' })).toThrow(/Name/);
  });
});
