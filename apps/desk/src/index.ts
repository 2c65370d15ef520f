/** What other packages (the demo launcher, tools) use of the desk: starting one and enrolling it. */
export { startDesk, type DeskOptions, type RunningDesk } from './desk.ts';
export { enrollWithServer, IdentityStore } from './identity.ts';
export { openJournal } from './db/journal-db.ts';
export { houseKey, houseWithBuilding, ownerKey, streetKey } from './features/accounts/search-keys.ts';
