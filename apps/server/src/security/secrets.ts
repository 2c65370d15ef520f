/**
 * Secrets: desk keys, session tokens and API keys are 256 random bits, so a SHA-256 of them is enough to store
 * (nothing to brute-force); passwords are people's, so they get argon2id.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

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

/** argon2id, the library's default (OWASP parameters: 19 MiB, t=2, p=1). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
