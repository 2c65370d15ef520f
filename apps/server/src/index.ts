export { buildApp } from './app.ts';
export { startServer } from './server.ts';
export { loadConfig } from './config.ts';
