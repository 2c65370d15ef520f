export * from './acquiring-sim.ts';
