// The published packages install and run the quick start with install scripts disabled and no
// compiler: `scripts/pack-all.mjs` packs the main package and every built platform package,
// the main tarball and this machine's platform tarball are installed into an empty project with
// `--ignore-scripts` and a PATH that holds only node and npm, and the quick start runs there.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { runtimePlatform } from '../../lib/platform-package.js';
import { TINY_BERT, tinyBertReference } from '../helpers/fixtures.js';

const ROOT = join(__dirname, '..', '..');
const PLATFORM = runtimePlatform();
const PLATFORM_ADDON = join(ROOT, 'packages', PLATFORM, 'sentencekit.node');
const NPM_CLI = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
const MAX_PACKED_BYTES = 25e6; // issue 17: linux-x64-gnu at most 25 MB packed

/** The newest modification time of any file below `dir`. */
function newest(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((path) => statSync(join(dir, path)))
    .filter((info) => info.isFile())
    .reduce((latest, info) => Math.max(latest, info.mtimeMs), 0);
}

/**
 * This machine's platform package, from the current sources: a cross build (npm run prebuild --
 * <platform>) when one is newer than native/, else laid out from the native build that the
 * native suite uses (the packaging is what this tests; check-binary.mjs checks cross builds).
 */
function ensureBuilt(): void {
  if (!existsSync(PLATFORM_ADDON) || statSync(PLATFORM_ADDON).mtimeMs < newest(join(ROOT, 'native'))) {
    execFileSync(process.execPath, ['--input-type=module', '-e',
      `const { layOutFromNativeBuild } = await import(${JSON.stringify(join(ROOT, 'scripts', 'prebuild.mjs'))});
       const { platformByName } = await import(${JSON.stringify(join(ROOT, 'scripts', 'platforms.mjs'))});
       layOutFromNativeBuild(platformByName(${JSON.stringify(PLATFORM)}));`], { cwd: ROOT, stdio: 'inherit' });
  }
}

/** A bin folder with only `node`, `npm` and `sh` (npm runs scripts through it): no cc, c++, g++, cmake, make or python. */
function bareBin(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync('/bin/sh', join(bin, 'sh'));
  writeFileSync(join(bin, 'npm'), `#!/bin/sh\nexec "${process.execPath}" "${NPM_CLI}" "$@"\n`, { mode: 0o755 });
  return bin;
}

interface Packed { name: string; file: string; packed: number; unpacked: number }

let work = '';
let tarballs: string[] = [];
let bareEnv: NodeJS.ProcessEnv = {};

test.after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('pack:all → install main + platform package with --ignore-scripts, no compiler → quick start (CJS and ESM)', () => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'sentencekit-pack-'));
  const out = join(work, 'packs');
  const listing = execFileSync(process.execPath, [join(ROOT, 'scripts', 'pack-all.mjs'), '--out', out, '--json'], { cwd: ROOT, encoding: 'utf8' });
  const packed = JSON.parse(listing.slice(listing.indexOf('['))) as Packed[];
  const main = packed.find((p) => p.name === 'sentencekit');
  const platform = packed.find((p) => p.name === `@sentencekit/${PLATFORM}`);
  assert.ok(main && platform, `pack-all packed ${packed.map((p) => p.name).join(', ')}`);
  if (PLATFORM === 'linux-x64-gnu') assert.ok(platform.packed <= MAX_PACKED_BYTES, `linux-x64-gnu packs to ${platform.packed} bytes`);

  const mainJson = JSON.parse(readFileSync(join(out, 'stage', 'sentencekit', 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  assert.is(mainJson.scripts, undefined, 'the main package has no install script');
  assert.is(mainJson.optionalDependencies?.[`@sentencekit/${PLATFORM}`], mainJson.version as unknown as string);
  const platformJson = JSON.parse(readFileSync(join(ROOT, 'packages', PLATFORM, 'package.json'), 'utf8')) as { os: string[]; cpu: string[]; libc?: string[]; scripts?: unknown };
  assert.equal([platformJson.os, platformJson.cpu], [[process.platform], [process.arch]]);
  assert.is(platformJson.scripts, undefined, 'the platform package has no install script');
  const mainFiles = execFileSync('tar', ['-tzf', main.file], { encoding: 'utf8' }).split('\n');
  assert.not.ok(mainFiles.some((f) => f.endsWith('.node') || f.startsWith('package/native/') || f.startsWith('package/test/')), 'no addon, sources or tests in the main tarball');
  const platformFiles = execFileSync('tar', ['-tzf', platform.file], { encoding: 'utf8' }).split('\n');
  assert.ok(platformFiles.includes('package/sentencekit.node'), 'the platform tarball has the addon');
  assert.ok(platformFiles.includes('package/libonnxruntime.so.1') || !PLATFORM.endsWith('-gnu'), 'the gnu tarball has ONNX Runtime');
  assert.not.ok(platformFiles.some((f) => f.includes('libsentencekit_cuda')), 'the CUDA engine is in its own package');
  tarballs = [main.file, platform.file];

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  // This machine's global npm configuration (its registry, proxy and CA settings) stays in force:
  // npm looks for it under --prefix, so the Dockerfile's `--global --prefix` install below would
  // otherwise lose it and spend minutes retrying the registry for the unpublished platform packages.
  const globalConfig = execFileSync(process.execPath, [NPM_CLI, 'config', 'get', 'globalconfig'], { encoding: 'utf8' }).trim();
  const env = {
    HOME: work,
    PATH: bareBin(work),
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_prefer_offline: 'true',
    npm_config_globalconfig: globalConfig,
  };
  bareEnv = env;
  for (const tool of ['cc', 'gcc', 'g++', 'c++', 'cmake', 'make', 'python3']) {
    const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { env });
    assert.is.not(found.status, 0, `${tool} must not be reachable`);
  }
  const install = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', ...tarballs], { cwd: app, env, encoding: 'utf8' });
  assert.is(install.status, 0, `npm install failed:\n${install.stdout}\n${install.stderr}`);
  assert.ok(existsSync(join(app, 'node_modules', '@sentencekit', PLATFORM, 'sentencekit.node')), 'the platform package is installed');
  const reference = tinyBertReference();
  const expected = JSON.stringify(reference.embeddings.mean.normalized[1]);
  const text = JSON.stringify(reference.texts[1]);
  const check = `const diff = Math.max(...Array.from(e.row(0), (v, i) => Math.abs(v - ${expected}[i])));
    if (!(diff <= 1e-5)) throw new Error('diff ' + diff); console.log('ok', e.shape.join('x'), diff);`;
  const cjs = spawnSync(
    'node',
    ['-e', `require('sentencekit').SentenceTransformer.fromPretrained(${JSON.stringify(TINY_BERT)})
      .then(async (m) => { const e = await m.encode(${text}); const s = m.similarity(e, e).toArray();
        if (Math.abs(s[0][0] - 1) > 1e-5) throw new Error('similarity ' + s); await m.dispose(); return e; })
      .then((e) => { ${check} })`],
    { cwd: app, env, encoding: 'utf8' },
  );
  assert.is(cjs.status, 0, `CJS encode failed:\n${cjs.stdout}\n${cjs.stderr}`);
  const esm = spawnSync(
    'node',
    ['--input-type=module', '-e', `import { SentenceTransformer } from 'sentencekit';
      const m = await SentenceTransformer.fromPretrained(${JSON.stringify(TINY_BERT)}); const e = await m.encode(${text}); ${check}`],
    { cwd: app, env, encoding: 'utf8' },
  );
  assert.is(esm.status, 0, `ESM encode failed:\n${esm.stdout}\n${esm.stderr}`);
});

// What the Dockerfile's image does: its RUN line's global install of the tarball (into a
// prefix here), then its ENTRYPOINT, `sentencekit serve`, answering /ready and /embed, and
// draining on SIGTERM. Docker itself is not run.
test('the Dockerfile\'s install and entrypoint: the packed package runs sentencekit serve', async () => {
  assert.ok(tarballs.length === 2, 'the pack test ran first');
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const run = (/RUN (npm install --global [^\n\\]*)/.exec(dockerfile)?.[1] ?? '').trim();
  assert.is(run, 'npm install --global --omit=dev --ignore-scripts --no-audit --no-fund /tmp/sentencekit-*.tgz');
  assert.match(dockerfile, /ENTRYPOINT \["sentencekit", "serve", "--hostname", "0\.0\.0\.0"\]/);
  assert.match(dockerfile, /^FROM node:20-bookworm-slim$/m);
  const prefix = join(work, 'global');
  const args = [...run.replace('/tmp/sentencekit-*.tgz', '').trim().split(/\s+/).slice(1), ...tarballs];
  const install = spawnSync('npm', [...args, '--prefix', prefix], { cwd: work, env: bareEnv, encoding: 'utf8' });
  assert.is(install.status, 0, `npm install --global failed:\n${install.stdout}\n${install.stderr}`);

  const child = spawn(join(prefix, 'bin', 'sentencekit'), ['serve', '--hostname', '127.0.0.1', '--port', '0', '--model', TINY_BERT], {
    env: { ...bareEnv, HF_HOME: join(work, 'hf') }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      const ready = /ready on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (ready) resolve(Number(ready[1]));
    });
    void exit.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  try {
    assert.is((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
    const response = await fetch(`http://127.0.0.1:${port}/embed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: tinyBertReference().texts[1] }) });
    const [row] = await response.json() as number[][];
    const expected = tinyBertReference().embeddings.mean.normalized[1] as number[];
    const diff = Math.max(...(row ?? []).map((v, i) => Math.abs(v - (expected[i] as number))));
    assert.ok(diff <= 1e-5, `diff ${diff}`);
  } finally {
    child.kill('SIGTERM');
  }
  assert.is(await exit, 0, stderr);
});

test.run();
