// One language for every message a person reads, zod's own included (issue 24 item 6).
import { z } from 'zod';

z.config(z.locales.ru());

export * from './errors.ts';
export * from './review-codes.ts';
export * from './primitives.ts';
export * from './ops.ts';
export * from './reference.ts';
export * from './sync.ts';
export * from './canonical-json.ts';
export * from './fixtures.ts';
export * from './desk-api.ts';
export * from './desk-views.ts';
export * from './settings.ts';
export * from './integration.ts';
