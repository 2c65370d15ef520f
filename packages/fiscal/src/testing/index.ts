export { startAtolSimulator, type AtolSimulator, type AtolSimulatorOptions } from './atol-simulator.ts';
export { startKkmSimulator, type KkmSimulator, type KkmSimulatorOptions, type SimDeviceOptions } from './kkm-simulator.ts';
export { startJsonServer, type JsonServer, type JsonHandler } from './http-server.ts';
