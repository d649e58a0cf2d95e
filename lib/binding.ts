/**
 * Loads the native addon and describes its whole surface in one place. Attempts, in order:
 * $SENTENCEKIT_NATIVE, build/Release (a build from the repository's sources), then this
 * platform's package (@sentencekit/linux-x64-gnu, …: lib/platform-package.ts). If none loads,
 * one error lists every attempt and the command that fixes it.
 * Internal: not exported from the package entry point.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { libConfig } from './config.js';
import type { DenseLayerWeights } from './dense-module.js';
import type { PackedTexts } from './packed-texts.js';
import { SentenceKitError } from './errors.js';
import { packageRoot } from './package-root.js';
import { CUDA_PACKAGE, installAdvice, platformPackageName, runtimePlatform } from './platform-package.js';

/** What every native model loader takes; validated before it gets here. */
export interface NativeModelOptions {
  modelPath: string;
  /** tokenizer.json, or the folder's name for the document in tokenizerJson (named in errors). */
  tokenizerPath: string;
  /** A tokenizer.json document to load instead of reading tokenizerPath. */
  tokenizerJson?: string;
  /** Truncation length in tokens, special tokens included. */
  maxLength: number;
  /** Lowercase before the tokenizer's own normalizer (sentence_bert_config.json do_lower_case). */
  lowercase?: boolean;
  /** tokenizer_config.json's padding_side; without it, tokenizer.json's padding direction. */
  paddingSide?: 'left' | 'right';
  /** tokenizer_config.json's truncation_side; without it, tokenizer.json's truncation direction. */
  truncationSide?: 'left' | 'right';
  /** tokenizer_config.json's pad_token, which batches are padded with; without it, the tokenizer's own. */
  padToken?: string;
  /** sentencekit's CPU engine: a pytorch_model.bin read through weightsTable (a safetensors header over its bytes) in place of model.safetensors. */
  weightsPath?: string;
  weightsTable?: string;
  intraOpThreads?: number;
  allowSpinning?: boolean;
}

export interface NativeSentenceEncoderOptions extends NativeModelOptions {
  pooling: string[];
  dense?: DenseLayerWeights[];
  normalizeModule?: boolean;
  /** 'cuda': the CUDA engine runs the transformer from modelDir's model.safetensors. */
  device?: 'cpu' | 'cuda';
  modelDir?: string;
  cudaDtype?: 'float16' | 'bfloat16' | 'float32';
  /** 'int8' / 'bf16x3': sentencekit's CPU engine runs the transformer at that precision from modelDir's model.safetensors (device 'cpu'). */
  cpuEngine?: 'onnxruntime' | 'int8' | 'bf16x3';
}

export interface NativeEncodeOptions {
  batchSize: number;
  normalize: boolean;
  truncateDim: number;
  promptTokens: number;
  /** Padded tokens per native batch; 0: the engine's default (1,024 on the CPU, 16,384 on CUDA). */
  maxBatchTokens: number;
  /** The most padding per padded token of one native batch, in [0, 1]; 1: no bound. */
  maxPadding: number;
  /** Truncation length of this call (the model's maxSeqLength now); 0 or left out: the one it loaded with. */
  maxLength?: number;
  /** Which end of a long input this call drops; left out: the model's truncation side. */
  truncationSide?: 'left' | 'right';
}

export interface NativeSentenceEncoder {
  readonly dimension: number;
  readonly hiddenSize: number;
  /** Ids encodeIds() takes (the tokenizer's vocabulary, added tokens included); a transformer model only. */
  readonly vocabSize?: number;
  /** Resolves to a [texts.length × (truncateDim || dimension)] row-major matrix in the caller's order. */
  encode(texts: string[] | PackedTexts, options: NativeEncodeOptions): Promise<Float32Array>;
  /**
   * encode() from token ids taken as final (nothing added), row r being the next counts[r] of
   * `ids`, cut to maxLength on the call's truncation side; a transformer model only (not a
   * StaticEmbedding or CLIP model).
   */
  encodeIds?(ids: Int32Array, counts: Int32Array, options: NativeEncodeOptions): Promise<Float32Array>;
  /** Unpadded token embeddings of every text, concatenated; tokenCounts[i] rows belong to text i. */
  encodeTokens(texts: string[] | PackedTexts, batchSize: number, maxLength?: number, options?: { truncationSide?: 'left' | 'right' }): Promise<{ data: Float32Array; tokenCounts: Int32Array }>;
  /** encodeTokens() from token ids (packed as encodeIds() takes them), each row taken as final; a transformer model only. */
  encodeTokenIds?(ids: Int32Array, counts: Int32Array, batchSize: number, maxLength?: number, options?: { truncationSide?: 'left' | 'right' }): Promise<{ data: Float32Array; tokenCounts: Int32Array }>;
  /** The prompt's tokens with special tokens, without a trailing one ([SEP]): what include_prompt: false leaves out. */
  promptLength(prompt: string): number;
  /** The model's tokenizer, truncated to maxLength and padded to the longest text, on the model's owner thread. */
  tokenize(texts: string[] | PackedTexts, maxLength: number, options?: NativeTokenizeOptions): Promise<NativeTokenized>;
  /** Each row of ids back to text through tokenizer.json's decoder (tokenizers' decode_batch), on the model's owner thread. */
  decode(ids: Int32Array[], skipSpecialTokens: boolean): Promise<string[]>;
  /** Runs and allocations of the model's reused ORT tensors and buffers since it loaded. */
  ioStats(): NativeIoStats;
  /** Drops the native model; queued runs finish first on its owner thread, later calls reject. Settles once that thread has exited. */
  dispose(): Promise<void>;
}

/** tokenize()'s result: [rows × length] row-major Int32Arrays. */
export interface NativeTokenized {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
  /** 1 where the post-processor added the token ([CLS], [SEP], …), as tokenizers' special_tokens_mask. */
  specialTokensMask: Int32Array;
  /** With `offsets: true`: [rows × length × 2] each token's UTF-8 byte start and end in its text ({0, 0} for special tokens and padding). */
  offsets?: Uint32Array;
  rows: number;
  length: number;
}

/** tokenize()'s optional third argument (the server's /tokenize). */
export interface NativeTokenizeOptions {
  /** Track each token's place in its text (a slower path than plain tokenization). */
  offsets?: boolean;
  /** false: no post-processor tokens ([CLS], [SEP], …). Default true. */
  addSpecialTokens?: boolean;
}

/** A steady state shows `runs` growing while `tensorsCreated` and `bufferGrowths` stay put. */
export interface NativeIoStats {
  runs: number;
  tensorsCreated: number;
  bufferGrowths: number;
}

export interface NativeCrossEncoder {
  readonly numLabels: number;
  /** Resolves to [pairs × numLabels] raw logits in the caller's order; pairs truncated longest_first to maxLength (0 or left out: the length the model loaded with). */
  predict(firsts: string[] | PackedTexts, seconds: string[] | PackedTexts, batchSize: number, maxLength?: number): Promise<Float32Array>;
  /** predict() for single texts, each encoded alone ([CLS] text [SEP]). */
  predictTexts(texts: string[] | PackedTexts, batchSize: number, maxLength?: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** Compressed sparse rows: row r is indices/values[offsets[r] .. offsets[r + 1]). */
export interface NativeSparseRows {
  indices: Int32Array;
  values: Float32Array;
  offsets: Int32Array;
}

export interface NativeSparseEncoder {
  readonly vocabSize: number;
  /** maxLength: as predict()'s; a static (idf) route ignores it, as Python's SparseStaticEmbedding does. */
  encode(texts: string[] | PackedTexts, batchSize: number, maxActiveDims: number, maxLength?: number): Promise<NativeSparseRows>;
  /** encode() from token ids (packed as NativeSentenceEncoder.encodeIds() takes them), each row taken as final. */
  encodeIds(ids: Int32Array, counts: Int32Array, batchSize: number, maxActiveDims: number, maxLength?: number): Promise<NativeSparseRows>;
  /** Each row of ids back to text through the route's tokenizer.json decoder (tokenizers' decode_batch). */
  decode(ids: Int32Array[], skipSpecialTokens: boolean): Promise<string[]>;
  idsToTokens(ids: Int32Array): Array<string | null>;
  dispose(): Promise<void>;
}

/** The inference-free route of a sparse encoder: idf weights per token, no model run. */
export interface NativeStaticSparseEncoderOptions {
  tokenizerPath: string;
  /** A converted tokenizer.json document to load instead of reading tokenizerPath. */
  tokenizerJson?: string;
  /** Tokens kept per text (no special tokens are added); 0 keeps all. */
  maxLength: number;
  /** One weight per vocabulary id; copied once at load. */
  weights: Float32Array;
}

/** Same surface as NativeSparseEncoder; batchSize changes nothing (no model runs). */
export type NativeStaticSparseEncoder = NativeSparseEncoder;

/** A StaticEmbedding model (tokenizer + embedding table); validated before it gets here. */
export interface NativeStaticEmbeddingOptions {
  /** The module's tokenizer.json. */
  tokenizerPath: string;
  /** model.safetensors holding "embedding.weight" or model2vec's "embeddings" (only named in errors when `table` is given). */
  weightsPath: string;
  /** The table itself, when lib/ read it from a pytorch_model.bin: [rows, dimension] float32. */
  table?: { data: Float32Array; rows: number; dimension: number };
  /** tokenizer.json's truncation.max_length (0: none); no special tokens are added. */
  maxLength: number;
  /** tokenizer.json's truncation direction is Left. */
  truncateLeft: boolean;
  /** Dense modules after the table, in order. */
  dense?: DenseLayerWeights[];
  /** A Normalize module follows (last). */
  normalizeModule: boolean;
}

/** runtimeInfo()'s report (runtime-info.ts). */
export type NativeRuntimeInfo = import('./runtime-info.js').RuntimeInfo;

/** Ranked search results: query q's hits are ids/scores[q * perQuery .. (q + 1) * perQuery). */
export interface NativeSearchResults {
  ids: Int32Array;
  scores: Float32Array;
  perQuery: number;
}

/** A GPU-resident search corpus (an External owned by native code). */
export type NativeDeviceCorpusHandle = object & { readonly __deviceCorpus?: never };

export interface NativeBinding {
  setErrorClass(errorClass: typeof SentenceKitError): void;
  runtimeInfo(): NativeRuntimeInfo;
  /** Whether libsentencekit_cuda.so, a driver, device `device` (default 0) and cuBLASLt are usable. */
  cudaProbe(device?: number): import('./device.js').CudaStatus;
  loadSentenceEncoder(options: NativeSentenceEncoderOptions): Promise<NativeSentenceEncoder>;
  /** device 'cuda': the CUDA engine runs encoder and classification head from modelDir's model.safetensors. */
  /** cpuEngine 'int8' / 'bf16x3': the CPU engine runs the encoder, the head runs in fp32, both from modelDir's model.safetensors. */
  loadCrossEncoder(options: NativeModelOptions & { device?: 'cpu' | 'cuda'; modelDir?: string; cudaDtype?: 'float16' | 'bfloat16' | 'float32'; cpuEngine?: 'onnxruntime' | 'int8' | 'bf16x3' }): Promise<NativeCrossEncoder>;
  /** spladeActivation is SpladePooling's activation_function; default 'relu'. */
  /** device 'cuda': the CUDA engine runs encoder, masked-LM head and SPLADE pooling from modelDir's model.safetensors. */
  loadSparseEncoder(options: NativeModelOptions & { spladeActivation?: 'relu' | 'log1p_relu'; device?: 'cpu' | 'cuda'; modelDir?: string; cudaDtype?: 'float16' | 'bfloat16' | 'float32'; cpuEngine?: 'onnxruntime' | 'int8' | 'bf16x3' }): Promise<NativeSparseEncoder>;
  loadStaticSparseEncoder(options: NativeStaticSparseEncoderOptions): Promise<NativeStaticSparseEncoder>;
  /** The sentence encoder's surface: encode() takes normalize and truncateDim (the rest is ignored), tokenize() and encodeTokens() reject with ERR_INVALID_ARGUMENT. */
  loadStaticEmbedding(options: NativeStaticEmbeddingOptions): Promise<NativeSentenceEncoder>;
  semanticSearch(queries: Float32Array, numQueries: number, corpus: Float32Array, corpusRows: number, dim: number,
    topK: number, score: 'cosine' | 'dot', queryChunkSize: number, corpusChunkSize: number, threads?: number): Promise<NativeSearchResults>;
  searchInt8(queries: Int8Array, numQueries: number, corpus: Int8Array, corpusRows: number, dim: number, topK: number, threads?: number): Promise<NativeSearchResults>;
  /** Scores are Hamming distances, smallest first. */
  searchHamming(queries: Uint8Array, numQueries: number, corpus: Uint8Array, corpusRows: number, bytes: number, topK: number, threads?: number): Promise<NativeSearchResults>;
  rescore(queries: Float32Array, numQueries: number, dim: number, candidates: Int32Array, perQuery: number,
    corpus: Float32Array | Int8Array | Uint8Array, corpusRows: number, kind: 'float32' | 'int8' | 'ubinary', topK: number): Promise<NativeSearchResults>;
  /** Uploads rows (Float32Array for float32/float16, Int8Array for int8) to GPU `device`. */
  cudaCorpusCreate(rows: Float32Array | Int8Array, numRows: number, dim: number, type: 'float32' | 'float16' | 'int8', device: number): Promise<NativeDeviceCorpusHandle>;
  /** At most 1024 hits per query; queries are Float32Array (Int8Array for an int8 corpus). */
  cudaCorpusSearch(handle: NativeDeviceCorpusHandle, queries: Float32Array | Int8Array, numQueries: number, topK: number, cosine: boolean): Promise<NativeSearchResults>;
  /** Frees the GPU rows once no search uses them. */
  cudaCorpusDispose(handle: NativeDeviceCorpusHandle): void;
  /** Writes the [rowsA × rowsB] matrix into `out`; the async form resolves with `out`. */
  similarityMatrix(a: Float32Array, rowsA: number, b: Float32Array, rowsB: number, dim: number,
    fn: 'cosine' | 'dot' | 'euclidean' | 'manhattan', out: Float32Array): void;
  similarityMatrixAsync(a: Float32Array, rowsA: number, b: Float32Array, rowsB: number, dim: number,
    fn: 'cosine' | 'dot' | 'euclidean' | 'manhattan', out: Float32Array): Promise<Float32Array>;
  similarityPairwise(a: Float32Array, b: Float32Array, rows: number, dim: number,
    fn: 'cosine' | 'dot' | 'euclidean' | 'manhattan', out: Float32Array): void;
}

let binding: NativeBinding | undefined;

function describe(error: unknown): string {
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'MODULE_NOT_FOUND') return 'not installed';
  return error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
}

/**
 * The CUDA engine ships in its own opt-in package; the addon opens it from
 * $SENTENCEKIT_CUDA_LIBRARY (native/runtime/cuda_backend.cc), which this points at the installed
 * package unless the user set it. Without the package, device 'cuda' reports the engine missing.
 */
function locateCudaEngine(): void {
  if (process.env.SENTENCEKIT_CUDA_LIBRARY || process.platform !== 'linux') return;
  try {
    process.env.SENTENCEKIT_CUDA_LIBRARY = join(dirname(require.resolve(`${CUDA_PACKAGE}/package.json`)), 'libsentencekit_cuda.so');
  } catch {
    // not installed: the CPU package alone
  }
}

/** The addon, loaded once per process (or worker thread). */
export function nativeBinding(): NativeBinding {
  if (binding) return binding;
  const root = packageRoot();
  const attempts: string[] = [];

  const candidates: Array<[string, () => NativeBinding]> = [];
  const explicit = libConfig().native;
  if (explicit) candidates.push([`$SENTENCEKIT_NATIVE=${explicit}`, () => require(explicit) as NativeBinding]);
  const local = join(root, 'build', 'Release', 'sentencekit.node');
  candidates.push([local, () => {
    if (!existsSync(local)) throw new Error('not built (a build from the sources puts the addon here)');
    return require(local) as NativeBinding;
  }]);
  const platformPackage = `${platformPackageName()}/sentencekit.node`;
  candidates.push([platformPackage, () => {
    locateCudaEngine();
    return require(platformPackage) as NativeBinding;
  }]);

  for (const [where, load] of candidates) {
    try {
      const loaded = load();
      loaded.setErrorClass(SentenceKitError);
      binding = loaded;
      return loaded;
    } catch (error) {
      attempts.push(`  - ${where}: ${describe(error)}`);
    }
  }
  throw new SentenceKitError(
    'ERR_NATIVE_LOAD',
    `sentencekit could not load its native addon for ${runtimePlatform()} (Node ${process.version}). Tried:\n` +
      `${attempts.join('\n')}\n` +
      `Possible fixes:\n${installAdvice().map((line) => `  ${line}`).join('\n')}`,
  );
}
