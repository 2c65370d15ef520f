#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, as bench.mjs does.
import { register } from 'tsx/esm/api';

register();
await import('../src/profile-payments.ts');
