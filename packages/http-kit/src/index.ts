export * from './errors.ts';
export * from './data-lock.ts';
