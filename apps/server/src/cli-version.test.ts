/** Issue 20 item 4: `paydesk-server --version` says which version runs, as a technician upgrading asks. */
import { describe, expect, it } from 'vitest';
import { startProcess } from '@paydesk/testkit';
import pkg from '../package.json' with { type: 'json' };

const bin = new URL('../bin/paydesk-server.mjs', import.meta.url).pathname;

describe('paydesk-server --version', () => {
  it('prints the package version, the schema and the protocol it speaks', async () => {
    const p = startProcess(process.execPath, [bin, '--version']);
    expect(await p.exited).toBe(0);
    expect(p.output()).toMatch(
      new RegExp(`^paydesk-server ${pkg.version.replace(/\./g, '\\.')} \\(схема \\d+, протокол касс \\d+(–\\d+)?\\)`, 'm'),
    );
  }, 30_000);
});
