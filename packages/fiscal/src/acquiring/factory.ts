/** Builds the card terminal the desk's settings choose. */
import { KkmTerminal } from './kkm-terminal.ts';
import type { AcquiringTerminal } from './port.ts';
import { VirtualTerminal, type VirtualTerminalOptions } from './virtual-terminal.ts';

/**
 * `standalone`: the terminal is not connected to the desk; the cashier types the approval code and RRN
 * from its slip, and the desk records them (no terminal object).
 */
export type TerminalSettings =
  | { driver: 'none' }
  | { driver: 'standalone' }
  | ({ driver: 'virtual' } & VirtualTerminalOptions)
  | { driver: 'kkmserver'; url: string; user?: string; password?: string; numDevice?: number; answerWithinMs?: number };

export function createTerminal(settings: TerminalSettings): AcquiringTerminal | null {
  switch (settings.driver) {
    case 'none':
    case 'standalone':
      return null;
    case 'virtual':
      return new VirtualTerminal(settings);
    case 'kkmserver':
      return new KkmTerminal(settings);
  }
}
