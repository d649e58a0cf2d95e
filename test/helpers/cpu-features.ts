/**
 * What this CPU should make sentencekit pick, derived from /proc/cpuinfo's flags by the rules
 * native/kernels/cpu/dispatch.cc and amx_support.cc apply, lowered by SENTENCEKIT_CPU_LEVEL and
 * SENTENCEKIT_AMX=0 as the addon lowers them. Tests compare runtimeInfo() with it, so a
 * regression in CPU detection fails instead of running quietly at a slower level.
 */
import { readFileSync } from 'node:fs';

export type CpuLevel = 'scalar' | 'avx2' | 'avx512';

export interface ExpectedKernels {
  /** The highest level this CPU runs. */
  supportedLevel: CpuLevel;
  /** The level the addon runs at under this process's environment. */
  cpuLevel: CpuLevel;
  amxInt8: boolean;
  amxBf16: boolean;
  int8EngineKernel: 'amx' | 'avx512-vnni' | 'avx-vnni' | 'avx512vl-vnni' | 'avx2' | 'portable';
  bf16x3EngineKernel: 'amx' | 'avx512' | 'avx2' | 'portable';
}

const LEVELS: CpuLevel[] = ['scalar', 'avx2', 'avx512'];
// The features DetectCpuLevel asks __builtin_cpu_supports for, by their /proc/cpuinfo names.
const AVX512_FLAGS = ['avx512f', 'avx512bw', 'avx512dq', 'avx512vl', 'avx512_vnni', 'avx512_vpopcntdq'];
const AVX2_FLAGS = ['avx2', 'fma'];

export function cpuFlags(cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')): Set<string> {
  const line = /^flags\s*:(.*)$/m.exec(cpuinfo);
  if (line === null) throw new Error('/proc/cpuinfo has no flags line');
  return new Set(line[1]!.trim().split(/\s+/));
}

export function expectedKernels(flags = cpuFlags(), env: NodeJS.ProcessEnv = process.env): ExpectedKernels {
  const has = (names: string[]): boolean => names.every((name) => flags.has(name));
  const supportedLevel: CpuLevel = has(AVX512_FLAGS) ? 'avx512' : has(AVX2_FLAGS) ? 'avx2' : 'scalar';
  // avx2-vnni: the avx2 level with VPDPBUSD on ymm (AVX-VNNI, else AVX-512 VNNI + VL's EVEX form).
  const vnniForced = env.SENTENCEKIT_CPU_LEVEL === 'avx2-vnni';
  const forced = (vnniForced ? 'avx2' : env.SENTENCEKIT_CPU_LEVEL) as CpuLevel | undefined;
  const cpuLevel = forced !== undefined && LEVELS.includes(forced) && LEVELS.indexOf(forced) < LEVELS.indexOf(supportedLevel) ? forced : supportedLevel;
  const ymmVnni = flags.has('avx_vnni') ? 'avx-vnni' : supportedLevel === 'avx512' ? 'avx512vl-vnni' : 'avx2';
  const avx2Int8 = vnniForced || (env.SENTENCEKIT_CPU_LEVEL !== 'avx2' && supportedLevel === 'avx2') ? ymmVnni : 'avx2';
  // Linux lists amx_tile / amx_int8 / amx_bf16 only where the kernel enables tile state.
  const amxAllowed = env.SENTENCEKIT_AMX !== '0' && cpuLevel === 'avx512';
  const amxInt8 = amxAllowed && has(['amx_tile', 'amx_int8']);
  const amxBf16 = amxInt8 && has(['amx_bf16', 'avx512_bf16']);
  return {
    supportedLevel,
    cpuLevel,
    amxInt8,
    amxBf16,
    int8EngineKernel: amxInt8 ? 'amx' : cpuLevel === 'avx512' ? 'avx512-vnni' : cpuLevel === 'avx2' ? avx2Int8 : 'portable',
    bf16x3EngineKernel: amxBf16 ? 'amx' : cpuLevel === 'avx512' ? 'avx512' : cpuLevel === 'avx2' ? 'avx2' : 'portable',
  };
}

/** Levels below this CPU's own, which CI also runs the suites at. */
export function levelsBelow(level: CpuLevel): CpuLevel[] {
  return LEVELS.slice(0, LEVELS.indexOf(level)).reverse();
}
