export * from './postgres.ts';
export * from './ports.ts';
export * from './process.ts';
export * from './fault-proxy.ts';
export * from './provision.ts';
