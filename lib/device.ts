/**
 * Where a model runs: `device: 'cpu' | 'cuda' | 'auto'` on every fromPretrained(). 'cuda' runs
 * the transformer in sentencekit's own CUDA engine (libsentencekit_cuda.so beside the addon,
 * loaded only when asked for), and rejects with ERR_CUDA_UNAVAILABLE when it cannot: no engine
 * library, driver, device or cuBLASLt, or a model the engine does not run yet. 'auto' uses the
 * GPU when it can and otherwise the CPU, keeping the reason (`model.deviceFallbackReason`).
 * cudaStatus and the Device, CudaDtype, CudaStatus, CpuEngine and Backend types are exported; the rest is internal.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { nativeBinding } from './binding.js';
import { SentenceKitError } from './errors.js';
import { describeValue } from './validate.js';

/** Where a model or search runs: 'cpu', 'cuda' (sentencekit's CUDA engine), or 'auto' (the GPU when usable). */
export type Device = 'cpu' | 'cuda' | 'auto';
/** Weights and activations on the GPU; accumulation is fp32 in every case. */
export type CudaDtype = 'float16' | 'bfloat16' | 'float32';

export interface DevicePlacement {
  device: 'cpu' | 'cuda';
  /** Why 'auto' chose the CPU; null when it did not fall back. */
  fallbackReason: string | null;
}

/** What cudaProbe() reports: whether the CUDA engine can run here, and if not, why. */
export interface CudaStatus {
  /** Whether device 'cuda' can be used. */
  available: boolean;
  /** Why not, when it cannot; null when it can. */
  reason: string | null;
  /** The GPU's name, when one was found. */
  deviceName?: string;
  /** Compute capability as major × 10 + minor (80 for sm_80). */
  computeCapability?: number;
  /** The GPU's memory in bytes. */
  memoryBytes?: number;
  /** CUDA runtime version (e.g. 13000). */
  runtimeVersion?: number;
  /** The driver's CUDA version. */
  driverVersion?: number;
  /** cuBLASLt's version. */
  cublasLtVersion?: number;
}

const DEVICES: readonly Device[] = ['cpu', 'cuda', 'auto'];
const CUDA_DTYPES: readonly CudaDtype[] = ['float16', 'bfloat16', 'float32'];

export function validateDevice(value: unknown, name: string): Device {
  if (value === undefined) return 'cpu';
  if (typeof value !== 'string' || !DEVICES.includes(value as Device)) {
    throw new TypeError(`expected ${name} to be 'cpu', 'cuda' or 'auto' but received ${describeValue(value)}`);
  }
  return value as Device;
}

export function validateCudaDtype(value: unknown, name: string): CudaDtype {
  if (value === undefined) return 'float16';
  if (typeof value !== 'string' || !CUDA_DTYPES.includes(value as CudaDtype)) {
    throw new TypeError(`expected ${name} to be 'float16', 'bfloat16' or 'float32' but received ${describeValue(value)}`);
  }
  return value as CudaDtype;
}

/**
 * Whether the CUDA engine can run in this process, and if not, why.
 *
 * @example
 * const status = cudaStatus();
 * if (!status.available) console.log(status.reason);
 */
export function cudaStatus(): CudaStatus {
  return nativeBinding().cudaProbe();
}

/**
 * Chooses the device for a model. `unsupported` is why this model cannot run on the CUDA engine
 * (null when it can).
 */
export function placeModel(requested: Device, unsupported: string | null): DevicePlacement {
  if (requested === 'cpu') return { device: 'cpu', fallbackReason: null };
  let reason = unsupported;
  if (reason === null) {
    const status = cudaStatus();
    if (!status.available) reason = status.reason ?? 'CUDA is unavailable';
  }
  if (reason === null) return { device: 'cuda', fallbackReason: null };
  if (requested === 'cuda') throw new SentenceKitError('ERR_CUDA_UNAVAILABLE', `device 'cuda' cannot be used: ${reason}`);
  return { device: 'cpu', fallbackReason: reason };
}

/**
 * Loads a model where `placeModel` placed it. With 'auto', a CUDA load that fails (the engine
 * cannot run this model: an architecture or head it does not know, say) falls back to the CPU
 * and the failure becomes the placement's fallbackReason; 'cpu' and 'cuda' failures are thrown.
 */
export async function loadPlaced<T>(
  requested: Device,
  unsupported: string | null,
  load: (device: 'cpu' | 'cuda') => Promise<T>,
): Promise<{ native: T; placement: DevicePlacement }> {
  const placement = placeModel(requested, unsupported);
  try {
    return { native: await load(placement.device), placement };
  } catch (error) {
    if (requested !== 'auto' || placement.device !== 'cuda') throw error;
    const fallbackReason = error instanceof Error ? error.message : String(error);
    return { native: await load('cpu'), placement: { device: 'cpu', fallbackReason } };
  }
}

/** Why a transformer folder cannot run on one of sentencekit's own engines (they read safetensors weights), or null. */
export function cudaFolderProblem(transformerDir: string, engine = 'the CUDA engine'): string | null {
  for (const file of ['config.json', 'model.safetensors']) {
    if (!existsSync(join(transformerDir, file))) return `${transformerDir} has no ${file}, which ${engine} reads`;
  }
  return null;
}

/** The same for sentencekit's CPU engine, which also reads a pytorch_model.bin in place of model.safetensors. */
function cpuEngineFolderProblem(transformerDir: string, engine: string): string | null {
  if (existsSync(join(transformerDir, 'config.json')) && existsSync(join(transformerDir, 'pytorch_model.bin'))) return null;
  return cudaFolderProblem(transformerDir, engine);
}

/**
 * What runs the transformer when a model is on the CPU: 'onnxruntime' (the ONNX file), or
 * sentencekit's own CPU engine, which reads model.safetensors and config.json, at one of two
 * precisions: 'int8' (int8 GEMMs) or 'bf16x3' (fp32-accurate GEMMs on AMX-BF16).
 */
export type CpuEngine = 'onnxruntime' | 'int8' | 'bf16x3';
/** The precisions of sentencekit's own CPU engine. */
export type OwnCpuEngine = Exclude<CpuEngine, 'onnxruntime'>;

const CPU_ENGINES: readonly CpuEngine[] = ['onnxruntime', 'int8', 'bf16x3'];

export function validateCpuEngine(value: unknown, name: string): CpuEngine {
  if (value === undefined) return 'onnxruntime';
  if (CPU_ENGINES.includes(value as CpuEngine)) return value as CpuEngine;
  throw new TypeError(`expected ${name} to be 'onnxruntime', 'int8' or 'bf16x3' but received ${describeValue(value)}`);
}

/** Whether cpuEngine is sentencekit's own engine (it reads model.safetensors, not the ONNX file). */
export function isOwnCpuEngine(cpuEngine: CpuEngine): cpuEngine is OwnCpuEngine {
  return cpuEngine !== 'onnxruntime';
}

/**
 * What runs the transformer, named as sentence-transformers' `backend` option names it:
 * 'onnx' (ONNX Runtime on the folder's ONNX file, the default), or sentencekit's own engine
 * from model.safetensors at a precision, 'sentencekit-int8' or 'sentencekit-bf16x3' (the same
 * engines as `cpuEngine` 'int8' / 'bf16x3', which stays as an alias).
 */
export type Backend = 'onnx' | 'sentencekit-int8' | 'sentencekit-bf16x3';

const BACKENDS: Readonly<Record<Backend, CpuEngine>> = { onnx: 'onnxruntime', 'sentencekit-int8': 'int8', 'sentencekit-bf16x3': 'bf16x3' };

/** Where a model runs, resolved and checked once from its load options. */
export interface Placement {
  /** The device asked for; 'auto' is settled when the model loads (loadPlaced). */
  device: Device;
  cudaDtype: CudaDtype;
  /** What runs the transformer when the model lands on the CPU. */
  cpuEngine: CpuEngine;
}

/** Checks device, cudaDtype and backend (or its alias cpuEngine) together: one Placement. */
export function resolvePlacement(options: { device?: unknown; cudaDtype?: unknown; backend?: unknown; cpuEngine?: unknown }): Placement {
  const device = validateDevice(options.device, 'options.device');
  const cudaDtype = validateCudaDtype(options.cudaDtype, 'options.cudaDtype');
  const cpuEngine = validateCpuEngine(options.cpuEngine, 'options.cpuEngine');
  if (options.backend === undefined) return { device, cudaDtype, cpuEngine };
  if (typeof options.backend !== 'string' || !Object.prototype.hasOwnProperty.call(BACKENDS, options.backend)) {
    throw new TypeError(`expected options.backend to be 'onnx', 'sentencekit-int8' or 'sentencekit-bf16x3' but received ${describeValue(options.backend)}`);
  }
  const engine = BACKENDS[options.backend as Backend];
  if (options.cpuEngine !== undefined && engine !== cpuEngine) {
    throw new TypeError(`options.backend '${options.backend}' and options.cpuEngine '${cpuEngine}' disagree; give backend alone`);
  }
  return { device, cudaDtype, cpuEngine: engine };
}

/**
 * The native load options for where the model landed: the CUDA engine's, sentencekit's CPU
 * engine's (ERR_MODEL_LOAD without the files it reads), or none (ONNX Runtime).
 */
export function nativePlacement(placement: Placement, device: 'cpu' | 'cuda', transformerDir: string): { device?: 'cuda'; cudaDtype?: CudaDtype; cpuEngine?: OwnCpuEngine; modelDir?: string } {
  if (device === 'cuda') return { device, modelDir: transformerDir, cudaDtype: placement.cudaDtype };
  const { cpuEngine } = placement;
  if (!isOwnCpuEngine(cpuEngine)) return {};
  const problem = cpuEngineFolderProblem(transformerDir, `cpuEngine '${cpuEngine}'`);
  if (problem !== null) throw new SentenceKitError('ERR_MODEL_LOAD', problem);
  return { cpuEngine, modelDir: transformerDir };
}
