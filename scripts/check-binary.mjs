#!/usr/bin/env node
// Checks a platform package's addon imports only what its target has and exports the module:
//   gnu:    glibc's own libraries, glibc symbol versions <= 2.28, no libstdc++/libgcc_s;
//   musl:   musl's libc.so only, no glibc symbol version;
//   darwin: system dylibs only, N-API left to the process (-undefined dynamic_lookup);
//   win32:  system DLLs and node.exe (N-API) only;
// all: napi_register_module_v1 exported, N-API (napi_* / node_api_*) the only symbols left for
// node to provide, and the ONNX Runtime file name the package ships (or, where none exists,
// the one a user's own copy would have) inside the addon. Reads with LLVM's tools (apt: llvm).
//
//   node scripts/check-binary.mjs [<platform> ...]   the built packages/<platform>/sentencekit.node
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { platformByName, platforms } from './platforms.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const maxGlibc = [2, 28];
const nodeApi = /^_?(napi_|node_api_)/;
const gnuLibraries = new Set(['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'librt.so.1',
  'ld-linux-x86-64.so.2', 'ld-linux-aarch64.so.1']);
const darwinLibrary = /^(\/usr\/lib\/libSystem\.B\.dylib|\/usr\/lib\/libc\+\+(abi)?(\.1)?\.dylib|\/System\/Library\/Frameworks\/.+)$/;
const windowsDlls = /^(kernel32|ntdll|advapi32|msvcrt|ucrtbase|api-ms-win-.+|ws2_32|bcrypt|user32|shell32|ole32|node)\.(dll|exe)$/i;

function tool(name, args) {
  return execFileSync(name, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** The ONNX Runtime file name the addon opens (native/napi/ort_library.cc) on this OS. */
export function ortLibraryName(platform) {
  if (platform.os === 'win32') return 'onnxruntime.dll';
  if (platform.os === 'darwin') return 'libonnxruntime.1.dylib';
  return 'libonnxruntime.so.1';
}

function checkElf(platform, file, problems) {
  const needed = tool('llvm-readobj', ['--needed-libs', file]).split('\n')
    .map((l) => l.trim()).filter((l) => /\.so/.test(l));
  const undefinedSymbols = tool('llvm-nm', ['-D', '--undefined-only', file]).split('\n')
    .map((l) => l.trim().split(/\s+/)).filter((p) => p.length >= 2).map(([kind, name]) => ({ kind, name }));
  const defined = tool('llvm-nm', ['-D', '--defined-only', file]);
  if (!/\bnapi_register_module_v1\b/.test(defined)) problems.push('napi_register_module_v1 is not exported');
  for (const library of needed) {
    const allowed = platform.libc === 'musl' ? /^libc\.so$|^ld-musl-.+\.so\.1$/.test(library) : gnuLibraries.has(library);
    if (!allowed) problems.push(`needs ${library}`);
  }
  for (const { kind, name } of undefinedSymbols) {
    const [symbol, version] = name.split('@');
    if (version) {
      const glibc = /^GLIBC_(\d+)\.(\d+)/.exec(version);
      if (platform.libc === 'musl') problems.push(`${name}: a symbol version on musl`);
      else if (!glibc) problems.push(`${name}: not a glibc symbol version`);
      else if (Number(glibc[1]) > maxGlibc[0] || (Number(glibc[1]) === maxGlibc[0] && Number(glibc[2]) > maxGlibc[1])) {
        problems.push(`${name}: newer than glibc ${maxGlibc.join('.')}`);
      }
    } else if (kind !== 'w' && kind !== 'v' && !nodeApi.test(symbol) && platform.libc !== 'musl') {
      problems.push(`${name}: undefined without a glibc version and not N-API`);
    }
  }
  return { libraries: needed };
}

function checkMachO(platform, file, problems) {
  // A dylib lists its own name first: @rpath/sentencekit.node, not the build folder's path.
  const header = tool('llvm-objdump', ['--macho', '--private-header', file]);
  const filetype = /\bMH_MAGIC_64\s+\S+\s+\S+\s+\S+\s+(\S+)/.exec(header)?.[1];
  if (filetype !== 'DYLIB' && filetype !== 'BUNDLE') problems.push(`is a Mach-O ${filetype ?? 'file of unknown type'}, not a dylib or bundle`);
  const libraries = tool('llvm-objdump', ['--macho', '--dylibs-used', file]).split('\n').slice(1)
    .map((l) => l.trim().replace(/\s*\(compatibility.*$/, '')).filter(Boolean);
  if (filetype === 'DYLIB' && libraries[0] === '@rpath/sentencekit.node') libraries.shift();
  for (const library of libraries) if (!darwinLibrary.test(library)) problems.push(`links ${library}`);
  const exported = tool('llvm-nm', ['--extern-only', '--defined-only', file]);
  if (!/\b_napi_register_module_v1\b/.test(exported)) problems.push('_napi_register_module_v1 is not exported');
  // Symbols bound without a library (flat namespace: -undefined dynamic_lookup) must be N-API's.
  const binds = tool('llvm-objdump', ['--macho', '--bind', '--lazy-bind', '--weak-bind', file]).split('\n');
  for (const line of binds) {
    const columns = line.trim().split(/\s+/);
    const symbol = columns[columns.length - 1];
    if (/flat-namespace/.test(line) && !nodeApi.test(symbol)) problems.push(`${symbol} bound by dynamic lookup and not N-API`);
  }
  return { libraries };
}

function checkPe(platform, file, problems) {
  const imports = tool('llvm-readobj', ['--coff-imports', file]);
  const libraries = [...imports.matchAll(/Name: (\S+\.(?:dll|exe))/gi)].map((m) => m[1]);
  for (const library of libraries) if (!windowsDlls.test(library)) problems.push(`imports ${library}`);
  // Every import from node.exe is N-API, and N-API comes from nowhere else.
  for (const block of imports.split(/Import \{/).slice(1)) {
    const dll = /Name: (\S+)/.exec(block)?.[1] ?? '';
    const symbols = [...block.matchAll(/Symbol: (\S+)/g)].map((m) => m[1]);
    for (const symbol of symbols) {
      if (/^node\.exe$/i.test(dll) !== nodeApi.test(symbol)) problems.push(`${symbol} imported from ${dll}`);
    }
  }
  const exports = tool('llvm-readobj', ['--coff-exports', file]);
  if (!/Name: napi_register_module_v1\b/.test(exports)) problems.push('napi_register_module_v1 is not exported');
  return { libraries };
}

/** Throws with every problem found; returns what the addon links. */
export function checkBinary(platform, file) {
  const problems = [];
  const bytes = readFileSync(file);
  const magic = bytes.readUInt32BE(0);
  let report;
  if (magic === 0x7f454c46) report = checkElf(platform, file, problems);
  else if (magic === 0xcffaedfe) report = checkMachO(platform, file, problems);
  else if (bytes.readUInt16BE(0) === 0x4d5a) report = checkPe(platform, file, problems);
  else throw new Error(`${file}: neither ELF, Mach-O nor PE`);
  const expectedFormat = { linux: magic === 0x7f454c46, darwin: magic === 0xcffaedfe, win32: bytes.readUInt16BE(0) === 0x4d5a };
  if (!expectedFormat[platform.os]) problems.push(`not a ${platform.os} binary`);
  const ortName = ortLibraryName(platform);
  if (!bytes.includes(Buffer.from(ortName))) problems.push(`does not name ${ortName}`);
  if (platform.ort && !platform.ort.files.includes(ortName)) problems.push(`the package ships ${platform.ort.files}, not ${ortName}`);
  if (problems.length > 0) throw new Error(`check-binary ${platform.name}: ${file}:\n  ${problems.join('\n  ')}`);
  console.log(`check-binary ${platform.name}: ok (links ${report.libraries.join(', ') || 'nothing'}; exports napi_register_module_v1; opens ${ortName})`);
  return report;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  const wanted = names.length > 0 ? names.map(platformByName)
    : platforms.filter((p) => existsSync(join(root, 'packages', p.name, 'sentencekit.node')));
  let failed = 0;
  for (const platform of wanted) {
    try {
      checkBinary(platform, join(root, 'packages', platform.name, 'sentencekit.node'));
    } catch (error) {
      console.error(error.message);
      failed += 1;
    }
  }
  process.exit(failed > 0 ? 1 : 0);
}
