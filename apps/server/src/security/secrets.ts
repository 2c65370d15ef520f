/**
 * Secrets: desk keys, session tokens and API keys are 256 random bits, so a SHA-256 of them is enough to store
 * (nothing to brute-force); passwords are people's, so they get argon2id.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify, type Options } from '@node-rs/argon2';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function newDeskKey(): string {
  return `pdk_${randomBytes(32).toString('base64url')}`;
}

export function newSessionToken(): string {
  return `pdu_${randomBytes(32).toString('base64url')}`;
}

/** A machine client's API key (issue 24 item 8): `pda_` and 43 base64url characters. */
export function newApiKey(): string {
  return `pda_${randomBytes(32).toString('base64url')}`;
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A one-time enrollment code a person can read out and type: XXXX-XXXX-XXXX (60 bits). */
export function newEnrollmentCode(): string {
  const bytes = randomBytes(12);
  const chars = [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length] as string);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8, 12).join('')}`;
}

export function normalizeEnrollmentCode(code: string): string {
  return code.trim().toUpperCase().replace(/[\s-]/g, '');
}

export function newPassword(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * argon2id at OWASP's minimum (Password Storage Cheat Sheet): 19 MiB of memory, 2 passes, 1 lane —
 * written here rather than left to the library's defaults, which may change under us. Algorithm 2 is
 * Argon2id (the library's const enum cannot be imported with isolated modules).
 */
const ARGON2: Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const ARGON2_PREFIX = '$argon2id$v=19$m=19456,t=2,p=1$';

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

/** A hash made with other parameters than ARGON2's (older, weaker): rehashed at the next sign-in. */
export function needsRehash(passwordHash: string): boolean {
  return !passwordHash.startsWith(ARGON2_PREFIX);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
