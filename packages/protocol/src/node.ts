/** Node-only helpers of the protocol (the browser build never imports this file). */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

/** The hash of an operation's body: SHA-256 of its canonical JSON, hex. */
export function opHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}
