// The project's test command (`npm test`, or `npm test -- <suite> …` for some of them):
//   native   the kernel/tokenizer tests (C++), and the CUDA engine's when it was built
//   unit     test/unit/*.test.ts (uvu), each file in its own process
//   parity   test/parity/*.test.ts, likewise
//   package  test/package/*.test.ts, likewise
//   levels   unit and parity again at each SENTENCEKIT_CPU_LEVEL below this CPU's own
//   runtimes the README quick start and the unit tests under Bun and Deno (scripts/runtimes.mjs)
// Ends with one plain "N passed, N failed, N skipped" line that CI reads; exits 1 when anything
// failed, 2 for a suite name it does not know. A skip is a test this machine cannot run (no GPU,
// no AMX, a kernel level above its CPU's), never counted as passed. A file that throws before
// its tests run (at import) fails that file alone.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NOT_RUN, runtimes, UNIT_FILES, writeQuickStart } from './runtimes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = ['native', 'unit', 'parity', 'package', 'levels', 'runtimes'];
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !SUITES.includes(name));
if (unknown.length > 0) {
  console.error(`run-tests: unknown suite ${unknown.map((name) => `'${name}'`).join(', ')}; the suites are ${SUITES.join(', ')}`);
  process.exit(2);
}
const wanted = (suite) => asked.length === 0 || asked.includes(suite);

const totals = { passed: 0, failed: 0, skipped: 0 };
const timings = [];

function spawn(command, args, env = {}) {
  // Plain output to parse: FORCE_COLOR (npm sets it) would override NODE_DISABLE_COLORS.
  const { FORCE_COLOR: _, ...inherited } = process.env;
  return spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...inherited, NODE_DISABLE_COLORS: '1', ...env },
    maxBuffer: 1 << 28,
  });
}

function add(into, counts) {
  into.passed += counts.passed;
  into.failed += counts.failed;
  into.skipped += counts.skipped;
}

// "N passed, N failed[, N skipped]", the native binaries' last line.
function parseNative(output) {
  const match = /(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(output);
  return match ? { passed: Number(match[1]), failed: Number(match[2]), skipped: Number(match[3] ?? 0) } : null;
}

// uvu's summary: Total counts the tests that ran (skips excluded), Passed those that passed.
function parseUvu(output) {
  const total = /Total:\s+(\d+)/.exec(output);
  const passed = /Passed:\s+(\d+)/.exec(output);
  const skipped = /Skipped:\s+(\d+)/.exec(output);
  if (!total || !passed || !skipped) return null;
  return { passed: Number(passed[1]), failed: Number(total[1]) - Number(passed[1]), skipped: Number(skipped[1]) };
}

// One process; its counts, with a crash or a missing summary counted as one failure.
function runOne(label, command, args, parse, env) {
  const started = Date.now();
  const result = spawn(command, args, env);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  const counts = parse(result.stdout ?? '');
  if (counts === null) {
    console.log(`# ${label}: no summary (exit ${result.status ?? result.signal}): counted as one failure`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  if (counts.passed + counts.failed + counts.skipped === 0) {
    console.log(`# ${label}: ran no test: counted as one failure`);
    counts.failed += 1;
  }
  if (result.status !== 0 && counts.failed === 0) {
    console.log(`# ${label}: exit ${result.status ?? result.signal} after a clean summary: counted as one failure`);
    counts.failed += 1;
  }
  // Each file's time, so the slow ones are visible in CI's log.
  console.log(`# ${label}: ${seconds} s`);
  return counts;
}

function timed(label, body) {
  console.log(`\n# ${label}`);
  const started = Date.now();
  const counts = { passed: 0, failed: 0, skipped: 0 };
  body(counts);
  const seconds = (Date.now() - started) / 1000;
  timings.push({ label, seconds, ...counts });
  console.log(`# ${label}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped in ${seconds.toFixed(1)} s`);
  add(totals, counts);
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// A test file that runs no kernel (the Hub client, option checks, lint-like scans) says so in
// its first lines with this marker, and the levels stage does not run it again.
const LEVEL_INDEPENDENT = '// cpu-level-independent';

function uvuSuite(suite, env = {}, tag = '', onlyLevelDependent = false) {
  const dir = join(root, 'test', suite);
  if (!existsSync(dir)) return;
  let files = readdirSync(dir).filter((file) => file.endsWith('.test.ts')).sort();
  if (onlyLevelDependent) {
    const independent = files.filter((file) => readFileSync(join(dir, file), 'utf8').slice(0, 2000).includes(LEVEL_INDEPENDENT));
    if (independent.length > 0) console.log(`\n# ${suite}${tag}: not run again (${LEVEL_INDEPENDENT}): ${independent.join(', ')}`);
    files = files.filter((file) => !independent.includes(file));
  }
  if (files.length === 0) return;
  timed(`${suite} tests${tag}`, (counts) => {
    for (const file of files) {
      const args = [join(root, 'node_modules', 'uvu', 'bin.js'), join('test', suite), `^${escape(file)}$`, '-r', 'tsx/cjs'];
      add(counts, runOne(`${suite}/${file}${tag}`, process.execPath, args, parseUvu, env));
    }
  });
}

// This CPU's own level as the tests expect it (test/helpers/cpu-features.ts reads
// /proc/cpuinfo), whatever SENTENCEKIT_CPU_LEVEL this command was started with.
function supportedLevel() {
  const script = "process.stdout.write(require('./test/helpers/cpu-features.ts').expectedKernels(undefined, {}).supportedLevel)";
  const result = spawn(process.execPath, ['-r', 'tsx/cjs', '-e', script]);
  if (result.status !== 0) throw new Error(`run-tests: cannot read this CPU's level: ${result.stderr}`);
  return result.stdout.trim();
}

if (wanted('native')) {
  timed('native tests', (counts) => {
    const binary = join(root, 'build', 'sentencekit_native_tests');
    // A build made without them (a source build by the install script, or the prebuilds, which
    // the package tests make in build/) gets them here: the option turned on in its cache (cmake-js
    // compile does not configure again, so its own -D options would not reach a configured
    // build), then an incremental build that adds only the test and bench executables.
    if (!existsSync(binary) && existsSync(join(root, 'build', 'CMakeCache.txt'))) {
      console.log('# native tests: not built; building them (SENTENCEKIT_NATIVE_TESTS=ON, cmake-js compile)');
      spawnSync('cmake', ['-DSENTENCEKIT_NATIVE_TESTS=ON', join(root, 'build')], { cwd: root, stdio: 'inherit' });
      spawnSync(process.execPath, [join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js'), 'compile'], { cwd: root, stdio: 'inherit' });
    }
    if (existsSync(binary)) {
      add(counts, runOne('native tests', binary, [], parseNative));
    } else {
      console.log(`# native tests: ${binary} missing — run \`npm run build\` first`);
      counts.failed += 1;
    }
    // The CUDA engine against its CPU reference, when it was built; without a GPU its tests are
    // reported and counted as skipped, and only the reference's own check runs.
    const cudaTests = join(root, 'build', 'sentencekit_cuda_tests');
    if (existsSync(cudaTests)) add(counts, runOne('cuda engine tests', cudaTests, [], parseNative));
    else console.log('# cuda engine tests: not built (no nvcc or cuBLAS headers; see SENTENCEKIT_CUDA in CMakeLists.txt)');
  });
}

for (const suite of ['unit', 'parity', 'package']) if (wanted(suite)) uvuSuite(suite);

const levelsRun = [];
if (wanted('unit') || wanted('parity') || wanted('native')) levelsRun.push(`${process.env.SENTENCEKIT_CPU_LEVEL ?? supportedLevel()} (this CPU's level${process.env.SENTENCEKIT_CPU_LEVEL ? ', forced' : ''})`);
if (wanted('levels')) {
  const own = supportedLevel();
  const below = ['avx2', 'scalar'].filter((level) => ['scalar', 'avx2', 'avx512'].indexOf(level) < ['scalar', 'avx2', 'avx512'].indexOf(own));
  for (const level of below) {
    for (const suite of ['unit', 'parity']) uvuSuite(suite, { SENTENCEKIT_CPU_LEVEL: level }, ` @ SENTENCEKIT_CPU_LEVEL=${level}`, true);
    levelsRun.push(level);
  }
  if (below.length === 0) console.log('\n# levels: this CPU has no SIMD level, so there is no lower one to run');
}

if (wanted('runtimes')) {
  const files = process.env.SENTENCEKIT_RUNTIMES_ALL === '1' ? readdirSync(join(root, 'test', 'unit')).filter((file) => file.endsWith('.test.ts')).sort() : UNIT_FILES;
  const notRun = files.filter((file) => NOT_RUN[file] !== undefined);
  console.log(`\n# runtimes: unit files under Bun and Deno: ${files.length === UNIT_FILES.length ? `the subset in scripts/runtimes.mjs (${files.join(', ')})` : 'all'}`);
  if (notRun.length > 0) console.log(`# runtimes: not run under Bun and Deno: ${notRun.map((file) => `${file} (${NOT_RUN[file]})`).join('; ')}`);
  const quickStart = writeQuickStart(root);
  const runQuickStart = (label, binary, args) => {
    const result = spawn(binary, args);
    if (result.status !== 0) console.log(`# quick start under ${label}: exit ${result.status ?? result.signal}\n${result.stdout}${result.stderr}`);
    return result.status === 0 ? result.stdout : null;
  };
  const expected = runQuickStart('node', process.execPath, [quickStart]);
  for (const runtime of runtimes(root)) {
    timed(`runtime ${runtime.name}`, (counts) => {
      if (!existsSync(runtime.binary)) {
        console.log(`# ${runtime.name}: ${runtime.binary} missing — run \`npm ci\``);
        counts.failed += 1;
        return;
      }
      const version = spawn(runtime.binary, ['--version']).stdout.split('\n')[0];
      console.log(`# ${runtime.name} --version: ${version}`);
      // The quick start prints the same lines as under node, or it fails.
      const output = runQuickStart(runtime.name, runtime.binary, runtime.scriptArgs(quickStart));
      if (expected !== null && output === expected) {
        console.log(`# quick start under ${runtime.name}: the values node printed`);
        counts.passed += 1;
      } else {
        console.log(`# quick start under ${runtime.name}: printed\n${output}# where node printed\n${expected}`);
        counts.failed += 1;
      }
      runtime.prepare();
      try {
        for (const file of files.filter((name) => !notRun.includes(name))) {
          add(counts, runOne(`unit/${file} under ${runtime.name}`, runtime.binary, runtime.unitArgs(file), parseUvu, { NO_COLOR: '1' }));
        }
      } finally {
        runtime.cleanup?.();
      }
    });
  }
  rmSync(dirname(quickStart), { recursive: true, force: true });
}

console.log('\n# stages');
for (const { label, seconds, passed, failed, skipped } of timings) {
  console.log(`#   ${label.padEnd(44)} ${seconds.toFixed(1).padStart(7)} s  ${passed} passed, ${failed} failed, ${skipped} skipped`);
}
if (levelsRun.length > 0) console.log(`# kernel levels run: ${levelsRun.join('; ')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed === 0 ? 0 : 1);
