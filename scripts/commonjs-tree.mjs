// A CommonJS copy of the TypeScript sources for runtimes that cannot load them as they are:
// lib/ and test/ are written out as .js (esbuild, one file at a time, so every module keeps its
// own file and __dirname), everything else is a symlink to the checkout. Deno runs TypeScript
// itself, but as ES modules, where lib/'s __dirname and require do not exist; these files are
// what tsx gives node (`-r tsx/cjs`), made ahead of time. Used by scripts/run-tests.mjs.
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const TRANSPILED = ['lib', 'test'];
// Folders inside lib/ and test/ that hold no TypeScript to run: linked, not walked.
const LINKED = new Set(['fixtures', 'node_modules', 'native', 'cuda', 'reference', 'fuzz', 'sanitize']);

/** Writes the tree for the checkout at `root` into `out` (emptied first); returns `out`. */
export function writeCommonJsTree(root, out) {
  const esbuild = createRequire(join(root, 'package.json'))('esbuild');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const walk = (from, to) => {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const source = join(from, entry.name);
      const target = join(to, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith('.') && !LINKED.has(entry.name)) walk(source, target);
      else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const { code } = esbuild.transformSync(readFileSync(source, 'utf8'), {
          loader: 'ts', format: 'cjs', platform: 'node', target: 'node18', sourcefile: source, sourcemap: 'inline',
        });
        writeFileSync(target.replace(/\.ts$/, '.js'), code);
      } else symlinkSync(source, target);
    }
  };
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.name === '.git') continue;
    // Deno reads a .js file as CommonJS only where the nearest package.json says so.
    if (entry.name === 'package.json') {
      const manifest = JSON.parse(readFileSync(join(root, entry.name), 'utf8'));
      writeFileSync(join(out, entry.name), JSON.stringify({ ...manifest, type: 'commonjs' }, null, 2));
      continue;
    }
    if (TRANSPILED.includes(entry.name) && entry.isDirectory()) walk(join(root, entry.name), join(out, entry.name));
    else symlinkSync(join(root, entry.name), join(out, entry.name));
  }
  return out;
}
