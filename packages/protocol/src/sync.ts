/**
 * The sync protocol between a desk and the server (DESIGN.md, "Sync protocol").
 * Push: the desk's journal in seq order; the server answers each op's outcome and its own last seq.
 * Pull: reference-data changes since a cursor, in pages.
 */
import { z } from 'zod';
import { OP_TYPES } from './ops.ts';
import { opId, uuid } from './primitives.ts';
import { referenceRows } from './reference.ts';

/**
 * Version 2: a desk names its version on every pull too (`protocol=`), so the server answers each desk
 * in its own version and the back office sees which desks still speak the previous one.
 */
export const PROTOCOL_VERSION = 2;
/**
 * What the server speaks: the current version and the one before it, so the desks of an organisation
 * are upgraded point by point after the server (docs/operations.md, «Upgrades»).
 */
export const SUPPORTED_PROTOCOL_VERSIONS = [PROTOCOL_VERSION - 1, PROTOCOL_VERSION] as const;
export const protocolVersion = z
  .number()
  .int()
  .refine((v) => (SUPPORTED_PROTOCOL_VERSIONS as readonly number[]).includes(v), 'версия протокола не поддерживается');
export const MAX_PUSH_OPS = 1000;
export const MAX_PULL_LIMIT = 20_000;

export const pushedOp = z.object({
  seq: z.number().int().min(1),
  opId,
  type: z.enum(OP_TYPES),
  /** Validated against the type's schema by the server, op by op. */
  body: z.record(z.string(), z.unknown()),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256 в шестнадцатеричном виде'),
});
export type PushedOp = z.infer<typeof pushedOp>;

export const pushRequest = z
  .object({
    protocolVersion,
    deskId: uuid,
    epoch: z.number().int().min(1),
    ops: z.array(pushedOp).min(1).max(MAX_PUSH_OPS),
  })
  .refine((r) => r.ops.every((op, i) => i === 0 || op.seq === (r.ops[i - 1] as { seq: number }).seq + 1), {
    message: 'операции должны идти подряд по seq',
    path: ['ops'],
  });
export type PushRequest = z.infer<typeof pushRequest>;

export const opOutcome = z.enum(['applied', 'applied_with_review', 'rejected']);
export type OpOutcome = z.infer<typeof opOutcome>;

export const opResult = z.object({
  seq: z.number().int().min(1),
  opId,
  outcome: opOutcome,
  /** Why it was rejected or sent to review. */
  code: z.string().optional(),
  message: z.string().optional(),
  /** True when this answer is the stored result of an op applied before. */
  replay: z.boolean(),
});
export type OpResult = z.infer<typeof opResult>;

export const pushResponse = z.object({
  lastSeq: z.number().int().min(0),
  results: z.array(opResult),
  /** The reference-data version after this push: a pull past it reflects these ops. */
  version: z.string(),
});
export type PushResponse = z.infer<typeof pushResponse>;

export const pullQuery = z.object({
  cursor: z
    .string()
    .regex(/^\d{1,19}$/)
    .default('0'),
  limit: z.coerce.number().int().min(1).max(MAX_PULL_LIMIT).default(5000),
  /** The highest seq of `epoch` the server has answered for, as the desk's journal has it. */
  acked: z.coerce.number().int().min(0).max(2_147_483_647).optional(),
  epoch: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
  /** The desk's protocol version; a desk of version 1 does not send it. */
  protocol: z.coerce.number().int().min(0).max(1000).optional(),
});

export const pullResponse = z.object({
  /** The version the desk asked in (1 when it named none). */
  protocolVersion: z.number().int(),
  cursor: z.string(),
  hasMore: z.boolean(),
  /** Rows left to pull after this page, when the server can tell cheaply (the first load shows progress). */
  remaining: z.number().int().min(0).optional(),
  /** The server's incarnation: it changes when its database is put back from a backup. */
  incarnation: z.string().max(64).optional(),
  /** What the server holds of this desk's journal: a desk that acked more re-sends the rest. */
  desk: z.object({ epoch: z.number().int().min(1), lastSeq: z.number().int().min(0) }).optional(),
  changes: z.object(
    Object.fromEntries(Object.entries(referenceRows).map(([k, v]) => [k, z.array(v).optional()])) as {
      [K in keyof typeof referenceRows]: z.ZodOptional<z.ZodArray<(typeof referenceRows)[K]>>;
    },
  ),
});
export type PullResponse = z.infer<typeof pullResponse>;

export const enrollRequest = z.object({
  enrollmentCode: z.string().trim().min(6).max(64),
  epoch: z.number().int().min(1).optional(),
});
export const enrollResponse = z.object({
  deskId: uuid,
  deskKey: z.string().min(32),
  epoch: z.number().int().min(1),
  pointId: uuid,
  name: z.string(),
});
export type EnrollResponse = z.infer<typeof enrollResponse>;

export const loginRequest = z.object({
  login: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(200),
});

/** Online account check at a provider, asked by a desk through the server. */
export const providerCheckRequest = z.object({
  providerCode: z.string().max(32),
  account: z.string().trim().min(1).max(64),
  amountKop: z.number().int().min(0).max(1_000_000_000_000).optional(),
});
