/**
 * SentenceTransformer: a bi-encoder loaded from a sentence-transformers model folder (or the
 * Hub), encoding texts natively off the event loop.
 */
import { nativeBinding, type NativeEncodeOptions, type NativeSentenceEncoder, type NativeTokenizeOptions } from './binding.js';
import { cudaFolderProblem, type DevicePlacement, loadPlaced, nativePlacement } from './device.js';
import { Embeddings, type EmbeddingsLike } from './embeddings.js';
import { EncodeScheduler, type SchedulerRun } from './encode-scheduler.js';
import { LOAD_OPTION_KEYS, type LoadOptions, nativeModelOptions, resolveLoad, withMaxSeqLength } from './model-loading.js';
import { expectModelClass } from './model-class.js';
import { type OptionKeys, validateOptionsObject } from './options.js';
import { returnsTokenTypeIds, type TokenizedBatch } from './tokenized.js';
import { NativeModelHandle } from './native-model-handle.js';
import { packTexts } from './packed-texts.js';
import { readSentenceTransformerFolder, type SentenceTransformerFolder, type SimilarityFunctionName } from './model-folder.js';
import { PRECISIONS, type Precision, quantizeEmbeddings, type QuantizedEmbeddings } from './quantization.js';
import { similarity, similarityPairwise } from './similarity.js';
import { isStaticEmbeddingFolder, loadStaticEmbedding, type StaticEmbeddingFolder } from './static-embedding.js';
import { clipImageRunner, clipModuleDir, clipTextEncoder, type IndexedImage, loadClipModel } from './clip-model.js';
import type { ImageInput } from './image-input.js';
import { mergeRows, splitInputs } from './mixed-inputs.js';
import { packTokenIds, type TokenIdRow, validateTokenIds } from './token-ids.js';
import { describeValue, validateBoolean, validateNonNegativeNumber, validatePositiveInteger, validateTexts, validateUnitInterval } from './validate.js';

// Measured with bench/encode/callers.ts (bench/RESULTS.md): 64 callers of one text each.
const DEFAULT_MAX_BATCH_PADDING = 0.1;

export interface SentenceTransformerOptions extends LoadOptions {
  /** Concurrent encode() calls are merged into native runs of at most this many texts. Default 256. */
  maxBatchTexts?: number;
  /** How long a call waits for concurrent ones to join its run, in ms. Default 0 (the current tick). */
  maxWaitMs?: number;
  /**
   * Cut model batches by padded tokens too (rows × longest input), so outliers do not pad a
   * whole batch and a batch's activations stay in cache. Default: 1,024 on the CPU (on
   * all-MiniLM-L6-v2's shape 1.3-1.5× the throughput of 16,384, bench/RESULTS.md), 16,384 on
   * CUDA; batchSize still caps the rows.
   */
  maxBatchTokens?: number;
  /**
   * The most padding a model batch may hold, as a share of its padded tokens (0–1): a batch
   * ends where the next, shorter input would take it over. Runs merged from concurrent callers
   * mix unrelated lengths; this keeps them from being padded to their longest member (a batch
   * of one is never padded). Default 0.1; 1 turns it off.
   */
  maxBatchPadding?: number;
  /**
   * Keep only the first `truncateDim` dimensions of every embedding encode() returns
   * (Matryoshka models), as Python's `SentenceTransformer(path, truncate_dim=…)`; encode()'s
   * own truncateDim wins. Default: config_sentence_transformers.json's truncate_dim, else none.
   */
  truncateDim?: number;
}

export interface EncodeOptions {
  /** Texts per model run. Default 32, as in sentence-transformers. */
  batchSize?: number;
  /** L2-normalize each embedding after truncation (a Normalize module normalizes before it). Default false. */
  normalizeEmbeddings?: boolean;
  /** Prepended to every text; overrides promptName and the default prompt. */
  prompt?: string;
  /** A prompt the model defines by name (config_sentence_transformers.json), e.g. 'query'. */
  promptName?: string;
  /** Keep only the first `truncateDim` dimensions (Matryoshka models). */
  truncateDim?: number;
  /** 'float32' (default) or a quantized precision: 'int8' | 'uint8' | 'binary' | 'ubinary'. */
  precision?: Precision;
  /**
   * Which end of a text longer than maxSeqLength is dropped, for this call: 'right' keeps the
   * start, 'left' the end (transformers' `tokenizer.truncation_side`, TEI's
   * truncation_direction). Default: the model's own (tokenizer_config.json's truncation_side,
   * else tokenizer.json's truncation direction, else 'right').
   */
  truncationSide?: 'left' | 'right';
}

/** encodeTokenIds()' options: encode()'s, less the prompts (the ids are the whole input). */
export type TokenIdsEncodeOptions = Omit<EncodeOptions, 'prompt' | 'promptName'>;

/** What encode() takes: a text, or (a CLIP model) an image, or an array of either. */
export type EncodeInputs = string | string[] | ImageInput | Array<string | ImageInput>;

/** encode()'s options without `precision`, or with `precision: 'float32'`: the result is Embeddings. */
export type FloatEncodeOptions = EncodeOptions & {
  /** 'float32' or left out. */
  precision?: 'float32';
};
/** encode()'s options with a quantized `precision`: the result is QuantizedEmbeddings. */
export type QuantizedEncodeOptions = EncodeOptions & {
  /** 'int8' | 'uint8' | 'binary' | 'ubinary'. */
  precision: Exclude<Precision, 'float32'>;
};

const LOAD_KEYS: OptionKeys<SentenceTransformerOptions> = { ...LOAD_OPTION_KEYS, maxBatchTexts: true, maxWaitMs: true, maxBatchTokens: true, maxBatchPadding: true, truncateDim: true };
/** A static model's most texts in one native run (its rows at 1,024 floats: 1 GiB). */
const STATIC_MAX_RUN_TEXTS = 262144;
const ENCODE_KEYS: OptionKeys<EncodeOptions> = { batchSize: true, normalizeEmbeddings: true, prompt: true, promptName: true, truncateDim: true, precision: true, truncationSide: true };
const { promptName: _promptName, ...TASK_ENCODE_KEYS } = ENCODE_KEYS;
const { prompt: _prompt, ...TOKEN_IDS_KEYS } = TASK_ENCODE_KEYS;
/** encodeTokenEmbeddings()' options. */
type TokenEmbeddingOptions = Pick<EncodeOptions, 'batchSize' | 'prompt' | 'promptName' | 'truncationSide'>;
const TOKEN_EMBEDDING_KEYS: OptionKeys<TokenEmbeddingOptions> = { batchSize: true, prompt: true, promptName: true, truncationSide: true };
const { prompt: _tokenPrompt, promptName: _tokenPromptName, ...TOKEN_ID_EMBEDDING_KEYS } = TOKEN_EMBEDDING_KEYS;

/** Native encodeTokens()' result as one [tokens × hidden] matrix per input, views on its buffer. */
function tokenMatrices({ data, tokenCounts }: { data: Float32Array; tokenCounts: Int32Array }): Embeddings[] {
  const hidden = tokenCounts.length === 0 ? 0 : data.length / tokenCounts.reduce((a, b) => a + b, 0);
  let offset = 0;
  return Array.from(tokenCounts, (count) => {
    const rows = new Embeddings(data.subarray(offset * hidden, (offset + count) * hidden), count, hidden);
    offset += count;
    return rows;
  });
}

/**
 * A sentence-transformers bi-encoder.
 *
 * @example
 * import { SentenceTransformer } from 'sentencekit';
 * const model = await SentenceTransformer.fromPretrained('sentence-transformers/all-MiniLM-L6-v2');
 * const embeddings = await model.encode(['The cat sits outside', 'A man is playing guitar']);
 * console.log(embeddings.shape); // [2, 384]
 * await model.dispose();
 */
export class SentenceTransformer {
  readonly #handle: NativeModelHandle<NativeSentenceEncoder>;
  readonly #folder: SentenceTransformerFolder;
  readonly #scheduler: EncodeScheduler;
  /** encodeTokenIds()' runs, merged across callers as texts are; null for a model that takes text only. */
  readonly #ids: EncodeScheduler<TokenIdRow> | null;
  readonly #maxBatchTokens: number;
  readonly #maxBatchPadding: number;
  readonly #tokenTypeIds: boolean;
  readonly #fullDimension: number;
  /** A StaticEmbedding model: a table mean per text, no transformer, no max_seq_length. */
  readonly #static: boolean;
  /** A CLIP model's images, batched as texts are; null for a text-only model. */
  readonly #images: EncodeScheduler<IndexedImage> | null;
  #maxSeqLength: number;
  #truncateDim: number | null;
  /** Where the transformer runs: 'cpu' (ONNX Runtime) or 'cuda' (sentencekit's CUDA engine). */
  readonly device: 'cpu' | 'cuda';
  /** Why device 'auto' chose the CPU; null when it did not fall back. */
  readonly deviceFallbackReason: string | null;

  private constructor(
    native: NativeSentenceEncoder,
    folder: SentenceTransformerFolder,
    scheduling: { maxBatchTexts: number; maxWaitMs: number; maxBatchTokens: number; maxBatchPadding: number },
    placement: DevicePlacement,
    tokenTypeIds: boolean,
    isStatic = false,
    runImages: ((images: IndexedImage[], options: NativeEncodeOptions) => Promise<Float32Array>) | null = null,
  ) {
    this.#tokenTypeIds = tokenTypeIds;
    this.#static = isStatic;
    this.#images = runImages === null ? null : new EncodeScheduler<IndexedImage>(runImages, scheduling);
    this.device = placement.device;
    this.deviceFallbackReason = placement.fallbackReason;
    this.#handle = new NativeModelHandle(native, 'this SentenceTransformer');
    this.#folder = folder;
    this.#maxBatchTokens = scheduling.maxBatchTokens;
    this.#maxBatchPadding = scheduling.maxBatchPadding;
    // A static model's run holds only token ids besides its rows, and has no batches to fill:
    // parts of MAX_RUN_TEXTS would only add a copy of every row into the joined result.
    this.#scheduler = new EncodeScheduler(async (texts, options) => native.encode(await packTexts(texts), options),
      isStatic ? { ...scheduling, maxRunTexts: STATIC_MAX_RUN_TEXTS } : scheduling);
    const encodeIds = native.encodeIds?.bind(native);
    this.#ids = encodeIds === undefined ? null : new EncodeScheduler<TokenIdRow>((rows, options) => {
      const { ids, counts } = packTokenIds(rows);
      return encodeIds(ids, counts, options);
    }, scheduling);
    this.#fullDimension = native.dimension;
    this.#maxSeqLength = folder.maxSeqLength;
    this.#truncateDim = folder.truncateDim;
  }

  /**
   * Loads a model from a local folder in the sentence-transformers layout, or downloads one
   * from the Hugging Face Hub by id (into the same cache Python uses). An option it does not
   * know is a TypeError naming the nearest valid one.
   *
   * @example
   * const model = await SentenceTransformer.fromPretrained('sentence-transformers/all-MiniLM-L6-v2');
   * const local = await SentenceTransformer.fromPretrained('./my-model', { cpuEngine: 'int8', maxSeqLength: 256 });
   */
  static async fromPretrained(pathOrId: string, options: SentenceTransformerOptions = {}): Promise<SentenceTransformer> {
    const { root, fileName, options: opts, runtime, placement: where, maxSeqLength } = await resolveLoad<SentenceTransformerOptions>(pathOrId, options, LOAD_KEYS, 'SentenceTransformer.fromPretrained() options');
    const maxBatchTexts = opts.maxBatchTexts === undefined ? 256 : validatePositiveInteger(opts.maxBatchTexts, 'options.maxBatchTexts');
    const maxWaitMs = opts.maxWaitMs === undefined ? 0 : validateNonNegativeNumber(opts.maxWaitMs, 'options.maxWaitMs');
    // 0: the engine's default for the device the model lands on.
    const maxBatchTokens = opts.maxBatchTokens === undefined ? 0 : validatePositiveInteger(opts.maxBatchTokens, 'options.maxBatchTokens');
    const maxBatchPadding = opts.maxBatchPadding === undefined ? DEFAULT_MAX_BATCH_PADDING : validateUnitInterval(opts.maxBatchPadding, 'options.maxBatchPadding');
    const truncateDim = opts.truncateDim === undefined ? undefined : validatePositiveInteger(opts.truncateDim, 'options.truncateDim');
    await expectModelClass(root, 'SentenceTransformer');
    const scheduling = { maxBatchTexts, maxWaitMs, maxBatchTokens, maxBatchPadding };
    if (await isStaticEmbeddingFolder(root)) {
      // sentence-transformers' StaticEmbedding: no transformer runs, so there is no engine,
      // ONNX file or sequence length to choose (Python's max_seq_length is inf).
      if (maxSeqLength > 0) throw new TypeError('options.maxSeqLength does not apply to a StaticEmbedding model: it has no max_seq_length (only its tokenizer.json truncates)');
      const { native, folder: staticFolder, placement } = await loadStaticEmbedding(root, where.device);
      const folder = truncateDim === undefined ? staticFolder : { ...staticFolder, truncateDim };
      return new SentenceTransformer(native, folder, scheduling, placement, false, true);
    }
    if ((await clipModuleDir(root)) !== null) {
      // The towers run on the own CPU engine from model.safetensors, or through ONNX Runtime on
      // an export (clip-model.ts: chooseClipEngine).
      if (maxSeqLength > 0) throw new TypeError("options.maxSeqLength does not apply to a CLIP model: its text tower takes its tokenizer's 77 tokens");
      const { native, folder: clipFolder, placement } = await loadClipModel(root, where.device, {
        explicit: options.backend !== undefined || options.cpuEngine !== undefined,
        cpuEngine: where.cpuEngine,
        fileName: opts.fileName,
        quantized: opts.quantized === true,
        ...runtime,
      });
      const folder = truncateDim === undefined ? clipFolder : { ...clipFolder, truncateDim };
      const runImages = clipImageRunner(native, clipFolder.imageProcessor, clipFolder.normalize);
      return new SentenceTransformer(clipTextEncoder(native, clipFolder.normalize), folder, scheduling, placement, false, false, runImages);
    }
    const read = withMaxSeqLength(await readSentenceTransformerFolder(root, { fileName }), maxSeqLength);
    const folder = truncateDim === undefined ? read : { ...read, truncateDim };
    const { native, placement } = await loadPlaced(where.device, cudaFolderProblem(folder.transformerDir), (device) =>
      nativeBinding().loadSentenceEncoder({
        ...nativeModelOptions(folder, runtime),
        pooling: folder.pooling.modes,
        dense: folder.dense,
        normalizeModule: folder.normalize,
        ...nativePlacement(where, device, folder.transformerDir),
      }));
    return new SentenceTransformer(native, folder, scheduling, placement, await returnsTokenTypeIds(folder.transformerDir));
  }

  /**
   * Longest input in tokens (special tokens included); longer texts are truncated. Settable,
   * as Python's `model.max_seq_length = n`: the next encode() uses it. A length past the
   * model's position embeddings is accepted, as in Python; a text that then runs past them
   * fails when encoded. A StaticEmbedding model has none: Infinity, as Python's `inf`, and
   * setting it is a TypeError.
   *
   * @example
   * model.maxSeqLength = 256;
   */
  get maxSeqLength(): number {
    return this.#maxSeqLength;
  }

  /** Sets the truncation length for the next calls: a positive integer (TypeError / RangeError otherwise). */
  set maxSeqLength(value: number) {
    if (this.#static) throw new TypeError('a StaticEmbedding model has no max_seq_length to set (only its tokenizer.json truncates)');
    this.#maxSeqLength = validatePositiveInteger(value, 'maxSeqLength');
  }

  /**
   * Width of each embedding encode() returns: the model's, or truncateDim when smaller (Python's
   * get_embedding_dimension()).
   */
  get dimension(): number {
    return this.#truncateDim === null ? this.#fullDimension : Math.min(this.#truncateDim, this.#fullDimension);
  }

  /**
   * The dimension encode() truncates embeddings to when its options give none (Python's
   * `truncate_dim`), or null for none. Settable, as in Python.
   *
   * @example
   * model.truncateDim = 64; // Matryoshka: the first 64 dimensions
   */
  get truncateDim(): number | null {
    return this.#truncateDim;
  }

  /** Sets the default truncateDim: a positive integer, or null for none. */
  set truncateDim(value: number | null) {
    this.#truncateDim = value === null ? null : validatePositiveInteger(value, 'truncateDim');
  }

  /**
   * What encode() takes: ['text'], or ['text', 'image'] for a CLIP model (Python's
   * `model.modalities`).
   */
  get modalities(): readonly ('text' | 'image')[] {
    return this.#images === null ? ['text'] : ['text', 'image'];
  }

  /** The similarity function the model was trained for (config_sentence_transformers.json). */
  get similarityFnName(): SimilarityFunctionName {
    return this.#folder.similarityFnName;
  }

  /** Prompts the model defines by name (config_sentence_transformers.json). */
  get prompts(): Readonly<Record<string, string>> {
    return this.#folder.prompts;
  }

  /** The prompt name encode() uses when given none (config_sentence_transformers.json). */
  get defaultPromptName(): string | null {
    return this.#folder.defaultPromptName;
  }

  /**
   * Encodes one text or many. The result is one flat Float32Array with its shape; a single
   * string gives one row. Texts are sorted by length into batches and returned in your order.
   * With `precision` other than float32 the result is quantized (see quantizeEmbeddings).
   *
   * A CLIP model also takes images (see {@link ImageInput}: `{ path }`, encoded bytes, raw
   * pixels), alone or mixed with texts in one array; rows come back in the array's order, as in
   * Python. Images are decoded and preprocessed off the event loop while the model runs; a bad
   * image rejects with a typed error whose `index` names it (ERR_IMAGE_DECODE,
   * ERR_IMAGE_TOO_LARGE, …), and other callers' inputs are not lost. Prompts apply to texts only.
   *
   * @example
   * const { data, shape } = await model.encode(['hello', 'world'], { batchSize: 64, normalizeEmbeddings: true });
   * const clip = await SentenceTransformer.fromPretrained('sentence-transformers/clip-ViT-B-32');
   * const mixed = await clip.encode([{ path: 'dog.jpg' }, 'a dog in the snow']); // shape [2, 512]
   */
  encode(texts: EncodeInputs, options?: FloatEncodeOptions): Promise<Embeddings>;
  encode(texts: EncodeInputs, options: QuantizedEncodeOptions): Promise<QuantizedEmbeddings>;
  encode(texts: EncodeInputs, options?: EncodeOptions): Promise<Embeddings | QuantizedEmbeddings>;
  async encode(texts: EncodeInputs, options: EncodeOptions = {}): Promise<Embeddings | QuantizedEmbeddings> {
    this.#handle.ensureOpen();
    const split = splitInputs(texts);
    const first = split.images[0];
    if (first !== undefined && this.#images === null) {
      throw new TypeError(`expected texts but input ${first.index} is an image: this model takes text only (a CLIP model embeds images)`);
    }
    const list = split.texts;
    const opts = validateOptionsObject<EncodeOptions>(options, 'encode() options', ENCODE_KEYS);
    const { precision, dimension, native: common } = this.#callOptions(opts);
    const prompt = this.#resolvePrompt(opts.prompt, opts.promptName);

    // do_lower_case is a Lowercase normalizer inside the native tokenizer, as in sentence-transformers.
    const inputs = prompt ? list.map((text) => prompt + text) : list;
    // include_prompt: false leaves the prompt's tokens ([CLS] included, its [SEP] not) out of pooling.
    const promptTokens = prompt && !this.#folder.pooling.includePrompt ? this.#handle.native.promptLength(prompt) : 0;
    const nativeOptions = { ...common, promptTokens };
    const [textRows, imageRows] = await Promise.all([
      list.length === 0 ? new Float32Array(0) : this.#handle.run(() => this.#scheduler.submit(inputs, nativeOptions)),
      split.images.length === 0 || this.#images === null ? new Float32Array(0) : this.#handle.run(() => (this.#images as EncodeScheduler<IndexedImage>).submit(split.images, nativeOptions)),
    ]);
    const data = mergeRows(split, textRows, imageRows, dimension);
    const embeddings = new Embeddings(data, split.count, dimension);
    return precision === 'float32' ? embeddings : quantizeEmbeddings(embeddings, precision);
  }

  /**
   * encode() from token ids instead of texts, as feeding `input_ids` to the model's forward
   * in Python: each row is taken as the model's whole input, nothing added ([CLS] / [SEP] only
   * where the row has them, as `tokenize()` gives them) and no prompt, cut to maxSeqLength on
   * the truncation side like text. One row (`number[]`, Int32Array, Uint32Array) gives one
   * embedding; an array of rows, one each. An id outside the model's vocabulary is a
   * RangeError. A transformer model only: a StaticEmbedding or CLIP model takes text.
   *
   * @example
   * const { inputIds, shape } = await model.tokenize('The cat sits outside');
   * const same = await model.encodeTokenIds(Array.from(inputIds)); // equals model.encode('The cat sits outside')
   */
  encodeTokenIds(ids: TokenIdRow | readonly TokenIdRow[], options?: Omit<FloatEncodeOptions, 'prompt' | 'promptName'>): Promise<Embeddings>;
  encodeTokenIds(ids: TokenIdRow | readonly TokenIdRow[], options: Omit<QuantizedEncodeOptions, 'prompt' | 'promptName'>): Promise<QuantizedEmbeddings>;
  encodeTokenIds(ids: TokenIdRow | readonly TokenIdRow[], options?: TokenIdsEncodeOptions): Promise<Embeddings | QuantizedEmbeddings>;
  async encodeTokenIds(ids: TokenIdRow | readonly TokenIdRow[], options: TokenIdsEncodeOptions = {}): Promise<Embeddings | QuantizedEmbeddings> {
    this.#handle.ensureOpen();
    const vocabSize = this.#handle.native.vocabSize;
    if (this.#ids === null || vocabSize === undefined) {
      throw new TypeError(`encodeTokenIds() needs a transformer model: a ${this.#static ? 'StaticEmbedding' : 'CLIP'} model takes text (encode())`);
    }
    const { rows } = validateTokenIds(ids, vocabSize);
    const opts = validateOptionsObject<TokenIdsEncodeOptions>(options, 'encodeTokenIds() options', TOKEN_IDS_KEYS);
    const { precision, dimension, native } = this.#callOptions(opts);
    const scheduler = this.#ids;
    const data = rows.length === 0 ? new Float32Array(0) : await this.#handle.run(() => scheduler.submit(rows, { ...native, promptTokens: 0 }));
    const embeddings = new Embeddings(data, rows.length, dimension);
    return precision === 'float32' ? embeddings : quantizeEmbeddings(embeddings, precision);
  }

  /** options.truncationSide checked: 'left', 'right' or undefined (the model's own). */
  #truncationSide(side: unknown): 'left' | 'right' | undefined {
    if (side === undefined) return undefined;
    if (side !== 'left' && side !== 'right') throw new TypeError(`expected options.truncationSide to be 'left' or 'right' but received ${describeValue(side)}`);
    // Both truncate on their tokenizer.json's own terms (no max_seq_length, a fixed 77 tokens).
    if (this.#static || this.#images !== null) throw new TypeError(`options.truncationSide does not apply to a ${this.#static ? 'StaticEmbedding' : 'CLIP'} model`);
    return side;
  }

  /** What encode() and encodeTokenIds() read alike from their options. */
  #callOptions(opts: Partial<TokenIdsEncodeOptions>): { precision: Precision; dimension: number; native: Omit<NativeEncodeOptions, 'promptTokens'> } {
    const batchSize = opts.batchSize === undefined ? 32 : validatePositiveInteger(opts.batchSize, 'options.batchSize');
    const normalize = opts.normalizeEmbeddings === undefined ? false : validateBoolean(opts.normalizeEmbeddings, 'options.normalizeEmbeddings');
    const truncateDim = opts.truncateDim === undefined ? this.#truncateDim ?? 0 : validatePositiveInteger(opts.truncateDim, 'options.truncateDim');
    const precision = opts.precision ?? 'float32';
    if (!PRECISIONS.includes(precision)) {
      throw new TypeError(`expected options.precision to be one of ${PRECISIONS.join(', ')} but received ${describeValue(precision)}`);
    }
    const side = this.#truncationSide(opts.truncationSide);
    const dimension = truncateDim > 0 ? Math.min(truncateDim, this.#fullDimension) : this.#fullDimension;
    return {
      precision,
      dimension,
      native: {
        batchSize, normalize, truncateDim, maxBatchTokens: this.#maxBatchTokens, maxPadding: this.#maxBatchPadding,
        maxLength: this.#static ? 0 : this.#maxSeqLength, ...(side === undefined ? {} : { truncationSide: side }),
      },
    };
  }

  /**
   * sentence-transformers' `model.tokenize(texts)`: the model's tokenizer (lowercasing when
   * the model does), truncated to maxSeqLength and padded to the longest text, on the model's
   * own thread. No prompt is added, as in Python. A StaticEmbedding model's rows hold the ids
   * its mean is taken over (no special tokens; only its tokenizer.json truncates): Python's flat
   * `input_ids` are the rows' unpadded ids in order and its `offsets` each row's start.
   *
   * @example
   * const { inputIds, attentionMask, shape } = await model.tokenize(['The cat sits outside', 'Hi']);
   * shape; // [2, longest text's token count]
   */
  async tokenize(texts: string | string[]): Promise<TokenizedBatch> {
    this.#handle.ensureOpen();
    const { texts: list } = validateTexts(texts);
    const packed = await packTexts(list);
    // A StaticEmbedding model: StaticEmbedding.preprocess's ids (no special tokens, only
    // tokenizer.json's truncation), padded into rows here where Python returns them flat.
    const result = await this.#handle.run((native) => (this.#static
      ? native.tokenize(packed, (this.#folder as StaticEmbeddingFolder).tokenizerMaxLength, { addSpecialTokens: false })
      : native.tokenize(packed, this.#maxSeqLength)));
    return {
      inputIds: result.inputIds,
      attentionMask: result.attentionMask,
      ...(this.#tokenTypeIds ? { tokenTypeIds: result.tokenTypeIds } : {}),
      shape: [result.rows, result.length],
    };
  }

  /**
   * Calls `observer` as each merged native run of encode() starts (inputs, merged callers,
   * inputs queued behind it): the server's batch-size and queue-depth metrics.
   * @internal
   */
  observeRuns(observer: (run: SchedulerRun) => void): void {
    this.#scheduler.observe(observer);
  }

  /**
   * Each text's token ids and special-token flags (1 where the post-processor added the token),
   * special tokens included and nothing truncated, one row per text (padding dropped): what the server checks against maxSeqLength (TEI refuses an over-long
   * input unless asked to truncate), reports as usage and answers /tokenize with. With
   * `offsets`, each token's UTF-8 byte start and end in its text as well (two per token);
   * `addSpecialTokens: false` leaves the post-processor's tokens out. Runs on the model's own
   * thread like tokenize().
   * @internal
   */
  async untruncatedTokens(texts: string[], options: NativeTokenizeOptions = {}): Promise<Array<{ ids: Int32Array; special: Int32Array; offsets?: Uint32Array }>> {
    this.#handle.ensureOpen();
    if (texts.length === 0) return [];
    const packed = await packTexts(texts);
    // maxLength 0: no truncation.
    // A StaticEmbedding model never adds special tokens.
    const wanted = this.#static ? { ...options, addSpecialTokens: false } : options;
    const { inputIds, attentionMask, specialTokensMask, offsets, rows, length } = await this.#handle.run((native) => native.tokenize(packed, 0, wanted));
    return Array.from({ length: rows }, (_, r) => {
      const ids: number[] = [];
      const special: number[] = [];
      const spans: number[] = [];
      for (let c = r * length; c < (r + 1) * length; c++) {
        if (attentionMask[c] !== 1) continue;
        ids.push(inputIds[c] as number);
        special.push(specialTokensMask[c] as number);
        if (offsets) spans.push(offsets[2 * c] as number, offsets[2 * c + 1] as number);
      }
      return { ids: Int32Array.from(ids), special: Int32Array.from(special), ...(offsets ? { offsets: Uint32Array.from(spans) } : {}) };
    });
  }

  /**
   * Each row of token ids back to text through tokenizer.json's decoder, as Hugging Face
   * tokenizers' `decode_batch` does (no clean-up of spaces): what the server answers /decode
   * with. Runs on the model's own thread.
   * @internal
   */
  async decodeIds(rows: Int32Array[], skipSpecialTokens: boolean): Promise<string[]> {
    this.#handle.ensureOpen();
    if (rows.length === 0) return [];
    return this.#handle.run((native) => native.decode(rows, skipSpecialTokens));
  }

  /**
   * sentence-transformers' `encode(output_value="token_embeddings")`: each text's transformer
   * outputs, one [tokens × hidden] matrix per text (special tokens included, padding not,
   * not normalized). The matrices are views on one shared buffer.
   *
   * @example
   * const [tokens] = await model.encodeTokenEmbeddings('hello world'); // tokens.shape → [4, 384]
   */
  async encodeTokenEmbeddings(texts: string | string[], options: Pick<EncodeOptions, 'batchSize' | 'prompt' | 'promptName' | 'truncationSide'> = {}): Promise<Embeddings[]> {
    this.#handle.ensureOpen();
    const { texts: list } = validateTexts(texts);
    const opts = validateOptionsObject<TokenEmbeddingOptions>(options, 'encodeTokenEmbeddings() options', TOKEN_EMBEDDING_KEYS);
    const batchSize = opts.batchSize === undefined ? 32 : validatePositiveInteger(opts.batchSize, 'options.batchSize');
    const side = this.#truncationSide(opts.truncationSide);
    const prompt = this.#resolvePrompt(opts.prompt, opts.promptName);
    const inputs = prompt ? list.map((text) => prompt + text) : list;
    if (list.length === 0) return [];
    const packed = await packTexts(inputs);
    const tokens = await this.#handle.run((native) => native.encodeTokens(packed, batchSize, this.#maxSeqLength, side === undefined ? {} : { truncationSide: side }));
    return tokenMatrices(tokens);
  }

  /**
   * encodeTokenEmbeddings() from token ids, each row taken as the model's whole input as
   * encodeTokenIds() takes it: the server's /embed_all token-id inputs.
   * @internal
   */
  async encodeTokenIdEmbeddings(ids: readonly TokenIdRow[], options: Pick<EncodeOptions, 'batchSize' | 'truncationSide'> = {}): Promise<Embeddings[]> {
    this.#handle.ensureOpen();
    const native = this.#handle.native;
    if (native.encodeTokenIds === undefined || native.vocabSize === undefined) {
      throw new TypeError(`encodeTokenIdEmbeddings() needs a transformer model: a ${this.#static ? 'StaticEmbedding' : 'CLIP'} model takes text`);
    }
    const { rows } = validateTokenIds(ids, native.vocabSize);
    const opts = validateOptionsObject<Pick<EncodeOptions, 'batchSize' | 'truncationSide'>>(options, 'encodeTokenIdEmbeddings() options', TOKEN_ID_EMBEDDING_KEYS);
    const batchSize = opts.batchSize === undefined ? 32 : validatePositiveInteger(opts.batchSize, 'options.batchSize');
    const side = this.#truncationSide(opts.truncationSide);
    if (rows.length === 0) return [];
    const { ids: packed, counts } = packTokenIds(rows);
    const tokens = await this.#handle.run((model) => (model.encodeTokenIds as NonNullable<typeof model.encodeTokenIds>)(packed, counts, batchSize, this.#maxSeqLength, side === undefined ? {} : { truncationSide: side }));
    return tokenMatrices(tokens);
  }

  /**
   * encode() for search queries: the model's "query" prompt when it defines one (a `prompt`
   * given here wins), as sentence-transformers' encode_query. Takes encode()'s options but
   * `promptName`.
   *
   * @example
   * const query = await model.encodeQuery('How big is London?');
   */
  encodeQuery(texts: string | string[], options?: Omit<FloatEncodeOptions, 'promptName'>): Promise<Embeddings>;
  encodeQuery(texts: string | string[], options: Omit<QuantizedEncodeOptions, 'promptName'>): Promise<QuantizedEmbeddings>;
  encodeQuery(texts: string | string[], options?: Omit<EncodeOptions, 'promptName'>): Promise<Embeddings | QuantizedEmbeddings>;
  encodeQuery(texts: string | string[], options: Omit<EncodeOptions, 'promptName'> = {}): Promise<Embeddings | QuantizedEmbeddings> {
    return this.encode(texts, this.#withTaskPrompt('query', options, 'encodeQuery() options'));
  }

  /**
   * encode() for documents: the model's "document" prompt when it defines one (a `prompt`
   * given here wins), as sentence-transformers' encode_document. Takes encode()'s options but
   * `promptName`.
   *
   * @example
   * const docs = await model.encodeDocument(['London has 9,787,426 inhabitants.', 'Paris is in France.']);
   */
  encodeDocument(texts: string | string[], options?: Omit<FloatEncodeOptions, 'promptName'>): Promise<Embeddings>;
  encodeDocument(texts: string | string[], options: Omit<QuantizedEncodeOptions, 'promptName'>): Promise<QuantizedEmbeddings>;
  encodeDocument(texts: string | string[], options?: Omit<EncodeOptions, 'promptName'>): Promise<Embeddings | QuantizedEmbeddings>;
  encodeDocument(texts: string | string[], options: Omit<EncodeOptions, 'promptName'> = {}): Promise<Embeddings | QuantizedEmbeddings> {
    return this.encode(texts, this.#withTaskPrompt('document', options, 'encodeDocument() options'));
  }

  /**
   * The similarity matrix of two embedding sets with the model's similarity function, as an
   * [a.rows × b.rows] Embeddings matrix. `a` and `b` may also be plain rows (`number[][]`,
   * `Float32Array[]`).
   *
   * @example
   * const scores = model.similarity(queryEmbeddings, docEmbeddings); // [queries × docs]
   * scores.row(0); // query 0 against every document
   */
  similarity(a: EmbeddingsLike, b: EmbeddingsLike): Embeddings {
    return similarity(a, b, this.#folder.similarityFnName);
  }

  /**
   * Row i of `a` against row i of `b`, with the model's similarity function.
   *
   * @example
   * const scores = model.similarityPairwise(questions, answers); // Float32Array, one score per row
   */
  similarityPairwise(a: EmbeddingsLike, b: EmbeddingsLike): Float32Array {
    return similarityPairwise(a, b, this.#folder.similarityFnName);
  }

  #withTaskPrompt(name: string, options: Omit<EncodeOptions, 'promptName'>, where: string): EncodeOptions {
    const opts = validateOptionsObject<Omit<EncodeOptions, 'promptName'>>(options, where, TASK_ENCODE_KEYS);
    if (opts.prompt !== undefined || this.#folder.prompts[name] === undefined) return opts;
    return { ...opts, promptName: name };
  }

  #resolvePrompt(prompt: unknown, promptName: unknown): string {
    if (prompt !== undefined) {
      if (typeof prompt !== 'string') throw new TypeError(`expected options.prompt to be a string but received ${describeValue(prompt)}`);
      return prompt;
    }
    const name = promptName ?? this.#folder.defaultPromptName;
    if (name === undefined || name === null) return '';
    if (typeof name !== 'string' || this.#folder.prompts[name] === undefined) {
      throw new RangeError(`expected options.promptName to be one of ${JSON.stringify(Object.keys(this.#folder.prompts))} but received ${describeValue(name)}`);
    }
    return this.#folder.prompts[name] as string;
  }

  /**
   * Releases the native model. Runs already in flight finish first; later calls reject with
   * ERR_DISPOSED. Safe to call twice.
   */
  async dispose(): Promise<void> {
    await this.#handle.dispose();
  }
}
