export { startAtolSimulator, type AtolSimulator, type AtolSimulatorOptions } from './atol-simulator.ts';
export { startKkmSimulator, type KkmSimulator } from './kkm-simulator.ts';
