// The other JavaScript runtimes that load N-API addons, for the test runner's `runtimes` suite:
// Bun and Deno, from their npm packages (devDependencies, pinned). The suite runs the README's
// quick start under node, Bun and Deno and requires the same output from each, and runs each
// unit test file under Bun and Deno, counted as under node.
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCommonJsTree } from './commonjs-tree.mjs';

/**
 * The unit files run under Bun and Deno: a named subset, since the whole unit suite under each
 * of them would add several times the few minutes CI gives this suite. It covers encode and tokenize, similarity,
 * search, concurrent calls, the model classes (CrossEncoder, SparseEncoder), the CPU engines
 * (int8 and bf16x3, and their options) and quantization. SENTENCEKIT_RUNTIMES_ALL=1 runs every
 * unit file but those in NOT_RUN.
 */
export const UNIT_FILES = [
  'sentence-transformer.test.ts',
  'tokenize.test.ts',
  'similarity.test.ts',
  'search.test.ts',
  'concurrency.test.ts',
  'model-class.test.ts',
  'options.test.ts',
  'quantization.test.ts',
];

/** Unit files a runtime cannot run, each for a reason outside sentencekit's code. */
export const NOT_RUN = {
  'cli.test.ts': 'starts the CLI as `process.execPath --import tsx`, a node flag with a node loader',
  'cli-stream.test.ts': 'compiles the CLI with tsc through process.execPath and times node starting it',
};

/**
 * How each runtime runs a unit file: Bun runs the TypeScript as it is; Deno runs it as ES
 * modules, where lib/'s __dirname and require do not exist, so it runs a CommonJS copy
 * (scripts/commonjs-tree.mjs) with `deno run -A`, whose node compatibility loads the addon.
 */
export function runtimes(root) {
  return [
    {
      name: 'bun',
      binary: join(root, 'node_modules', '@oven', 'bun-linux-x64', 'bin', 'bun'),
      prepare: () => {},
      unitArgs: (file) => [join(root, 'test', 'unit', file)],
      scriptArgs: (script) => [script],
    },
    {
      name: 'deno',
      binary: join(root, 'node_modules', '@deno', 'linux-x64-glibc', 'deno'),
      tree: join(tmpdir(), `sentencekit-deno-${process.pid}`),
      prepare() {
        writeCommonJsTree(root, this.tree);
      },
      unitArgs(file) {
        return ['run', '-A', join(this.tree, 'test', 'unit', file.replace(/\.ts$/, '.js'))];
      },
      scriptArgs: (script) => ['run', '-A', script],
      cleanup() {
        rmSync(this.tree, { recursive: true, force: true });
      },
    },
  ];
}

/**
 * The README's quick start as a program of its own, in a folder where `sentencekit` resolves to
 * this checkout (its built dist/, as an installed package would be), with the fixture model in
 * place of the Hub id (there is no network in the tests). Returns the program's path.
 */
export function writeQuickStart(root) {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('## Quick start');
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  if (start < 0 || !block) throw new Error('runtimes: no TypeScript block after "## Quick start" in README.md');
  const code = block[1].replace(/'sentence-transformers\/all-MiniLM-L6-v2'/g, JSON.stringify(join(root, 'test', 'fixtures', 'tiny-bert')));
  const app = join(tmpdir(), `sentencekit-quick-start-${process.pid}`);
  rmSync(app, { recursive: true, force: true });
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  symlinkSync(root, join(app, 'node_modules', 'sentencekit'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'quick-start', private: true, type: 'module' }));
  // The quick start has no type annotations, so it runs as .mjs. Each runtime formats
  // console.log its own way: the values are printed as JSON, to compare exactly.
  const asJson = 'const console = { log: (...values) => globalThis.console.log(JSON.stringify(values)) };\n';
  writeFileSync(join(app, 'quick-start.mjs'), asJson + code);
  return join(app, 'quick-start.mjs');
}
