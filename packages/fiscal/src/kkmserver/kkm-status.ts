/**
 * What the driver knows of the register's state between reads. GetDataKKT costs a slot in KKMServer's
 * 100-command memory, so its answer is kept and brought up to date from the answers of the driver's own
 * commands (a receipt moves the document number and the drawer, a shift command brings a fresh Info);
 * anything unclear throws it away. `List` is free and says whether the device is there at all.
 */
import type { RegisterStatus } from '../port.ts';
import { isoOfKkmTime, rubToKop, type KkmAnswer } from './kkm-mapping.ts';

export interface KktSnapshot {
  /** When GetDataKKT (or a shift command's Info) was read, for the maximum age. */
  readAt: number;
  sessionState: number;
  sessionNumber: number | null;
  lastDocumentNumber: number;
  /** Null when the device's driver does not know the drawer (`BalanceCash: -1`). */
  drawerKop: number | null;
  paperOver: boolean;
  serialNumber: string;
  fnNumber: string;
  fnValidUntil: string | null;
  unsentCount: number;
  oldestUnsentAt: string | null;
  registrationNumber: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** BalanceCash: -1 (KKMServer's default) or any negative is "unknown", not a sum. */
function drawerOf(balance: unknown, warn: (m: string) => void): number | null {
  if (typeof balance !== 'number' || balance < 0) return null;
  return rubToKop(balance, 'BalanceCash', warn);
}

/** A snapshot from an answer carrying Info (GetDataKKT, OpenShift, CloseShift); zero fields come omitted. */
export function snapshotOf(a: KkmAnswer, warn: (m: string) => void): KktSnapshot | null {
  const info = a.Info;
  if (!info) return null;
  const unsent = Number(info['OFD_NumErrorDoc'] ?? 0) || 0;
  return {
    readAt: Date.now(),
    sessionState: Number(info['SessionState'] ?? 1) || 1,
    sessionNumber: typeof a.SessionNumber === 'number' && a.SessionNumber > 0 ? a.SessionNumber : null,
    lastDocumentNumber: typeof a.CheckNumber === 'number' ? a.CheckNumber : 0,
    drawerKop: drawerOf(info['BalanceCash'], warn),
    paperOver: info['PaperOver'] === true,
    serialNumber: str(info['KktNumber']),
    fnNumber: str(info['FnNumber']),
    fnValidUntil: isoOfKkmTime(info['FN_DateEnd'])?.slice(0, 10) ?? null,
    unsentCount: unsent,
    oldestUnsentAt: unsent > 0 ? isoOfKkmTime(info['OFD_DateErrorDoc']) : null,
    registrationNumber: str(info['RegNumber']),
  };
}

export function disconnectedStatus(model = ''): RegisterStatus {
  return {
    driver: 'kkmserver',
    connected: false,
    model,
    serialNumber: '',
    shift: { state: 'closed', number: null, openedAt: null, expiresAt: null },
    paperPresent: false,
    coverOpen: false,
    receiptOpen: false,
    drawerKop: null,
    fn: { number: '', validUntil: null, warnings: [] },
    ofd: { unsentCount: 0, oldestUnsentAt: null },
    lastDocumentNumber: null,
  };
}

export function statusOf(s: KktSnapshot, listRow: Record<string, unknown>): RegisterStatus {
  return {
    driver: 'kkmserver',
    connected: true,
    model: str(listRow['NameDevice']) || 'ККТ через KKMServer',
    serialNumber: s.serialNumber || str(listRow['KktNumber']),
    shift: {
      state: s.sessionState === 2 ? 'open' : s.sessionState === 3 ? 'expired' : 'closed',
      number: s.sessionNumber,
      openedAt: null,
      expiresAt: null,
    },
    paperPresent: !s.paperOver,
    // KKMServer reports neither; a receipt left open is cancelled by KKMServer itself.
    coverOpen: false,
    receiptOpen: false,
    drawerKop: s.drawerKop,
    fn: { number: s.fnNumber || str(listRow['FnNumber']), validUntil: s.fnValidUntil, warnings: [] },
    ofd: { unsentCount: s.unsentCount, oldestUnsentAt: s.oldestUnsentAt },
    lastDocumentNumber: s.lastDocumentNumber > 0 ? s.lastDocumentNumber : null,
  };
}
