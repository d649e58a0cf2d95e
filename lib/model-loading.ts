/**
 * The part of fromPretrained() every model class shares: options checked, the folder found
 * locally or fetched from the Hub, and the native options for its transformer files.
 * Internal: not exported from the package entry point.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { nativeBinding, type NativeModelOptions } from './binding.js';
import { clipModuleDir } from './clip-model.js';
import { SentenceKitError } from './errors.js';
import { hubOptions, resolveModelFolder, type HubOptions } from './hub.js';
import type { TransformerFiles } from './model-folder.js';
import { transformerFolders } from './transformer-folders.js';
import { type Backend, type CpuEngine, type CudaDtype, type Device, isOwnCpuEngine, type Placement, resolvePlacement } from './device.js';
import { type OptionKeys, validateOptionsObject } from './options.js';
import { describeValue, validateBoolean, validatePositiveInteger } from './validate.js';

/** Options every fromPretrained() takes. */
export interface LoadOptions extends Omit<HubOptions, 'onnxFile'> {
  /** ONNX file inside the model folder, e.g. 'onnx/model_qint8_avx512_vnni.onnx'. Default 'onnx/model.onnx'. */
  fileName?: string;
  /** ONNX Runtime intra-op threads for one run; default one per CPU core. */
  intraOpThreads?: number;
  /**
   * Let ONNX Runtime's threads spin between the parallel sections of a run instead of sleeping.
   * Default true: on a quiet machine it gives lower query latency and higher throughput
   * (bench/RESULTS.md, issue 6); turn it off where other processes share the cores. Spinning
   * always stops when a run returns, so an idle model burns no core.
   */
  allowSpinning?: boolean;
  /**
   * Load the int8 ONNX variant that fits this CPU (model_qint8_avx512_vnni.onnx on AVX-512
   * VNNI, model_quint8_avx2.onnx on AVX2, then model_quantized.onnx; a CLIP model: its towers'
   * onnx/text_model_quantized.onnx and onnx/vision_model_quantized.onnx). Ignored when fileName is given.
   */
  quantized?: boolean;
  /**
   * 'cpu' (default), 'cuda' (sentencekit's CUDA engine; rejects with ERR_CUDA_UNAVAILABLE when it
   * cannot run) or 'auto' (the GPU when usable, else the CPU; see `deviceFallbackReason`).
   */
  device?: Device;
  /** Weights and activations on the GPU: 'float16' (default), 'bfloat16' or 'float32'. */
  cudaDtype?: CudaDtype;
  /**
   * What runs the transformer on the CPU, as sentence-transformers' `backend="onnx"`: 'onnx'
   * (default, ONNX Runtime on the folder's ONNX file), or sentencekit's own engine from
   * model.safetensors, 'sentencekit-int8' or 'sentencekit-bf16x3' (see cpuEngine, its older
   * name, for what each precision does).
   *
   * @example
   * const model = await SentenceTransformer.fromPretrained('./all-MiniLM-L6-v2', { backend: 'sentencekit-bf16x3' });
   */
  backend?: Backend;
  /**
   * The older name of `backend` (still accepted):
   * What runs the transformer when the model is on the CPU: 'onnxruntime' (default, the ONNX
   * file; backend 'onnx'), or sentencekit's own CPU engine, which reads model.safetensors and config.json
   * (BERT/MiniLM, RoBERTa-family and MPNet models; no ONNX export needed), at one of two
   * precisions:
   * - 'int8' quantizes every linear layer per output channel at load and runs its GEMMs on
   *   AMX, else AVX-512 VNNI, else AVX2, as the CPU has them. Its outputs track float32 closely
   *   (bench/RESULTS.md), but are not the ONNX int8 export's.
   * - 'bf16x3' splits weights and activations into two bf16 halves and runs three bf16
   *   products on AMX-BF16 with fp32 accumulation (PyTorch's 'high' float32 matmul
   *   precision): within about 1e-5 of float32 results, at about twice ONNX Runtime's fp32
   *   speed. Without AMX-BF16 it runs float32 FMAs on AVX-512 or AVX2
   *   (`runtimeInfo().bf16x3EngineKernel` is 'avx512' or 'avx2'), else a plain loop
   *   ('portable'): keep 'onnxruntime' there.
   * Its lanes (intraOpThreads, default one per logical CPU) encode separate batches at once. A
   * CrossEncoder's classification head runs in fp32 from the same file; a SparseEncoder's
   * masked-LM decoder is folded into the max pooling, so the [tokens × vocabulary] logits are
   * never kept.
   *
   * @example
   * const model = await SentenceTransformer.fromPretrained('./all-MiniLM-L6-v2', { cpuEngine: 'bf16x3' });
   */
  cpuEngine?: CpuEngine;
  /**
   * Longest input in tokens, special tokens included; longer texts (and pairs, longest_first)
   * are truncated. Default: the model's own (sentence_bert_config.json's max_seq_length, else
   * the smaller of the model's position limit and the tokenizer's). The same as setting
   * `model.maxSeqLength` after loading, as in Python. As in Python, a length past the model's
   * position embeddings is accepted, and a text that runs past them fails when it is encoded
   * (a typed error) while shorter ones encode.
   */
  maxSeqLength?: number;
}

/** The keys of LoadOptions, for the unknown-option check of every fromPretrained(). */
export const LOAD_OPTION_KEYS: OptionKeys<LoadOptions> = {
  revision: true,
  cacheDir: true,
  endpoint: true,
  token: true,
  localFilesOnly: true,
  signal: true,
  fileName: true,
  intraOpThreads: true,
  allowSpinning: true,
  quantized: true,
  device: true,
  cudaDtype: true,
  backend: true,
  cpuEngine: true,
  maxSeqLength: true,
};

// More threads than this is a mistake, not a machine: refused before any thread is made.
const MAX_THREADS = 1024;

function validateThreadCount(value: unknown): number {
  const threads = validatePositiveInteger(value, 'options.intraOpThreads');
  if (threads > MAX_THREADS) throw new RangeError(`expected options.intraOpThreads to be at most ${MAX_THREADS} but received ${threads}`);
  return threads;
}

/** The weights file sentencekit's own engines read in each transformer folder. */
export const SAFETENSORS_WEIGHTS = 'model.safetensors';

/** The int8 exports the Hub's sentence-transformers repositories ship, best first for this CPU. */
export function quantizedCandidates(cpuLevel: string): string[] {
  const avx512 = ['onnx/model_qint8_avx512_vnni.onnx', 'onnx/model_qint8_avx512.onnx'];
  const avx2 = ['onnx/model_quint8_avx2.onnx'];
  const generic = ['onnx/model_quantized.onnx', 'onnx/model_int8.onnx'];
  // sentence-transformers' export_dynamic_quantized_onnx_model(model, 'arm64', …) writes this one.
  const arm64 = ['onnx/model_qint8_arm64.onnx'];
  if (cpuLevel === 'neon' || cpuLevel === 'dotprod' || cpuLevel === 'i8mm') return [...arm64, ...generic];
  return cpuLevel === 'avx512' ? [...avx512, ...avx2, ...generic] : cpuLevel === 'avx2' ? [...avx2, ...generic] : generic;
}

export interface ResolvedLoad<T extends LoadOptions> {
  root: string;
  fileName: string;
  options: Partial<T>;
  runtime: { intraOpThreads: number; allowSpinning: boolean };
  /** device, cudaDtype and backend (cpuEngine), checked once. */
  placement: Placement;
  /** options.maxSeqLength, or 0 for the model's own. */
  maxSeqLength: number;
}

/**
 * Checks the options every class shares, then finds the folder (downloading it when needed).
 * `known` lists every option key of the calling class; `where` names it in messages, e.g.
 * 'SentenceTransformer.fromPretrained() options'.
 */
export async function resolveLoad<T extends LoadOptions>(pathOrId: unknown, options: unknown, known: OptionKeys<T>, where: string): Promise<ResolvedLoad<T>> {
  if (typeof pathOrId !== 'string' || pathOrId.length === 0) {
    throw new TypeError(`expected pathOrId to be a non-empty string but received ${describeValue(pathOrId)}`);
  }
  const opts = validateOptionsObject<T>(options, where, known);
  const maxSeqLength = opts.maxSeqLength === undefined ? 0 : validatePositiveInteger(opts.maxSeqLength, 'options.maxSeqLength');
  if (opts.fileName !== undefined && typeof opts.fileName !== 'string') {
    throw new TypeError(`expected options.fileName to be a string but received ${describeValue(opts.fileName)}`);
  }
  const runtime = {
    intraOpThreads: opts.intraOpThreads === undefined ? 0 : validateThreadCount(opts.intraOpThreads),
    allowSpinning: opts.allowSpinning === undefined ? true : validateBoolean(opts.allowSpinning, 'options.allowSpinning'),
  };
  if (opts.quantized !== undefined) validateBoolean(opts.quantized, 'options.quantized');
  const placement = resolvePlacement(opts);
  // sentencekit's own CPU engine reads each transformer's model.safetensors: no ONNX file is
  // needed (or downloaded), so none may be chosen. Checked before anything is downloaded.
  const { cpuEngine } = placement;
  const ownEngine = isOwnCpuEngine(cpuEngine);
  if (ownEngine && (opts.fileName !== undefined || opts.quantized)) {
    throw new TypeError(`options.fileName and options.quantized choose an ONNX file; cpuEngine '${cpuEngine}' reads model.safetensors instead`);
  }
  const candidates = ownEngine ? [SAFETENSORS_WEIGHTS] : opts.fileName !== undefined ? [opts.fileName] : opts.quantized ? quantizedCandidates(nativeBinding().runtimeInfo().cpuLevel) : ['onnx/model.onnx'];
  let lastError: unknown;
  for (const fileName of candidates) {
    try {
      const root = await resolveModelFolder(pathOrId, { ...hubOptions(opts), onnxFile: fileName });
      // A local folder resolves whatever the file; move on when it lacks this variant. A CLIP
      // folder's int8 exports are named per tower: clip-model.ts chooses among them.
      if (candidates.length > 1 && !existsSync(join(root, fileName)) && !(await hasTransformerFile(root, fileName)) && (await clipModuleDir(root)) === null) {
        lastError = new SentenceKitError('ERR_MODEL_LOAD', `${root} has no ${fileName}`);
        continue;
      }
      return { root, fileName, options: opts, runtime, placement, maxSeqLength };
    } catch (error) {
      if (!(error instanceof SentenceKitError) || error.code !== 'ERR_MODEL_NOT_FOUND' || candidates.length === 1) throw error;
      lastError = error;
    }
  }
  throw new SentenceKitError('ERR_MODEL_LOAD', `${pathOrId} has none of the int8 ONNX files ${candidates.join(', ')}; pass fileName to choose one`, { cause: lastError });
}

/** Whether a transformer module's folder (which may not be the root, or be a Router's route) has `fileName`. */
async function hasTransformerFile(root: string, fileName: string): Promise<boolean> {
  return (await transformerFolders(root)).some((dir) => existsSync(join(root, dir, fileName)));
}

export function nativeModelOptions(files: TransformerFiles, runtime: ResolvedLoad<LoadOptions>['runtime']): NativeModelOptions {
  return {
    modelPath: files.onnxPath,
    tokenizerPath: files.tokenizerPath,
    ...(files.tokenizerJson === undefined ? {} : { tokenizerJson: files.tokenizerJson }),
    maxLength: files.maxSeqLength,
    lowercase: files.doLowerCase,
    ...(files.paddingSide === undefined ? {} : { paddingSide: files.paddingSide }),
    ...(files.truncationSide === undefined ? {} : { truncationSide: files.truncationSide }),
    ...(files.padToken === undefined ? {} : { padToken: files.padToken }),
    ...(files.weightsTable === undefined ? {} : { weightsPath: files.onnxPath, weightsTable: files.weightsTable }),
    ...runtime,
  };
}

/** The folder's files with options.maxSeqLength applied (0 keeps the folder's own). */
export function withMaxSeqLength<F extends TransformerFiles>(files: F, maxSeqLength: number): F {
  return maxSeqLength > 0 ? { ...files, maxSeqLength } : files;
}
