/** Builds the register the desk's settings choose: the virtual one by default, ATOL or KKMServer. */
import { AtolRegister } from './atol/atol-register.ts';
import { KkmServerRegister } from './kkmserver/kkm-register.ts';
import type { FiscalRegister } from './port.ts';
import { VirtualRegister, type VirtualRegisterOptions } from './virtual/virtual-register.ts';

export type RegisterSettings =
  | ({ driver: 'virtual' } & VirtualRegisterOptions)
  | { driver: 'atol'; url: string; user?: string; password?: string; deviceId?: string }
  | { driver: 'kkmserver'; url: string; user?: string; password?: string; numDevice?: number };

export function createRegister(settings: RegisterSettings): FiscalRegister {
  switch (settings.driver) {
    case 'virtual':
      return new VirtualRegister(settings);
    case 'atol':
      return new AtolRegister(settings);
    case 'kkmserver':
      return new KkmServerRegister(settings);
  }
}
