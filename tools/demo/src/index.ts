/** What other tools (the chaos harness, benchmarks) reuse of the demo: its API client, its town and seeding. */
export { Api, DEMO_PASSWORD, ORG, seed } from './seed.ts';
export { buildTown, PROVIDERS, SERVICES, type Town } from './town.ts';
