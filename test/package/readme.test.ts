// The README, as a user meets it (issue 16): the package is packed and the tarball installed
// into a fresh project (install scripts off; the addon is found through SENTENCEKIT_NATIVE, as
// the prebuilt one would be), then
// - every TypeScript block of README.md is type-checked there with the shipped .d.ts files:
//   strict, skipLibCheck false, module nodenext (ESM, plus a CommonJS file) and bundler, with
//   TypeScript 5 (installed from npm into the project) and TypeScript 7 (this repository's);
//   a misspelt option must fail the same check, so the types are really checked;
// - every TypeScript block runs, Hub ids mapped to the tiny fixtures;
// - every shell line runs (the installed `sentencekit` bin for `npx sentencekit`), except the
//   set-up commands listed below, which CI runs itself;
// - every runtime export of the package is named in the README.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import * as sentencekit from '../../lib/index.js';
import { FIXTURES } from '../helpers/fixtures.js';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
// The addon as lib/binding.ts finds it: a local build, else the prebuilt one (pack.test.ts's
// `npm run build:prebuilds` moves the build's addon into prebuilds/).
const NATIVE = [join(ROOT, 'build', 'Release', 'sentencekit.node'), join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`, 'sentencekit.node')].find((path) => existsSync(path)) ?? join(ROOT, 'build', 'Release', 'sentencekit.node');
const TS5 = '5.9.3';

interface Block { lang: string; code: string; line: number }

function readmeBlocks(): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (let match = fence.exec(README); match !== null; match = fence.exec(README)) {
    blocks.push({ lang: match[1] as string, code: match[2] as string, line: README.slice(0, match.index).split('\n').length });
  }
  return blocks;
}

const BLOCKS = readmeBlocks();
const TS_BLOCKS = BLOCKS.filter((b) => b.lang === 'ts');
const SH_BLOCKS = BLOCKS.filter((b) => b.lang === 'sh');

/** The tiny fixture each Hub id in the README stands for (the CPU engine reads model.safetensors, which only some have). */
function fixtureFor(id: string, cpuEngine: boolean): string {
  const map: Record<string, [string, string]> = {
    'sentence-transformers/all-MiniLM-L6-v2': ['tiny-bert', 'tiny-bert'],
    'cross-encoder/ms-marco-MiniLM-L6-v2': ['tiny-ce-1label', 'int8-engine/tiny-ce-3label'],
    'naver/splade-cocondenser-ensembledistil': ['tiny-splade', 'int8-engine/tiny-splade'],
  };
  const entry = map[id];
  if (entry === undefined) throw new Error(`README uses the Hub id ${id}: map it to a fixture in test/package/readme.test.ts`);
  return join(FIXTURES, cpuEngine ? entry[1] : entry[0]);
}

function mapHubIds(code: string): string {
  const engine = /cpuEngine/.test(code);
  return code.replace(/(['"])([\w.-]+\/[\w.-]+)\1/g, (whole, quote: string, id: string) =>
    /^(sentence-transformers|cross-encoder|naver)\//.test(id) ? JSON.stringify(fixtureFor(id, engine)) : whole);
}

// Shell commands the test does not run itself, and why. Anything else in a ```sh block must run.
const NOT_RUN: Array<[RegExp, string]> = [
  [/^bash scripts\/bootstrap\.sh$/, 'the set-up CI runs first'],
  [/^npm test$/, 'the command that runs this test'],
  [/^npm install sentencekit$/, 'what this test does with the packed tarball'],
  [/^node --import tsx examples\/pgvector\/run\.ts( --wire)?$/, 'the repository\'s pgvector example (not in the package): test/unit/pgvector.test.ts runs its code path both ways'],
  [/^node --import tsx examples\/clip-search\/run\.ts /, 'the repository\'s CLIP search example (not in the package, a folder of photos): test/unit/clip-model.test.ts runs its code on the test images'],
];

// What the README's integration blocks import besides sentencekit (the adapters' optional
// peers), installed into the fresh project at the versions this repository tests with.
const INTEGRATION_PACKAGES = ['@langchain/core', 'ai', '@llamaindex/core', '@electric-sql/pglite', '@electric-sql/pglite-pgvector', 'pgvector'];
const ADAPTERS = ['langchain', 'ai-sdk', 'llamaindex'];

/** A block that imports an adapter or a framework. */
function isIntegration(block: Block): boolean {
  return /from '(sentencekit\/[\w-]+|@langchain\/[\w/-]+|ai|@llamaindex\/[\w/-]+|@electric-sql\/[\w/-]+|pgvector)'/.test(block.code);
}

function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

let work = '';
let app = '';
let env: NodeJS.ProcessEnv = {};
let packedFiles: string[] = [];

function run(command: string, args: string[], cwd: string): { status: number | null; out: string; stdout: string } {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: result.status, out: `${result.stdout ?? ''}${result.stderr ?? ''}`, stdout: result.stdout ?? '' };
}

test.before(() => {
  assert.ok(existsSync(NATIVE), `${NATIVE} is built`);
  execFileSync('npm', ['run', 'build:ts'], { cwd: ROOT, stdio: 'inherit' });
  work = mkdtempSync(join(tmpdir(), 'sentencekit-readme-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--pack-destination', work, '--json'], { cwd: ROOT, encoding: 'utf8' })) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packedFiles = packed[0]!.files.map((f) => f.path);
  app = join(work, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'readme-consumer', version: '1.0.0', private: true, type: 'module' }));
  const typesNode = (JSON.parse(readFileSync(join(ROOT, 'node_modules', '@types', 'node', 'package.json'), 'utf8')) as { version: string }).version;
  env = { ...process.env, SENTENCEKIT_NATIVE: NATIVE, npm_config_prefer_offline: 'true' };
  const install = run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', join(work, packed[0]!.filename), `typescript@${TS5}`, `@types/node@${typesNode}`, ...INTEGRATION_PACKAGES.map((name) => `${name}@${installedVersion(name)}`)], app);
  assert.is(install.status, 0, `npm install failed:\n${install.out}`);
});

test.after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the README has the blocks a user starts from', () => {
  assert.ok(TS_BLOCKS.length >= 6, `${TS_BLOCKS.length} TypeScript blocks`);
  const quickStart = README.indexOf('## Quick start');
  const install = README.indexOf('npm install sentencekit');
  assert.ok(install > 0 && install < quickStart, 'npm install sentencekit comes before the quick start');
  const first = TS_BLOCKS[0] as Block;
  assert.ok(first.line > README.slice(0, quickStart).split('\n').length, 'the first TypeScript block is the quick start');
  assert.ok(first.code.trim().split('\n').length <= 10, 'the quick start is ten lines at most');
  assert.match(first.code, /similarity\(embeddings, embeddings\)/);
});

test('the tarball ships its metadata and no source maps pointing at unshipped sources', () => {
  assert.equal(packedFiles.filter((f) => f.endsWith('.map')), [], 'no .map files');
  assert.ok(packedFiles.includes('dist/cjs/index.d.ts') && packedFiles.includes('dist/esm/index.d.mts'), 'declarations for require and import');
  assert.ok(packedFiles.includes('dist/cjs/cli.js'), 'the bin');
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  for (const key of ['repository', 'homepage', 'bugs', 'license']) assert.ok(manifest[key] !== undefined, `package.json has ${key}`);
});

test('every runtime export is named in the README', () => {
  const missing = Object.keys(sentencekit).filter((name) => name !== 'default' && !name.startsWith('_')).filter((name) => !README.includes(`\`${name}`) && !README.includes(`${name}(`) && !README.includes(`${name}.`));
  assert.equal(missing, [], 'exports the README does not mention');
  for (const name of Object.keys(sentencekit.util)) assert.ok(README.includes(`\`${name}\``), `util.${name} in the README`);
  for (const adapter of ADAPTERS) {
    assert.ok(packedFiles.includes(`dist/esm/${adapter}.mjs`) && packedFiles.includes(`dist/esm/${adapter}.d.mts`) && packedFiles.includes(`dist/cjs/${adapter}.d.ts`), `sentencekit/${adapter} for import and require`);
    const exports = Object.keys(require(join(ROOT, 'dist', 'cjs', `${adapter}.js`)) as object).filter((name) => name !== '__esModule');
    assert.ok(exports.length > 0, `sentencekit/${adapter} exports`);
    assert.equal(exports.filter((name) => !README.includes(name)), [], `sentencekit/${adapter} exports the README does not mention`);
  }
});

test('importing sentencekit loads no framework; each adapter entry loads its own, for import and require', () => {
  const loaded = (code: string, type: 'commonjs' | 'module'): string[] => {
    const file = join(app, type === 'module' ? 'probe.mjs' : 'probe.cjs');
    writeFileSync(file, code);
    const result = run(process.execPath, [file], app);
    assert.is(result.status, 0, result.out);
    // stdout only: Node may warn on stderr (NODE_DISABLE_COLORS beside FORCE_COLOR, which uvu sets).
    return JSON.parse(result.stdout.trim().split('\n').pop() as string) as string[];
  };
  const frameworks = (paths: string[]): string[] => [...new Set(paths.flatMap((path) => /node_modules\/(@langchain\/core|@llamaindex\/core|ai|@ai-sdk\/provider)\//.exec(path)?.[1] ?? []))].sort();
  const cjsProbe = (entry: string) => `require(${JSON.stringify(entry)});\nconsole.log(JSON.stringify(Object.keys(require.cache)));\n`;
  assert.equal(frameworks(loaded(cjsProbe('sentencekit'), 'commonjs')), [], 'require(\'sentencekit\')');
  assert.equal(frameworks(loaded(cjsProbe('sentencekit/langchain'), 'commonjs')), ['@langchain/core']);
  assert.equal(frameworks(loaded(cjsProbe('sentencekit/llamaindex'), 'commonjs')), ['@llamaindex/core']);
  assert.equal(frameworks(loaded(cjsProbe('sentencekit/ai-sdk'), 'commonjs')), [], 'the AI SDK adapter needs no AI SDK package at run time');
  // ESM: the adapters extend the frameworks' ES module classes, the ones an ESM program gets.
  const esm = loaded([
    "import { Embeddings } from '@langchain/core/embeddings';",
    "import { BaseEmbedding } from '@llamaindex/core/embeddings';",
    "import { SentenceTransformer } from 'sentencekit';",
    "import { SentenceKitEmbeddings } from 'sentencekit/langchain';",
    "import { SentenceKitEmbedding } from 'sentencekit/llamaindex';",
    "import { sentencekit } from 'sentencekit/ai-sdk';",
    "const sk = await import('sentencekit');",
    `const model = await SentenceTransformer.fromPretrained(${JSON.stringify(join(FIXTURES, 'tiny-bert'))});`,
    'const checks = [new SentenceKitEmbeddings({ model }) instanceof Embeddings, new SentenceKitEmbedding({ model }) instanceof BaseEmbedding, sentencekit.embeddingModel(model).specificationVersion === \'v3\', sk.SentenceTransformer === SentenceTransformer];',
    'await model.dispose();',
    'console.log(JSON.stringify(checks.map(String)));',
  ].join('\n'), 'module');
  assert.equal(esm, ['true', 'true', 'true', 'true']);
});

test('the README\'s TypeScript type-checks in a fresh project: strict, skipLibCheck false, nodenext and bundler, TypeScript 5 and 7', () => {
  // The integration blocks are checked apart: the frameworks' own declarations need the DOM
  // library and packages they do not install (@types/json-schema, ajv), so there only the
  // frameworks' .d.ts files are not checked themselves (skipLibCheck); the code using them is.
  mkdirSync(join(app, 'src-integrations'), { recursive: true });
  TS_BLOCKS.forEach((block, i) => writeFileSync(join(app, isIntegration(block) ? 'src-integrations' : 'src', `readme-${i + 1}.ts`), `// README.md line ${block.line}\n${block.code}`));
  // CommonJS consumers get the same types through require().
  writeFileSync(join(app, 'src', 'commonjs.cts'), [
    "import sentencekit = require('sentencekit');",
    'export async function embed(texts: string[]): Promise<number[][]> {',
    "  const model = await sentencekit.SentenceTransformer.fromPretrained('sentence-transformers/all-MiniLM-L6-v2');",
    '  const embeddings: sentencekit.Embeddings = await model.encodeQuery(texts);',
    '  return sentencekit.util.cosSim(embeddings, embeddings).toArray();',
    '}',
    '',
  ].join('\n'));
  writeFileSync(join(app, 'src-integrations', 'commonjs.cts'), [
    "import sentencekit = require('sentencekit');",
    "import langchain = require('sentencekit/langchain');",
    "import aiSdk = require('sentencekit/ai-sdk');",
    "import llamaindex = require('sentencekit/llamaindex');",
    'export async function adapters(model: sentencekit.SentenceTransformer): Promise<[number, string, number]> {',
    '  const query: number[] = await new langchain.SentenceKitEmbeddings({ model }).embedQuery(\'hello\');',
    '  return [query.length, aiSdk.sentencekit.embeddingModel(model).specificationVersion, new llamaindex.SentenceKitEmbedding({ model }).embedBatchSize];',
    '}',
    '',
  ].join('\n'));
  const base = { target: 'ES2022', lib: ['ES2022'], types: ['node'], strict: true, skipLibCheck: false, noEmit: true };
  const integrations = { ...base, lib: ['ES2022', 'DOM'], skipLibCheck: true };
  writeFileSync(join(app, 'tsconfig.nodenext.json'), JSON.stringify({ compilerOptions: { ...base, module: 'nodenext', moduleResolution: 'nodenext' }, include: ['src/*.ts', 'src/*.cts'] }));
  writeFileSync(join(app, 'tsconfig.bundler.json'), JSON.stringify({ compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler' }, include: ['src/*.ts'] }));
  writeFileSync(join(app, 'tsconfig.integrations-nodenext.json'), JSON.stringify({ compilerOptions: { ...integrations, module: 'nodenext', moduleResolution: 'nodenext' }, include: ['src-integrations/*.ts', 'src-integrations/*.cts'] }));
  writeFileSync(join(app, 'tsconfig.integrations-bundler.json'), JSON.stringify({ compilerOptions: { ...integrations, module: 'esnext', moduleResolution: 'bundler' }, include: ['src-integrations/*.ts'] }));
  const compilers: Array<[string, string]> = [
    [`TypeScript ${TS5}`, join(app, 'node_modules', 'typescript', 'bin', 'tsc')],
    ['TypeScript 7', join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')],
  ];
  for (const [name, tsc] of compilers) {
    const version = run(process.execPath, [tsc, '--version'], app).out.trim();
    for (const mode of ['nodenext', 'bundler', 'integrations-nodenext', 'integrations-bundler']) {
      const check = run(process.execPath, [tsc, '-p', `tsconfig.${mode}.json`, '--listFilesOnly'], app);
      const files = check.out.split('\n').filter((f) => f.includes('node_modules/sentencekit/'));
      // --listFilesOnly lists without checking: the check itself is the run below.
      const result = run(process.execPath, [tsc, '-p', `tsconfig.${mode}.json`], app);
      const integration = mode.startsWith('integrations');
      const blocks = TS_BLOCKS.filter((block) => isIntegration(block) === integration).length;
      console.log(`# ${name} (${version}), module ${mode}, strict, skipLibCheck ${integration ? 'true (the frameworks\' .d.ts), lib DOM' : 'false'}: exit ${result.status}, ` +
        `${blocks} README blocks + ${files.length} sentencekit .d.ts files${result.out.trim() ? `\n${result.out.trim()}` : ''}`);
      assert.is(result.status, 0, `${name} ${mode}:\n${result.out}`);
      assert.ok(files.some((f) => f.endsWith('.d.ts') || f.endsWith('.d.mts')), `${name} ${mode} read the shipped declarations`);
    }
  }
  // The same check fails on a misspelt option, so it does check against the shipped types.
  writeFileSync(join(app, 'src', 'misspelt.ts'), "import { SentenceTransformer } from 'sentencekit';\nconst model = await SentenceTransformer.fromPretrained('m');\nawait model.encode('x', { normalize: true });\n");
  const bad = run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.nodenext.json'], app);
  rmSync(join(app, 'src', 'misspelt.ts'));
  assert.is.not(bad.status, 0);
  assert.match(bad.out, /'normalize' does not exist in type/);
});

test('every TypeScript block runs against the tiny fixtures', () => {
  const runDir = join(app, 'run');
  mkdirSync(runDir, { recursive: true });
  TS_BLOCKS.forEach((block, i) => writeFileSync(join(runDir, `readme-${i + 1}.ts`), mapHubIds(block.code)));
  writeFileSync(join(app, 'tsconfig.run.json'), JSON.stringify({
    // Compiled to run, not to check (the check is the test above): the frameworks' .d.ts need DOM.
    compilerOptions: { target: 'ES2022', lib: ['ES2022', 'DOM'], types: ['node'], strict: true, skipLibCheck: true, module: 'nodenext', moduleResolution: 'nodenext', outDir: 'run-out', rootDir: 'run' },
    include: ['run/*.ts'],
  }));
  const compile = run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.run.json'], app);
  assert.is(compile.status, 0, compile.out);
  TS_BLOCKS.forEach((block, i) => {
    const result = run(process.execPath, [join(app, 'run-out', `readme-${i + 1}.js`)], app);
    assert.is(result.status, 0, `README.md block at line ${block.line} failed:\n${result.out}`);
  });
});

test('every shell line runs, or is a set-up step CI runs itself', () => {
  const bin = join(app, 'node_modules', '.bin', 'sentencekit');
  let ran = 0;
  for (const block of SH_BLOCKS) {
    for (const raw of block.code.split('\n')) {
      const line = raw.replace(/\s+#\s.*$/, '').trim();
      if (line === '') continue;
      for (const command of line.split(/\s+&&\s+/)) {
        if (NOT_RUN.some(([pattern]) => pattern.test(command))) continue;
        if (command === 'npm run demo') {
          const demo = run('npm', ['run', 'demo'], ROOT);
          assert.is(demo.status, 0, demo.out);
          assert.match(demo.out, /"embedding":\[/);
        } else if (command.startsWith('npx sentencekit')) {
          const mapped = mapHubIds(command.replace(/(--model\s+)([\w.-]+\/[\w.-]+)/, "$1'$2'")).replace(/^npx sentencekit/, JSON.stringify(bin));
          const result = run('sh', ['-c', mapped], app);
          assert.is(result.status, 0, `${command}:\n${result.out}`);
          assert.ok(/^\{"text"/m.test(result.out) || /^usage: sentencekit/m.test(result.out), `${command} printed results:\n${result.out}`);
        } else {
          assert.unreachable(`README.md line ${block.line}: the shell command "${command}" is neither run here nor listed in NOT_RUN`);
        }
        ran += 1;
      }
    }
  }
  assert.ok(ran >= 5, `${ran} shell commands ran`);
});

test('the JSDoc examples call only functions that exist', () => {
  // `Class.method(` and `util.fn(` in @example blocks must name real statics and functions
  // (a `SentenceTransformer.load` example once named one that did not).
  const sources = execFileSync('git', ['ls-files', 'lib/*.ts'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n');
  const exported = sentencekit as unknown as Record<string, Record<string, unknown>>;
  for (const file of sources) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const example of text.matchAll(/@example\n([\s\S]*?)(?=\n\s*\*\/|\n\s*\* @)/g)) {
      for (const [, owner, member] of (example[1] as string).matchAll(/\b([A-Z]\w+|util)\.(\w+)\(/g)) {
        if (!(owner as string in exported)) continue;
        assert.is(typeof exported[owner as string]?.[member as string], 'function', `${file}: ${owner}.${member}() in an @example`);
      }
    }
  }
});

test.run();
