import { nativeBinding } from './binding.js';
import { libEnvironment } from './config.js';

/** What runtimeInfo() reports. */
export interface RuntimeInfo {
  /** Whether ONNX Runtime has been loaded: it loads with the first model that runs on it, never for the own engine's models. */
  onnxRuntimeLoaded: boolean;
  /** Its version, once loaded. */
  onnxRuntimeVersion: string | null;
  /** The libonnxruntime file used (or that will be). */
  onnxRuntimeLibrary: string;
  /** The SIMD level the kernels chose: on x86 'avx512', 'avx2' or 'scalar'; on arm64 'i8mm', 'dotprod', 'neon' or 'scalar'. */
  cpuLevel: string;
  /** The int8 engine's GEMM kernel on this CPU: 'amx', 'avx512-vnni', at the avx2 level 'avx-vnni' (VPDPBUSD on ymm) or 'avx512vl-vnni' (the same on AVX-512 VL, SENTENCEKIT_CPU_LEVEL=avx2-vnni on a CPU without AVX-VNNI) or 'avx2' (int16 pair products); on arm64 'i8mm' (SMMLA), 'dotprod' (SDOT), 'neon' (int16 products); or 'portable' (a plain loop, far slower than ONNX Runtime's int8). */
  int8EngineKernel: 'amx' | 'avx512-vnni' | 'avx-vnni' | 'avx512vl-vnni' | 'avx2' | 'i8mm' | 'dotprod' | 'neon' | 'portable';
  /** The CPU engine's bf16x3 GEMM kernel on this CPU: 'amx' (AMX-BF16), 'avx512', 'avx2' or 'neon' (float32 FMAs) or 'portable' (a plain loop, far slower). */
  bf16x3EngineKernel: 'amx' | 'avx512' | 'avx2' | 'neon' | 'portable';
  /** The SENTENCEKIT_* environment variables set for this process, as read (README: "Environment variables"). */
  environment: Record<string, string>;
}

/**
 * What this process runs on: the ONNX Runtime library and version (loaded with the first model
 * that runs on it; models on the own engine leave it unloaded) and the SIMD level the kernels chose.
 *
 * @example
 * console.log(runtimeInfo()); // { onnxRuntimeVersion: '1.30.0', cpuLevel: 'avx512', … }
 */
export function runtimeInfo(): RuntimeInfo {
  const native = nativeBinding().runtimeInfo();
  return { ...native, environment: { ...native.environment, ...libEnvironment() } };
}
