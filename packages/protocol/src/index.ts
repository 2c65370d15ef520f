export * from './errors.ts';
export * from './primitives.ts';
export * from './ops.ts';
export * from './reference.ts';
export * from './sync.ts';
export * from './canonical-json.ts';
export * from './fixtures.ts';
