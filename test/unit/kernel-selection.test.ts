// runtimeInfo() reports the kernels this CPU should run, as /proc/cpuinfo's flags decide
// (test/helpers/cpu-features.ts), at the level SENTENCEKIT_CPU_LEVEL allows: a regression in CPU
// detection fails here instead of passing at a slower level.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { runtimeInfo } from '../../lib/index.js';
import { cpuFlags, expectedKernels } from '../helpers/cpu-features.js';

const expected = expectedKernels();
console.log(`# this CPU: ${expected.supportedLevel}${expected.amxInt8 ? ' + AMX-INT8' : ''}${expected.amxBf16 ? ' + AMX-BF16' : ''}; running at ${expected.cpuLevel} (SENTENCEKIT_CPU_LEVEL=${process.env.SENTENCEKIT_CPU_LEVEL ?? 'unset'})`);

test('runtimeInfo().cpuLevel is the level /proc/cpuinfo and SENTENCEKIT_CPU_LEVEL call for', () => {
  assert.is(runtimeInfo().cpuLevel, expected.cpuLevel);
});

test('the int8 and bf16x3 engine kernels are the ones this CPU should pick', () => {
  const info = runtimeInfo();
  assert.is(info.int8EngineKernel, expected.int8EngineKernel);
  assert.is(info.bf16x3EngineKernel, expected.bf16x3EngineKernel);
});

test('the expectation itself follows dispatch.cc on made-up CPUs', () => {
  const zen4 = cpuFlags('flags\t: avx2 fma avx512f avx512bw avx512dq avx512vl avx512_vnni avx512_vpopcntdq avx512_bf16\n');
  const spr = new Set([...zen4, 'amx_tile', 'amx_int8', 'amx_bf16']);
  const zen3 = cpuFlags('flags\t: sse4_2 avx avx2 fma\n');
  const old = cpuFlags('flags\t: sse4_2 avx\n');
  const noVpopcnt = new Set([...zen4].filter((flag) => flag !== 'avx512_vpopcntdq'));
  const alderLake = cpuFlags('flags\t: sse4_2 avx avx2 fma avx_vnni\n');
  assert.equal(
    [zen4, spr, zen3, old, noVpopcnt, alderLake].map((flags) => {
      const e = expectedKernels(flags, {});
      return [e.cpuLevel, e.int8EngineKernel, e.bf16x3EngineKernel];
    }),
    [
      ['avx512', 'avx512-vnni', 'avx512'],
      ['avx512', 'amx', 'amx'],
      ['avx2', 'avx2', 'avx2'],
      ['scalar', 'portable', 'portable'],
      ['avx2', 'avx2', 'avx2'],
      ['avx2', 'avx-vnni', 'avx2'],
    ],
  );
  // avx2 is plain AVX2 even where AVX-VNNI is; avx2-vnni asks for VPDPBUSD on ymm in the form the CPU has.
  assert.is(expectedKernels(alderLake, { SENTENCEKIT_CPU_LEVEL: 'avx2' }).int8EngineKernel, 'avx2');
  assert.is(expectedKernels(alderLake, { SENTENCEKIT_CPU_LEVEL: 'avx2-vnni' }).int8EngineKernel, 'avx-vnni');
  assert.is(expectedKernels(zen4, { SENTENCEKIT_CPU_LEVEL: 'avx2-vnni' }).int8EngineKernel, 'avx512vl-vnni');
  assert.is(expectedKernels(zen4, { SENTENCEKIT_CPU_LEVEL: 'avx2-vnni' }).cpuLevel, 'avx2');
  assert.is(expectedKernels(zen3, { SENTENCEKIT_CPU_LEVEL: 'avx2-vnni' }).int8EngineKernel, 'avx2', 'never above the CPU');
  assert.is(expectedKernels(alderLake, { SENTENCEKIT_CPU_LEVEL: 'avx512' }).int8EngineKernel, 'avx-vnni', 'the CPU\'s best below a level it lacks');
  assert.is(expectedKernels(spr, { SENTENCEKIT_CPU_LEVEL: 'avx2' }).int8EngineKernel, 'avx2');
  assert.is(expectedKernels(spr, { SENTENCEKIT_CPU_LEVEL: 'scalar' }).bf16x3EngineKernel, 'portable');
  assert.is(expectedKernels(spr, { SENTENCEKIT_AMX: '0' }).bf16x3EngineKernel, 'avx512');
  assert.is(expectedKernels(zen3, { SENTENCEKIT_CPU_LEVEL: 'avx512' }).cpuLevel, 'avx2', 'never above the CPU');
});

test.run();
