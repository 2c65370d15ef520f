/**
 * Feed rows written before the payloads carried what a billing posts without joins (issue 24 item 7).
 * Placeholder: rows are left as they were.
 */
import type { Kysely } from 'kysely';

export async function up(_db: Kysely<unknown>): Promise<void> {}
