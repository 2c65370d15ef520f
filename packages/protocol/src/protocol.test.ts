import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json.ts';
import { AppError, ERRORS, problem, problemSchema } from './errors.ts';
import { exampleBody } from './fixtures.ts';
import { opHash } from './node.ts';
import { OP_TYPES, opBodySchemas, type OpType } from './ops.ts';
import { commissionRuleSchema, providerRow } from './reference.ts';
import { PROTOCOL_VERSION, pullQuery, pullResponse, pushRequest, pushResponse } from './sync.ts';

const deskId = '0190f0d6-0000-7000-8000-0000000d0001';
const op = (seq: number, type: OpType = 'cash.in') => {
  const body = exampleBody(type);
  return { seq, opId: `0190f0d6-0000-7000-8000-${String(seq).padStart(12, '0')}`, type, body, hash: opHash(body) };
};

describe('operation bodies', () => {
  for (const type of OP_TYPES) {
    it(`${type}: accepts its example`, () => {
      const r = opBodySchemas[type].safeParse(exampleBody(type));
      expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    });

    it(`${type}: refuses each required field missing`, () => {
      const body = exampleBody(type) as Record<string, unknown>;
      for (const key of Object.keys(body)) {
        const copy = { ...body };
        delete copy[key];
        const optional = opBodySchemas[type].safeParse(copy).success;
        if (!optional) continue;
        // Only these fields may be left out.
        expect(['tenderedKop', 'comment', 'denominations', 'check', 'fiscalDocumentNumber', 'approvedBy']).toContain(key);
      }
    });
  }

  it('refuses negative, fractional and oversized kopecks', () => {
    for (const bad of [-1, 0.5, 1e13, Number.NaN, '100']) {
      const body = { ...exampleBody('cash.in'), amountKop: bad };
      expect(opBodySchemas['cash.in'].safeParse(body).success, String(bad)).toBe(false);
    }
  });

  it('refuses a billing payment whose lines do not add up, or whose tender is short', () => {
    const body = exampleBody('payment.accepted');
    body.totalKop += 1;
    expect(opBodySchemas['payment.accepted'].safeParse(body).success).toBe(false);
    const short = exampleBody('payment.accepted');
    short.tenderedKop = short.totalKop - 1;
    expect(opBodySchemas['payment.accepted'].safeParse(short).success).toBe(false);
    const card = { ...exampleBody('payment.accepted'), method: 'card' as const, tenderedKop: 0 };
    expect(opBodySchemas['payment.accepted'].safeParse(card).success).toBe(true);
  });

  it('refuses wrong types anywhere in a body (property)', () => {
    const junk = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer()), fc.object());
    fc.assert(
      fc.property(fc.constantFrom(...OP_TYPES), junk, fc.nat(), (type, value, pick) => {
        const body = exampleBody(type) as Record<string, unknown>;
        const keys = Object.keys(body);
        const key = keys[pick % keys.length] as string;
        fc.pre(JSON.stringify(value) !== JSON.stringify(body[key]));
        fc.pre(!(value === undefined));
        const mutated = { ...body, [key]: value };
        const ok = opBodySchemas[type].safeParse(mutated).success;
        // A random value is accepted only if it happens to be of the right kind (e.g. another valid string).
        return !ok || typeof value === typeof body[key] || body[key] === undefined;
      }),
    );
  });
});

describe('push and pull', () => {
  it('accepts a well-formed push', () => {
    const r = pushRequest.safeParse({ protocolVersion: 1, deskId, epoch: 1, ops: [op(1), op(2, 'payment.accepted')] });
    expect(r.success).toBe(true);
  });

  it('refuses unknown op types, bad hashes, a wrong version, gaps inside a batch, an empty batch', () => {
    const base = { protocolVersion: 1, deskId, epoch: 1 };
    expect(pushRequest.safeParse({ ...base, ops: [{ ...op(1), type: 'payment.deleted' }] }).success).toBe(false);
    expect(pushRequest.safeParse({ ...base, ops: [{ ...op(1), hash: 'abc' }] }).success).toBe(false);
    expect(pushRequest.safeParse({ ...base, protocolVersion: PROTOCOL_VERSION + 1, ops: [op(1)] }).success).toBe(false);
    expect(pushRequest.safeParse({ ...base, ops: [op(1), op(3)] }).success).toBe(false);
    expect(pushRequest.safeParse({ ...base, ops: [] }).success).toBe(false);
    expect(pushRequest.safeParse({ ...base, ops: [{ ...op(1), opId: '0190f0d6-0000-4000-8000-000000000001' }] }).success).toBe(false);
    expect(pushRequest.safeParse({ ...base, epoch: 0, ops: [op(1)] }).success).toBe(false);
  });

  it('reads pull queries with defaults and limits', () => {
    expect(pullQuery.parse({})).toEqual({ cursor: '0', limit: 5000 });
    expect(pullQuery.safeParse({ limit: '0' }).success).toBe(false);
    expect(pullQuery.safeParse({ cursor: '-1' }).success).toBe(false);
    expect(pullQuery.safeParse({ cursor: '1; DROP TABLE' }).success).toBe(false);
  });

  it('push and pull answers have their shapes', () => {
    expect(
      pushResponse.safeParse({ lastSeq: 2, version: '10', results: [{ seq: 2, opId: op(2).opId, outcome: 'applied', replay: false }] })
        .success,
    ).toBe(true);
    expect(
      pullResponse.safeParse({
        protocolVersion: 1,
        cursor: '5',
        hasMore: false,
        changes: {
          accounts: [
            {
              number: '1',
              els: null,
              city: null,
              street: 'Ленина',
              house: '10',
              building: null,
              flat: '5',
              ownerName: 'Иванов',
              status: 'active',
              version: '5',
            },
          ],
        },
      }).success,
    ).toBe(true);
    expect(
      pullResponse.safeParse({ protocolVersion: 1, cursor: '5', hasMore: false, changes: { accounts: [{ number: '1' }] } }).success,
    ).toBe(false);
  });

  it('commission rules and providers', () => {
    expect(commissionRuleSchema.safeParse({ kind: 'percent', mode: 'on_top', rateBp: 150, minKop: 1000 }).success).toBe(true);
    expect(commissionRuleSchema.safeParse({ kind: 'percent', mode: 'sideways', rateBp: 150 }).success).toBe(false);
    expect(
      commissionRuleSchema.safeParse({ kind: 'tiered', mode: 'included', tiers: [{ fromKop: 0, fee: { kind: 'fixed', amountKop: 100 } }] })
        .success,
    ).toBe(true);
    expect(providerRow.safeParse({}).success).toBe(false);
  });
});

describe('canonical JSON and hashes', () => {
  it('does not depend on key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        return canonicalJson(obj) === canonicalJson(reversed) && opHash(obj) === opHash(reversed);
      }),
    );
  });

  it('round-trips through JSON.parse (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it('differs when a value differs', () => {
    expect(opHash({ a: 1 })).not.toBe(opHash({ a: 2 }));
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
  });
});

describe('errors', () => {
  it('every code has a 4xx/5xx status and a Russian title', () => {
    for (const [code, e] of Object.entries(ERRORS)) {
      expect(e.status, code).toBeGreaterThanOrEqual(400);
      expect(e.title, code).toMatch(/[а-яА-Я]/);
    }
  });

  it('problems validate against the schema', () => {
    expect(problemSchema.safeParse(problem('sync.gap', undefined, { expectedSeq: 5 })).success).toBe(true);
    expect(new AppError('sync.gap').status).toBe(409);
    expect(problemSchema.safeParse({ ...problem('internal'), code: 'made.up' }).success).toBe(false);
  });
});
