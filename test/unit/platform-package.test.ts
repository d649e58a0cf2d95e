// cpu-level-independent: the levels stage does not run this file again.
// The loader's platform package (lib/platform-package.ts) and what a platform without ONNX
// Runtime (musl, macOS x64: their packages ship none) does: the ONNX path fails with a typed
// error that names the CPU engine, and the CPU engine still runs the model.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { installAdvice, linuxLibc, platformPackageName, PUBLISHED_PLATFORMS, runtimePlatform } from '../../lib/platform-package.js';
import { TINY_BERT } from '../helpers/fixtures.js';
import { testIf } from '../helpers/skip.js';

const ROOT = join(__dirname, '..', '..');
const ADDON = join(ROOT, 'build', 'Release', 'sentencekit.node');

test('the package name follows process.platform, process.arch and, on Linux, the C library', () => {
  const expected = process.platform === 'linux' ? `${process.platform}-${process.arch}-${linuxLibc()}` : `${process.platform}-${process.arch}`;
  assert.is(runtimePlatform(), expected);
  assert.is(platformPackageName('linux-arm64-musl'), '@sentencekit/linux-arm64-musl');
  // This machine (Debian, glibc) is the gnu one.
  if (process.platform === 'linux' && existsSync('/etc/debian_version')) assert.is(linuxLibc(), 'gnu');
});

test('the advice names npm install with --os, --cpu and --libc for a published platform', () => {
  const advice = installAdvice('linux-arm64-musl').join('\n');
  assert.match(advice, 'npm install --include=optional sentencekit');
  assert.match(advice, 'npm install --os=linux --cpu=arm64 --libc=musl sentencekit');
  assert.match(installAdvice('darwin-x64').join('\n'), 'npm install --os=darwin --cpu=x64 sentencekit');
  assert.not.match(installAdvice('win32-x64').join('\n'), '--libc');
  // A platform nobody builds for gets the source build instead.
  assert.match(installAdvice('freebsd-x64').join('\n'), 'npm run build');
  assert.is(PUBLISHED_PLATFORMS.length, 7);
});

/** Runs `script` in a fresh node whose addon is `addon` (SENTENCEKIT_NATIVE), printing JSON. */
function runWithAddon(addon: string, script: string): { status: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, SENTENCEKIT_NATIVE: addon, SENTENCEKIT_ORT_LIBRARY: '' },
    encoding: 'utf8',
  });
  return { status: result.status, out: result.stdout, err: result.stderr };
}

testIf(existsSync(ADDON), 'needs the native build (npm run build)')(
  'an addon without ONNX Runtime beside it: ONNX models fail with ERR_RUNTIME naming the CPU engine, the int8 engine runs',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentencekit-no-ort-'));
    try {
      copyFileSync(ADDON, join(dir, 'sentencekit.node'));
      const script = `
        const { SentenceTransformer } = require('./lib/index.ts');
        (async () => {
          const out = {};
          try { await SentenceTransformer.fromPretrained(${JSON.stringify(TINY_BERT)}); out.onnx = 'loaded'; }
          catch (error) { out.onnx = { name: error.constructor.name, code: error.code, message: error.message }; }
          const model = await SentenceTransformer.fromPretrained(${JSON.stringify(TINY_BERT)}, { backend: 'sentencekit-int8' });
          out.rows = (await model.encode(['no ONNX Runtime here', 'the CPU engine runs'])).shape;
          await model.dispose();
          console.log(JSON.stringify(out));
        })().catch((error) => { console.error(error); process.exit(1); });`;
      const { status, out, err } = runWithAddon(join(dir, 'sentencekit.node'), script);
      assert.is(status, 0, err);
      const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { onnx: { name: string; code: string; message: string } | string; rows: number[] };
      assert.type(result.onnx, 'object', 'the ONNX path must fail without ONNX Runtime');
      const onnx = result.onnx as { name: string; code: string; message: string };
      assert.is(onnx.name, 'SentenceKitError');
      assert.is(onnx.code, 'ERR_RUNTIME');
      assert.match(onnx.message, /no ONNX Runtime at .*libonnxruntime\.so\.1/);
      assert.match(onnx.message, /backend 'sentencekit-int8'/);
      assert.equal(result.rows, [2, 32]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

testIf(existsSync(ADDON), 'needs the native build (npm run build)')(
  'ONNX Runtime loads with the first ONNX model, not with a model on the own engine',
  () => {
    // A model on the own engine never runs ONNX Runtime's static initializers: they are what
    // crashed every load under qemu-user (pytorch/cpuinfo reading an x86 /proc/cpuinfo).
    const script = `
      const { SentenceTransformer, runtimeInfo } = require('./lib/index.ts');
      (async () => {
        const out = { atStart: runtimeInfo().onnxRuntimeLoaded };
        const own = await SentenceTransformer.fromPretrained(${JSON.stringify(TINY_BERT)}, { backend: 'sentencekit-int8' });
        await own.encode(['the own engine']);
        out.afterOwnEngine = runtimeInfo().onnxRuntimeLoaded;
        const onnx = await SentenceTransformer.fromPretrained(${JSON.stringify(TINY_BERT)});
        await onnx.encode(['ONNX Runtime']);
        out.afterOnnx = runtimeInfo().onnxRuntimeLoaded;
        out.version = runtimeInfo().onnxRuntimeVersion;
        await Promise.all([own.dispose(), onnx.dispose()]);
        console.log(JSON.stringify(out));
      })().catch((error) => { console.error(error); process.exit(1); });`;
    const result = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    assert.is(result.status, 0, result.stderr);
    const out = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    assert.equal([out.atStart, out.afterOwnEngine, out.afterOnnx], [false, false, true]);
    assert.type(out.version, 'string');
  },
);

test.run();
