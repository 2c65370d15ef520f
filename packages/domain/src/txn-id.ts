/**
 * The OSMP `txn_id` of a payment: a number derived from its operation id, so every retry, by any
 * worker, sends the same number, and a desk re-sending a payment after a restore derives it again. It
 * fits a signed 64-bit integer (many providers store it in a bigint).
 *
 * The first candidate keeps ids in time order where it can: 41 bits of milliseconds since 2020-01-01
 * (good until 2089) and the 22 bits just before the UUID's last 42 random bits, where generators that
 * keep a per-millisecond counter (the `uuid` package, RFC 9562 method 1) put the counter's low bits.
 * An op id whose clock is outside that range (a PC whose clock reset to 2000), or whose first candidate
 * another payment already holds at the same provider, takes the next candidates: a 62-bit FNV-1a hash of
 * the id and a counter. Uniqueness per provider is decided by the server, which takes the first
 * candidate no other payment holds (by construction, not by luck); this file only lists candidates.
 */
const EPOCH_2020_MS = 1_577_836_800_000n;
const MASK_62 = (1n << 62n) - 1n;
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

export function uuidV7Timestamp(uuid: string): number {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex) || hex[12] !== '7') throw new Error(`not a UUIDv7: ${uuid}`);
  return parseInt(hex.slice(0, 12), 16);
}

/** The time-ordered candidate, or null when the id's clock is outside 2020…2089. */
export function timeOrderedTxnId(opId: string): string | null {
  const hex = opId.replace(/-/g, '');
  const ms = BigInt(uuidV7Timestamp(opId)) - EPOCH_2020_MS;
  if (ms < 0n || ms >= 1n << 41n) return null;
  const byte = (i: number): number => parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  const counterBits = ((byte(7) & 0x03) << 20) | ((byte(8) & 0x3f) << 14) | (byte(9) << 6) | (byte(10) >> 2);
  const id = (ms << 22n) | BigInt(counterBits);
  return id === 0n ? null : String(id);
}

function fnv1a64(text: string): bigint {
  let h = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte);
    h = (h * FNV_PRIME) & MASK_64;
  }
  return h;
}

/** The txn_id candidates of an op id, best first; the server takes the first one free at the provider. */
export function txnIdCandidates(opId: string, count = 8): string[] {
  uuidV7Timestamp(opId);
  const out: string[] = [];
  const first = timeOrderedTxnId(opId);
  if (first) out.push(first);
  for (let k = 1; out.length < count; k++) {
    const h = fnv1a64(`${opId.toLowerCase()}#${k}`) & MASK_62;
    const id = String(h === 0n ? 1n : h);
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

/** The first candidate: what a payment gets when nothing else holds it. */
export function txnIdFromOpId(opId: string): string {
  return txnIdCandidates(opId, 1)[0] as string;
}
