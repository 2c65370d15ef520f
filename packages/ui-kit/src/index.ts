export * from './client.ts';
export * from './format.ts';
export * from './date-field.tsx';
