export { Database, type DatabaseOptions, type RunResult, type Statement } from './database.ts';
export { cacheStatements } from './statement-cache.ts';
