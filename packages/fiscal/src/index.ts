export * from './port.ts';
export * from './factory.ts';
export { VirtualRegister, type VirtualFault, type VirtualRegisterOptions, type TapeDocument } from './virtual/virtual-register.ts';
export { AtolRegister, type AtolOptions } from './atol/atol-register.ts';
export { KkmServerRegister, type KkmServerOptions } from './kkmserver/kkm-register.ts';
export { receiptTask } from './atol/atol-mapping.ts';
export { registerCheckCommand } from './kkmserver/kkm-mapping.ts';
export { TAPE_WIDTH, formatLocal } from './virtual/tape.ts';
