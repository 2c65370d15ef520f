export * from './postgres.ts';
export * from './ports.ts';
