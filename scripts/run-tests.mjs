// The project's test command (`npm test`): the native kernel/tokenizer tests, then the
// TypeScript suites (uvu) under test/unit, test/parity and test/package. Ends with one plain
// "N passed, N failed" line that CI reads; exits non-zero when anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv[2]; // optional: a suite folder (unit, parity, package, native)
let passed = 0;
let failed = 0;

function run(label, command, args, parse) {
  console.log(`\n# ${label}`);
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COLORS: '1' }, maxBuffer: 1 << 28 });
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  const counts = parse(result.stdout ?? '');
  if (counts === null) {
    console.log(`# ${label}: could not read a summary (exit ${result.status}); counting one failure`);
    failed += 1;
    return;
  }
  passed += counts.passed;
  failed += counts.failed;
  // A crash after a summary still counts.
  if (result.status !== 0 && counts.failed === 0) failed += 1;
}

function parseNative(output) {
  const match = /(\d+) passed, (\d+) failed/.exec(output);
  return match ? { passed: Number(match[1]), failed: Number(match[2]) } : null;
}

function parseUvu(output) {
  const total = /Total:\s+(\d+)/.exec(output);
  const ok = /Passed:\s+(\d+)/.exec(output);
  if (!total || !ok) return null;
  return { passed: Number(ok[1]), failed: Number(total[1]) - Number(ok[1]) };
}

if (!only || only === 'native') {
  const binary = join(root, 'build', 'sentencekit_native_tests');
  if (existsSync(binary)) {
    run('native tests', binary, [], parseNative);
  } else {
    console.log(`# native tests: ${binary} missing — run \`npm run build\` first`);
    failed += 1;
  }
  // The CUDA engine against its CPU reference, when it was built; without a GPU it prints
  // "SKIP …" with the reason and runs only the reference's own check.
  const cudaTests = join(root, 'build', 'sentencekit_cuda_tests');
  if (existsSync(cudaTests)) run('cuda engine tests', cudaTests, [], parseNative);
  else console.log('# cuda engine tests: not built (no nvcc or cuBLAS headers; see SENTENCEKIT_CUDA in CMakeLists.txt)');
}

for (const suite of ['unit', 'parity', 'package']) {
  if (only && only !== suite) continue;
  const dir = join(root, 'test', suite);
  if (!existsSync(dir) || !readdirSync(dir).some((f) => f.endsWith('.test.ts'))) continue;
  run(`${suite} tests`, process.execPath, [join(root, 'node_modules', 'uvu', 'bin.js'), join('test', suite), '\\.test\\.ts$', '-r', 'tsx/cjs'], parseUvu);
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
