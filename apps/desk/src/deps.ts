/** Everything the desk's use cases work with, built once by the desk's composition (desk.ts). */
import type { EnrollPin } from './features/settings/enroll-pin.ts';
import type { Logger } from 'pino';
import type { FiscalRegister, VirtualRegister } from '@paydesk/fiscal';
import type { JournalDb } from './db/journal-db.ts';
import type { Clock } from './clock.ts';
import type { DeskSettings } from './desk-settings.ts';
import type { IdentityStore } from './identity.ts';
import type { AccountStore } from './features/accounts/account-store.ts';
import type { EventHub } from './features/events/event-hub.ts';
import type { FiscalRunner } from './features/fiscal/fiscal-runner.ts';
import type { Journal } from './features/journal/journal.ts';
import type { ServerClient } from './features/sync/server-client.ts';
import type { SyncWorker } from './features/sync/sync-worker.ts';
import type { RegisterStatusCache } from './features/register/register-status.ts';
import type { CardCharges, TerminalHolder } from './features/card/card-charges.ts';

export interface RegisterHolder {
  current: FiscalRegister;
  /** The virtual register, when that is the driver: its tape and test controls. */
  virtual: VirtualRegister | null;
  describe: { driver: 'virtual' | 'atol' | 'kkmserver'; url?: string };
}

export interface DeskDeps {
  db: JournalDb;
  dataDir: string;
  clock: Clock;
  log: Logger;
  journal: Journal;
  runner: FiscalRunner;
  accounts: AccountStore;
  settings: DeskSettings;
  identity: IdentityStore;
  client: ServerClient;
  sync: SyncWorker;
  events: EventHub;
  register: RegisterHolder;
  registerStatus: RegisterStatusCache;
  /** The bank's card terminal, and the journal of what was sent to it. */
  terminal: TerminalHolder;
  cards: CardCharges;
  /** The one-time code a first enrolment needs (features/settings/enroll-pin.ts). */
  enrollPin: EnrollPin;
}
