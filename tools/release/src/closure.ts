/**
 * The third-party packages an app needs at run time, as npm laid them out in this checkout: the app's
 * and its workspace packages' `dependencies`, then theirs, resolved the way Node resolves them (the
 * nearest `node_modules` up from the package that asks). Copying each to the same place under the
 * archive's `node_modules` reproduces the resolution Node will do there.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  os?: string[];
  cpu?: string[];
}

export interface Needed {
  /** The path under node_modules, e.g. `fastify` or `a/node_modules/b`. */
  at: string;
  dir: string;
  pkg: PackageJson;
}

/** An optional dependency npm did not install here (another platform's build). */
export interface Missing {
  name: string;
  /** Where it goes under node_modules: beside the package that wants it, as npm would put it. */
  at: string;
  wantedBy: string;
}

export const readPackage = (dir: string): PackageJson => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;

export function resolveFrom(name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * `root` is the checkout (its node_modules holds everything); `app` the app's folder. Workspace
 * packages are bundled into the app's JavaScript, so only what they depend on is followed. `skip`
 * names packages the built app does not need (tsx, which runs TypeScript in a checkout).
 */
export function runtimeClosure(root: string, app: string, skip: readonly string[]): { needed: Needed[]; missing: Missing[] } {
  const modules = join(root, 'node_modules');
  const needed = new Map<string, Needed>();
  const missing = new Map<string, Missing>();
  const seenWorkspaces = new Set<string>();
  const visit = (dir: string): void => {
    const pkg = readPackage(dir);
    const optionalPeers = Object.entries(pkg.peerDependenciesMeta ?? {})
      .filter(([, m]) => m.optional)
      .map(([n]) => n);
    const wants = [
      ...Object.keys(pkg.dependencies ?? {}).map((name) => ({ name, optional: false })),
      ...Object.keys(pkg.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
      ...Object.keys(pkg.peerDependencies ?? {}).map((name) => ({ name, optional: optionalPeers.includes(name) })),
    ];
    for (const { name, optional } of wants) {
      if (skip.includes(name)) continue;
      const found = resolveFrom(name, dir);
      if (!found) {
        if (!optional) throw new Error(`${pkg.name} needs ${name}, which is not installed: run npm ci first`);
        if (Object.hasOwn(pkg.optionalDependencies ?? {}, name)) {
          const owner = relative(modules, dir);
          const at = owner.startsWith('..') ? name : join(owner, 'node_modules', name).split(sep).join('/');
          missing.set(at, { name, at, wantedBy: pkg.name });
        }
        continue;
      }
      const real = realpathSync(found);
      if (!real.startsWith(modules + sep)) {
        // A workspace package, or a version npm kept in a workspace's own node_modules because it
        // differs from the hoisted one: bundled (bundle.ts); what it needs is followed from its folder.
        if (!seenWorkspaces.has(real)) {
          seenWorkspaces.add(real);
          visit(real);
        }
        continue;
      }
      const at = relative(modules, found).split(sep).join('/');
      if (needed.has(at)) continue;
      needed.set(at, { at, dir: found, pkg: readPackage(found) });
      visit(found);
    }
  };
  visit(app);
  return { needed: [...needed.values()].sort((a, b) => a.at.localeCompare(b.at)), missing: [...missing.values()] };
}

/** Whether a package's `os`/`cpu` allow the target (npm's rule: a `!` excludes, a list includes). */
/** The package a bare import names: `a` of `a/b`, `@s/a` of `@s/a/b`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/** Whether npm installed the package `fromDir` would import in the checkout's shared node_modules. */
export function isHoisted(root: string, name: string, fromDir: string): boolean {
  const found = resolveFrom(name, fromDir);
  return found !== null && realpathSync(found).startsWith(join(root, 'node_modules') + sep);
}

export function fitsPlatform(pkg: PackageJson, os: string, cpu: string): boolean {
  const allows = (list: string[] | undefined, value: string): boolean => {
    if (!list || list.length === 0) return true;
    if (list.includes(`!${value}`)) return false;
    const positives = list.filter((x) => !x.startsWith('!'));
    return positives.length === 0 || positives.includes(value);
  };
  return allows(pkg.os, os) && allows(pkg.cpu, cpu);
}
