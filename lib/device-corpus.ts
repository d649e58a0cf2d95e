/**
 * A search corpus uploaded once to the GPU and searched by many query batches: the scores come
 * from one cuBLASLt GEMM per corpus chunk and a fused top-k on the device, and only the hits
 * come back. Results follow semanticSearch's contract (best first, ties to the lower corpus id).
 * Device placement follows the model classes: 'cuda' rejects with ERR_CUDA_UNAVAILABLE when the
 * CUDA engine cannot run, 'auto' falls back to the CPU and says why in `fallbackReason`.
 */
import { nativeBinding, type NativeDeviceCorpusHandle } from './binding.js';
import { placeModel, validateDevice, type Device } from './device.js';
import { Embeddings, type EmbeddingsLike, toEmbeddings } from './embeddings.js';
import { forOffThreadRead } from './off-thread-input.js';
import { validateOptionsObject } from './options.js';
import { SentenceKitError } from './errors.js';
import { quantizeEmbeddings, type QuantizedEmbeddings } from './quantization.js';
import { toHits, type FlatSearchResults, type SearchHit } from './search-results.js';
import { describeValue, validatePositiveInteger } from './validate.js';

/** The most hits per query a GPU search returns. */
export const MAX_DEVICE_TOP_K = 1024;

/** How corpus rows are stored on the GPU. Scores accumulate in fp32 (int32 for int8) in every case. */
export type DeviceCorpusPrecision = 'float32' | 'float16' | 'int8';

/** DeviceCorpus.upload()'s options. */
export interface DeviceCorpusOptions {
  /** 'cpu' (default), 'cuda' or 'auto'. */
  device?: Device;
  /**
   * For float32 Embeddings: 'float32' (default: the CPU search's scores) or 'float16' (half the
   * memory and traffic). An int8 QuantizedEmbeddings corpus is stored as int8.
   */
  precision?: 'float32' | 'float16';
}

/** DeviceCorpus search()'s options. */
export interface DeviceSearchOptions {
  /** Hits per query. Default 10; more than the corpus gives the whole corpus. */
  topK?: number;
  /** 'cosine' (default) or 'dot'. An int8 corpus is searched by 'dot' (exact int32 dot products). */
  scoreFunction?: 'cosine' | 'dot';
}

type Handle = NativeDeviceCorpusHandle;

/**
 * A search corpus uploaded once to the GPU and searched by many query batches (on the CPU when
 * asked for, or when 'auto' falls back). Results follow semanticSearch's contract.
 *
 * @example
 * const corpus = await DeviceCorpus.upload(corpusEmbeddings, { device: 'auto' });
 * const hits = await corpus.search(queryEmbeddings, { topK: 10 });
 * corpus.dispose();
 */
export class DeviceCorpus {
  /** Where the corpus lives: 'cuda', or 'cpu' when asked for or fallen back to. */
  readonly device: 'cpu' | 'cuda';
  /** Why 'auto' chose the CPU; null when it did not fall back. */
  readonly fallbackReason: string | null;
  /** How the rows are stored on the device. */
  readonly precision: DeviceCorpusPrecision;
  /** Number of corpus rows. */
  readonly rows: number;
  /** Width of each row. */
  readonly dimension: number;
  // A private copy of the caller's rows, taken once at upload (none for a SharedArrayBuffer):
  // the GPU upload and every CPU search read it off the JavaScript thread, where the caller's
  // own buffer could be transferred or shrunk meanwhile. The CPU path searches it, and a GPU
  // corpus placed by 'auto' uses it for a topK beyond MAX_DEVICE_TOP_K.
  readonly #host: Embeddings | QuantizedEmbeddings;
  readonly #requested: Device;
  #handle: Handle | null;
  #disposed = false;

  private constructor(host: Embeddings | QuantizedEmbeddings, requested: Device, handle: Handle | null, fallbackReason: string | null, precision: DeviceCorpusPrecision) {
    this.#host = host;
    this.#requested = requested;
    this.#handle = handle;
    this.device = handle === null ? 'cpu' : 'cuda';
    this.fallbackReason = fallbackReason;
    this.precision = precision;
    this.rows = host.rows;
    this.dimension = host.dimension;
  }

  /**
   * Uploads `corpus` (float32 Embeddings, or int8 QuantizedEmbeddings with their ranges).
   *
   * @example
   * const corpus = await DeviceCorpus.upload(await model.encode(documents), { device: 'cuda', precision: 'float16' });
   * const hits = await corpus.search(await model.encode(queries), { topK: 10 });
   * corpus.dispose();
   */
  static async upload(corpus: Embeddings | QuantizedEmbeddings, options: DeviceCorpusOptions = {}): Promise<DeviceCorpus> {
    const opts = validateOptionsObject<DeviceCorpusOptions>(options, 'DeviceCorpus.upload() options', { device: true, precision: true });
    const requested = validateDevice(opts.device, 'options.device');
    let precision: DeviceCorpusPrecision;
    if (corpus instanceof Embeddings) {
      const wanted = opts.precision ?? 'float32';
      if (wanted !== 'float32' && wanted !== 'float16') {
        throw new TypeError(`expected options.precision to be 'float32' or 'float16' but received ${describeValue(wanted)}`);
      }
      precision = wanted;
    } else if (corpus !== null && typeof corpus === 'object' && (corpus as QuantizedEmbeddings).precision === 'int8') {
      if (opts.precision !== undefined) throw new TypeError('expected no options.precision for an int8 corpus (it is stored as int8)');
      if (!corpus.ranges) throw new RangeError('the int8 corpus carries no ranges to quantize queries with; quantize it with quantizeEmbeddings');
      precision = 'int8';
    } else {
      throw new TypeError(`expected corpus to be Embeddings or int8 QuantizedEmbeddings but received ${describeValue(corpus)}`);
    }
    const length = corpus instanceof Embeddings ? corpus.rows * corpus.dimension : corpus.rows * corpus.bytesPerRow;
    const data = forOffThreadRead(corpus.data, length, false, 'corpus');
    corpus = corpus instanceof Embeddings ? new Embeddings(data as Float32Array, corpus.rows, corpus.dimension) : { ...corpus, data: data as Int8Array };
    const placement = placeModel(requested, null);
    if (placement.device === 'cpu' || corpus.rows === 0) {
      return new DeviceCorpus(corpus, requested, null, placement.fallbackReason, precision);
    }
    try {
      const handle = await nativeBinding().cudaCorpusCreate(corpus.data as Float32Array | Int8Array, corpus.rows, corpus.dimension, precision, 0);
      return new DeviceCorpus(corpus, requested, handle, null, precision);
    } catch (error) {
      if (requested === 'auto' && error instanceof SentenceKitError && error.code === 'ERR_CUDA_UNAVAILABLE') {
        return new DeviceCorpus(corpus, requested, null, error.message, precision);
      }
      throw error;
    }
  }

  /** For each query, the topK best corpus rows as flat typed arrays (see FlatSearchResults). */
  async searchFlat(queriesLike: EmbeddingsLike, options: DeviceSearchOptions = {}): Promise<FlatSearchResults> {
    const opts = validateOptionsObject<DeviceSearchOptions>(options, 'DeviceCorpus search options', { topK: true, scoreFunction: true });
    const queries = toEmbeddings(queriesLike, 'queries');
    if (queries.dimension !== this.dimension) {
      throw new RangeError(`expected queries of dimension ${this.dimension} but received ${queries.dimension}`);
    }
    const topK = opts.topK === undefined ? 10 : validatePositiveInteger(opts.topK, 'options.topK');
    const int8 = this.precision === 'int8';
    const scoreFunction = opts.scoreFunction ?? (int8 ? 'dot' : 'cosine');
    if (scoreFunction !== 'cosine' && scoreFunction !== 'dot') {
      throw new TypeError(`expected options.scoreFunction to be 'cosine' or 'dot' but received ${describeValue(scoreFunction)}`);
    }
    if (int8 && scoreFunction !== 'dot') throw new TypeError(`expected options.scoreFunction 'dot' for an int8 corpus but received '${scoreFunction}'`);
    if (this.#disposed) throw new SentenceKitError('ERR_DISPOSED', 'this DeviceCorpus has been disposed');
    const onGpu = this.#handle !== null && Math.min(topK, this.rows) <= MAX_DEVICE_TOP_K;
    if (this.#handle !== null && !onGpu && this.#requested === 'cuda') {
      throw new RangeError(`expected options.topK of at most ${MAX_DEVICE_TOP_K} on device 'cuda' but received ${topK}`);
    }
    const binding = nativeBinding();
    if (int8) {
      const host = this.#host as QuantizedEmbeddings;
      const q = quantizeEmbeddings(queries, 'int8', { ranges: host.ranges as Embeddings }).data as Int8Array;
      if (onGpu) return nativeBinding().cudaCorpusSearch(this.#handle as Handle, q, queries.rows, topK, false);
      return binding.searchInt8(q, queries.rows, host.data as Int8Array, host.rows, host.dimension, topK);
    }
    const queryRows = forOffThreadRead(queries.data, queries.rows * queries.dimension, queries !== queriesLike, 'queries');
    if (onGpu) return nativeBinding().cudaCorpusSearch(this.#handle as Handle, queryRows, queries.rows, topK, scoreFunction === 'cosine');
    const host = this.#host as Embeddings;
    return binding.semanticSearch(queryRows, queries.rows, host.data, host.rows, host.dimension, topK, scoreFunction, 100, 500000);
  }

  /** For each query, the topK best corpus rows, best first, ties to the lower id. */
  async search(queriesLike: EmbeddingsLike, options: DeviceSearchOptions = {}): Promise<SearchHit[][]> {
    const queries = toEmbeddings(queriesLike, 'queries');
    return toHits(await this.searchFlat(queries, options), queries.rows);
  }

  /** Frees the GPU copy (after any search in flight). Later searches reject with ERR_DISPOSED. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#handle !== null) nativeBinding().cudaCorpusDispose(this.#handle);
    this.#handle = null;
  }
}
