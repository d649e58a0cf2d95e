// The packed tarball installs and encodes on a machine with no compiler: `npm pack`, install
// the tarball into an empty folder with a PATH that holds only node and npm, and encode there.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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

test('npm pack → install with no compiler on PATH → encode (CJS and ESM)', () => {
  ensureBuilt();
  const work = mkdtempSync(join(tmpdir(), 'sentencekit-pack-'));
  try {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--pack-destination', work, '--json'], { cwd: ROOT, encoding: 'utf8' }),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const tarball = join(work, packed[0]!.filename);
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
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
