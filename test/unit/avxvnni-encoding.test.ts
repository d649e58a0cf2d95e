// The avx2 level's AVX-VNNI kernel must be VEX-encoded: CPUs with AVX-VNNI but no AVX-512 (Intel
// Alder Lake and later client parts) fault on the EVEX form. Its VPDPBUSD is inline assembly
// (int8_gemm_avxvnni.h says why), so the compiler cannot vouch for the encoding, and this
// project's CPUs (AVX-512, no AVX-VNNI) cannot run the VEX form to test it: the object's
// disassembly is checked instead. Skipped without a build or objdump.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { testIf } from '../helpers/skip.js';

const OBJECTS = join(__dirname, '..', '..', 'build', 'CMakeFiles', 'sentencekit_core.dir', 'native', 'kernels', 'cpu');
const VEX_OBJECT = join(OBJECTS, 'int8_gemm_avxvnni.cc.o');
const EVEX_OBJECT = join(OBJECTS, 'int8_gemm_avxvnni_avx512.cc.o');
const HAS_OBJDUMP = spawnSync('objdump', ['--version']).status === 0;

/** Each instruction's encoding bytes and text, from objdump's "bytes  text" lines. */
function instructions(object: string): { bytes: string; text: string }[] {
  const run = spawnSync('objdump', ['-d', '--no-addresses', object], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.is(run.status, 0, run.stderr);
  return run.stdout
    .split('\n')
    .map((line) => /^\s*((?:[0-9a-f]{2} )+)\s*(.*)$/.exec(line))
    // Long encodings go on over a second line of bytes alone: not an instruction's start.
    .filter((m): m is RegExpExecArray => m !== null && m[2]!.trim() !== '')
    .map((m) => ({ bytes: m[1]!.trim(), text: m[2]!.trim() }));
}

const when = testIf(HAS_OBJDUMP && existsSync(VEX_OBJECT) && existsSync(EVEX_OBJECT), 'no build/ objects or no objdump');

when('the AVX-VNNI object has VEX VPDPBUSD and no EVEX instruction', () => {
  const code = instructions(VEX_OBJECT);
  const dots = code.filter((i) => /vpdpbusd/.test(i.text));
  assert.ok(dots.length > 0, 'no VPDPBUSD in int8_gemm_avxvnni.cc.o');
  // VEX starts with C4 / C5; EVEX with 62 (which 64-bit code uses for nothing else).
  assert.equal(dots.filter((i) => !i.bytes.startsWith('c4 ')), [], 'a VPDPBUSD that is not VEX-encoded');
  assert.equal(code.filter((i) => i.bytes.startsWith('62 ')), [], 'EVEX instructions in the AVX-VNNI kernel');
});

when('the AVX-512 VL build of the same loop is EVEX-encoded', () => {
  const dots = instructions(EVEX_OBJECT).filter((i) => /vpdpbusd/.test(i.text));
  assert.ok(dots.length > 0 && dots.every((i) => i.bytes.startsWith('62 ')), 'VPDPBUSD not EVEX in int8_gemm_avxvnni_avx512.cc.o');
});

test.run();
