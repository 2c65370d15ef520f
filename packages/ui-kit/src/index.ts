export * from './client.ts';
export * from './format.ts';
