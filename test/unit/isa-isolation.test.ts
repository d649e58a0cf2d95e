// cpu-level-independent: the levels stage does not run this file again.
// Files compiled with -mavx2 / -mavx512* / -mamx-* (native/**/*_avx2.cc, *_avx512.cc, *_amx.cc),
// or for aarch64 with +dotprod / +i8mm (*_dotprod.cc, *_i8mm.cc; *_neon.cc is the baseline),
// must not emit a weak definition (an inline function or template instantiation, such as
// std::vector<float>::resize) that another file also emits: the linker keeps one copy for the
// whole library, and if it keeps the AVX-512 one, generic code runs AVX-512 instructions and dies
// with SIGILL on CPUs without them. (It happened: bf16x3_gemm_avx512.cc's scratch vectors gave
// the CPU engine's generic code an AVX-512 vector::_M_default_append.) Read from the built objects
// with nm: build/'s, or another build's (SENTENCEKIT_ISA_OBJECTS: test/arm64/run.sh points it at
// the aarch64 cross build's).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { testIf } from '../helpers/skip.js';

const OBJECTS = process.env.SENTENCEKIT_ISA_OBJECTS ?? join(__dirname, '..', '..', 'build', 'CMakeFiles', 'sentencekit_core.dir', 'native');
const nm = spawnSync('nm', ['--version']);
const ready = existsSync(OBJECTS) && nm.status === 0;

function objects(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? objects(path) : name.endsWith('.o') ? [path] : [];
  });
}

function isaOf(path: string): string {
  return /_(avx2|avx512|amx|dotprod|i8mm)\.cc\.o$/.exec(path)?.[1] ?? 'generic';
}

// Weak (W, V) and unique-global (u) definitions: the ones the linker merges across objects.
function mergeable(path: string): string[] {
  const out = spawnSync('nm', ['--defined-only', path], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout;
  return out.split('\n').flatMap((line) => {
    const [, type, name] = line.trim().split(/\s+/);
    // DW.ref.* (clang's pointer to the C++ personality routine) is data, not code: no ISA in it.
    return type !== undefined && name !== undefined && /^[WVu]$/.test(type) && !name.startsWith('DW.ref.') ? [name] : [];
  });
}

testIf(ready, 'no build/ objects or no nm (a prebuilt install)')('no weak definition is shared between files compiled for different instruction sets', () => {
  const byIsa = new Map<string, Map<string, string>>();  // isa → symbol → first object
  const files = objects(OBJECTS);
  assert.ok(files.some((file) => isaOf(file) === 'avx512' || isaOf(file) === 'i8mm'), 'found the AVX-512 or i8mm objects');
  for (const file of files) {
    const symbols = byIsa.get(isaOf(file)) ?? new Map<string, string>();
    for (const symbol of mergeable(file)) if (!symbols.has(symbol)) symbols.set(symbol, file);
    byIsa.set(isaOf(file), symbols);
  }
  const clashes: string[] = [];
  const isas = [...byIsa.keys()];
  for (const [i, a] of isas.entries()) {
    for (const b of isas.slice(i + 1)) {
      for (const [symbol, file] of byIsa.get(a)!) {
        const other = byIsa.get(b)!.get(symbol);
        if (other !== undefined) clashes.push(`${symbol} in ${file.slice(OBJECTS.length + 1)} (${a}) and ${other.slice(OBJECTS.length + 1)} (${b})`);
      }
    }
  }
  assert.equal(clashes, []);
});

test.run();
