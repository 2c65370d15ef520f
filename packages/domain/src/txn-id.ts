/**
 * The OSMP `txn_id` of a payment: a stable number derived from its UUIDv7 operation id, so every
 * retry, by any worker, sends the same number. It fits a signed 64-bit integer (many providers store
 * it in a bigint): 41 bits of milliseconds since 2020-01-01 (good until 2089) and the 22 random bits
 * that follow in the UUID. Two payments collide only if they fall in the same millisecond and draw the
 * same 22 bits; the server keeps (provider, txn_id) unique and sends a collision to review.
 */
const EPOCH_2020_MS = 1_577_836_800_000n;

export function uuidV7Timestamp(uuid: string): number {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex) || hex[12] !== '7') throw new Error(`not a UUIDv7: ${uuid}`);
  return parseInt(hex.slice(0, 12), 16);
}

export function txnIdFromOpId(opId: string): string {
  const hex = opId.replace(/-/g, '');
  const ms = BigInt(uuidV7Timestamp(opId)) - EPOCH_2020_MS;
  if (ms < 0n || ms >= 1n << 41n) throw new Error(`operation id time out of range: ${opId}`);
  // Bits after the version nibble: rand_a (12 bits) and the first 10 bits of rand_b after its variant bits.
  const randA = BigInt(parseInt(hex.slice(13, 16), 16));
  const randB = BigInt(parseInt(hex.slice(16, 20), 16)) & 0x3fffn;
  const random = (randA << 10n) | (randB >> 4n);
  return String((ms << 22n) | random);
}
