/**
 * Starts a throwaway PostgreSQL for the `.pg.test.ts` suites, unless PAYDESK_TEST_PG_URL points at
 * one already (CI may start its own). Tests get the URL through vitest's inject('pgUrl'). Finds the
 * Chromium of the browser tests once (unpacking npm's when the system has none), so workers share it.
 * Both come from the system when it has them and from npm otherwise (tools/testkit/src/provision.ts).
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { findPostgresBin, startTempPostgres, type TempPostgres } from './tools/testkit/src/postgres.ts';
import { findChromium } from './tools/testkit/src/provision.ts';

let pg: TempPostgres | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
  }
}

/** The browser tests run against the built UIs: build them from the current sources first. */
function buildUis(): void {
  execFileSync('npm', ['run', 'build', '--workspaces', '--if-present'], { stdio: 'inherit' });
}

export async function setup(project: TestProject): Promise<void> {
  buildUis();
  process.env['PAYDESK_CHROMIUM'] = await findChromium();
  const given = process.env['PAYDESK_TEST_PG_URL'];
  if (given) {
    project.provide('pgUrl', given);
    return;
  }
  if (!findPostgresBin()) {
    project.provide('pgUrl', null);
    return;
  }
  pg = await startTempPostgres({ fsync: false });
  project.provide('pgUrl', pg.url);
}

export function teardown(): void {
  pg?.stop();
}
