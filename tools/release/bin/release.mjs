#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npm run release` works from a fresh checkout.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
