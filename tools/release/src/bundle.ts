/**
 * An app's TypeScript and the workspace packages it uses, compiled into one JavaScript module with
 * esbuild. Every third-party package stays outside and is shipped as npm installed it (their own data
 * files — fonts, PGlite's WebAssembly, Swagger UI's pages — are found where they expect them).
 */
import { build, type Plugin } from 'esbuild';
import { isHoisted, packageName } from './closure.ts';

/**
 * A bare import of a package npm hoisted into the shared node_modules stays an import, resolved at run
 * time from the archive's node_modules. Ours (@paydesk/…) and versions npm had to keep in a workspace's
 * own node_modules (uuid 14 beside exceljs's uuid 8: the archive has one node_modules) are bundled.
 */
const thirdPartyExternal = (root: string): Plugin => ({
  name: 'third-party-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@paydesk/') || args.path.startsWith('node:')) return undefined;
      if (!isHoisted(root, packageName(args.path), args.resolveDir)) return undefined;
      return { path: args.path, external: true };
    });
  },
});

export async function bundleApp(root: string, entry: string, outfile: string): Promise<void> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [thirdPartyExternal(root)],
  });
  if (result.errors.length > 0) throw new Error(`esbuild: ${result.errors.map((e) => e.text).join('; ')}`);
}
