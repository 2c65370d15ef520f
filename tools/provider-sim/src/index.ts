export * from './provider-sim.ts';
export { DEMO_CONFIG } from './default-config.ts';
