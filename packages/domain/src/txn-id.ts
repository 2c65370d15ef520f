/**
 * The OSMP `txn_id` of a payment: a stable number derived from its UUIDv7 operation id, so every
 * retry, by any worker, sends the same number. It fits a signed 64-bit integer (many providers store
 * it in a bigint): 41 bits of milliseconds since 2020-01-01 (good until 2089) and the 22 bits that sit
 * just before the UUID's last 42 random bits. Generators that keep a per-millisecond counter (the
 * `uuid` package, RFC 9562 method 1) put the counter's low bits exactly there, so ids minted in one
 * millisecond by one desk never collide; fully random generators make those bits random. Two payments
 * from different desks collide only if they share the millisecond and the 22 bits; the server keeps
 * (provider, txn_id) unique and sends a collision to review.
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
  const byte = (i: number): number => parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  const counterBits = ((byte(7) & 0x03) << 20) | ((byte(8) & 0x3f) << 14) | (byte(9) << 6) | (byte(10) >> 2);
  return String((ms << 22n) | BigInt(counterBits));
}
