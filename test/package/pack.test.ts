// The packed tarball installs and encodes on a machine with no compiler: `npm pack`, install
// the tarball into an empty folder with a PATH that holds only node and npm, and encode there.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { TINY_BERT, tinyBertReference } from '../helpers/fixtures.js';

const ROOT = join(__dirname, '..', '..');
const PREBUILDS = join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`);
const NPM_CLI = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');

/** The newest modification time of any file below `dir`. */
function newest(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((path) => statSync(join(dir, path)))
    .filter((info) => info.isFile())
    .reduce((latest, info) => Math.max(latest, info.mtimeMs), 0);
}

/** What the tarball ships must be built from the current sources. */
function ensureBuilt(): void {
  const prebuilt = existsSync(PREBUILDS) ? readdirSync(PREBUILDS).find((f) => f.endsWith('.node')) : undefined;
  if (!prebuilt || statSync(join(PREBUILDS, prebuilt)).mtimeMs < newest(join(ROOT, 'native'))) {
    execFileSync('npm', ['run', 'build:prebuilds'], { cwd: ROOT, stdio: 'inherit' });
  }
  execFileSync('npm', ['run', 'build:ts'], { cwd: ROOT, stdio: 'inherit' });
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

let work = '';
let tarball = '';
let bareEnv: NodeJS.ProcessEnv = {};

test.after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('npm pack → install with no compiler on PATH → encode (CJS and ESM)', () => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'sentencekit-pack-'));
  {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--pack-destination', work, '--json'], { cwd: ROOT, encoding: 'utf8' }),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(work, packed[0]!.filename);
    const files = packed[0]!.files.map((f) => f.path);
    assert.ok(files.some((f) => f.startsWith('prebuilds/') && f.endsWith('.node')), 'tarball has the prebuilt addon');
    assert.ok(files.includes(`prebuilds/${process.platform}-${process.arch}/libonnxruntime.so.1`), 'tarball has ONNX Runtime');
    assert.not.ok(files.some((f) => f.startsWith('native/') || f.startsWith('test/')), 'no sources or tests in the tarball');

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    const env = {
      HOME: work,
      PATH: bareBin(work),
      npm_config_cache: join(work, 'npm-cache'),
      npm_config_prefer_offline: 'true',
    };
    bareEnv = env;
    for (const tool of ['cc', 'gcc', 'g++', 'c++', 'cmake', 'make', 'python3']) {
      const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { env });
      assert.is.not(found.status, 0, `${tool} must not be reachable`);
    }
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: app, env, encoding: 'utf8' });
    assert.is(install.status, 0, `npm install failed:\n${install.stdout}\n${install.stderr}`);

    const reference = tinyBertReference();
    const expected = JSON.stringify(reference.embeddings.mean.normalized[1]);
    const text = JSON.stringify(reference.texts[1]);
    const check = `const diff = Math.max(...Array.from(e.row(0), (v, i) => Math.abs(v - ${expected}[i])));
      if (!(diff <= 1e-5)) throw new Error('diff ' + diff); console.log('ok', e.shape.join('x'), diff);`;
    const cjs = spawnSync(
      'node',
      ['-e', `require('sentencekit').SentenceTransformer.fromPretrained(${JSON.stringify(TINY_BERT)})
        .then((m) => m.encode(${text})).then((e) => { ${check} })`],
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
  }
});

// What the Dockerfile's image does: its RUN line's global install of the tarball (into a
// prefix here), then its ENTRYPOINT, `sentencekit serve`, answering /ready and /embed, and
// draining on SIGTERM. Docker itself is not run.
test('the Dockerfile\'s install and entrypoint: the packed package runs sentencekit serve', async () => {
  assert.ok(tarball, 'the pack test ran first');
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const run = (/RUN (npm install --global [^\n\\]*)/.exec(dockerfile)?.[1] ?? '').trim();
  assert.is(run, 'npm install --global --omit=dev --no-audit --no-fund /tmp/sentencekit-*.tgz');
  assert.match(dockerfile, /ENTRYPOINT \["sentencekit", "serve", "--hostname", "0\.0\.0\.0"\]/);
  assert.match(dockerfile, /^FROM node:20-bookworm-slim$/m);
  const prefix = join(work, 'global');
  const args = run.replace('/tmp/sentencekit-*.tgz', tarball).split(/\s+/).slice(1);
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
