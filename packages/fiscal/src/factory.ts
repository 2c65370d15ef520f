/** Builds the register the desk's settings choose: the virtual one by default, ATOL or KKMServer. */
import { AtolRegister } from './atol/atol-register.ts';
import { KkmServerRegister } from './kkmserver/kkm-register.ts';
import type { FiscalRegister } from './port.ts';
import { VirtualRegister, type VirtualRegisterOptions } from './virtual/virtual-register.ts';

export type RegisterSettings =
  | ({ driver: 'virtual' } & VirtualRegisterOptions)
  | { driver: 'atol'; url: string; user?: string; password?: string; deviceId?: string }
  | { driver: 'kkmserver'; url: string; user?: string; password?: string; numDevice?: number };

/** `warn`: where a driver reports what it corrected (a device's odd sum rounded to the kopeck). */
export function createRegister(settings: RegisterSettings, warn?: (message: string) => void): FiscalRegister {
  switch (settings.driver) {
    case 'virtual':
      return new VirtualRegister(settings);
    case 'atol':
      return new AtolRegister({ ...settings, ...(warn ? { warn } : {}) });
    case 'kkmserver':
      return new KkmServerRegister({ ...settings, ...(warn ? { warn } : {}) });
  }
}
