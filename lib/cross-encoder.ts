/**
 * CrossEncoder: a reranker that scores (query, passage) pairs jointly, loaded from a Hugging
 * Face sequence-classification folder with an ONNX export.
 */
import { applyActivation, softmaxRows } from './activations.js';
import { nativeBinding, type NativeCrossEncoder } from './binding.js';
import { cudaFolderProblem, type DevicePlacement, isOwnCpuEngine, loadPlaced, nativePlacement } from './device.js';
import { ACTIVATIONS, type ActivationName, type CrossEncoderFolder, readCrossEncoderFolder } from './cross-encoder-folder.js';
import { SentenceKitError } from './errors.js';
import { LOAD_OPTION_KEYS, type LoadOptions, nativeModelOptions, resolveLoad, withMaxSeqLength } from './model-loading.js';
import { expectModelClass } from './model-class.js';
import { type OptionKeys, validateOptionsObject } from './options.js';
import { NativeModelHandle } from './native-model-handle.js';
import { packTexts } from './packed-texts.js';
import { checkTextLength, describeValue, validateBoolean, validatePositiveInteger, validateTexts } from './validate.js';

export type { ActivationName } from './cross-encoder-folder.js';

/** CrossEncoder.fromPretrained()'s options: those every class loads with, and maxLength. */
export interface CrossEncoderOptions extends LoadOptions {
  /**
   * Longest pair in tokens, special tokens included; longer pairs are truncated longest_first
   * (Python's `CrossEncoder(path, max_length=…)`). Another name for maxSeqLength: give one.
   */
  maxLength?: number;
}

const LOAD_KEYS: OptionKeys<CrossEncoderOptions> = { ...LOAD_OPTION_KEYS, maxLength: true };

/** predict()'s options. */
export interface PredictOptions {
  /** Pairs per model run. Default 32. */
  batchSize?: number;
  /** Overrides the model's activation: 'sigmoid' | 'identity' | 'tanh' | 'relu' | 'softmax'. */
  activation?: ActivationName;
  /** Softmax over the labels after the activation (multi-label models). Default false. */
  applySoftmax?: boolean;
}

/** rank()'s options. */
export interface RankOptions {
  /** Only the best `topK` documents. Default: all. */
  topK?: number;
  /** Include each document's text in the result. Default false. */
  returnDocuments?: boolean;
  /** Pairs per model run. Default 32. */
  batchSize?: number;
  /** Overrides the model's activation, as in predict(). */
  activation?: ActivationName;
}

const PREDICT_KEYS: OptionKeys<PredictOptions> = { batchSize: true, activation: true, applySoftmax: true };
const RANK_KEYS: OptionKeys<RankOptions> = { topK: true, returnDocuments: true, batchSize: true, activation: true };

/** One document of rank()'s result. */
export interface RankResult {
  /** Index of the document in the array passed to rank(). */
  corpusId: number;
  /** The model's score for (query, document), after the activation. */
  score: number;
  /** The document's text, with `returnDocuments: true`. */
  text?: string;
}

function validatePairs(input: unknown): { firsts: string[]; seconds: string[] } {
  if (!Array.isArray(input)) {
    throw new TypeError(`expected pairs to be an array of [string, string] but received ${describeValue(input)}`);
  }
  const list = input.length === 2 && typeof input[0] === 'string' && typeof input[1] === 'string' ? [input] : input;
  const firsts: string[] = [];
  const seconds: string[] = [];
  list.forEach((pair: unknown, i: number) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw new TypeError(`expected pairs[${i}] to be a [string, string] pair but received ${describeValue(pair)}`);
    }
    checkTextLength(pair[0], `pairs[${i}][0]`);
    checkTextLength(pair[1], `pairs[${i}][1]`);
    firsts.push(pair[0]);
    seconds.push(pair[1]);
  });
  return { firsts, seconds };
}

function validateActivation(value: unknown): ActivationName | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !ACTIVATIONS.includes(value as ActivationName)) {
    throw new TypeError(`expected options.activation to be one of ${ACTIVATIONS.join(', ')} but received ${describeValue(value)}`);
  }
  return value as ActivationName;
}

/**
 * A sentence-transformers CrossEncoder.
 *
 * @example
 * import { CrossEncoder } from 'sentencekit';
 * const reranker = await CrossEncoder.fromPretrained('cross-encoder/ms-marco-MiniLM-L6-v2');
 * const scores = await reranker.predict([['How many people live in Berlin?', 'Berlin has 3.5 million people.']]);
 * const ranked = await reranker.rank('How many people live in Berlin?', passages, { topK: 3 });
 */
export class CrossEncoder {
  readonly #handle: NativeModelHandle<NativeCrossEncoder>;
  readonly #folder: CrossEncoderFolder;
  #maxLength: number;
  /** Where the model runs: 'cpu' (ONNX Runtime) or 'cuda' (the CUDA engine, encoder and classification head). */
  readonly device: 'cpu' | 'cuda';
  /** Why device 'auto' chose the CPU; null when it did not fall back. */
  readonly deviceFallbackReason: string | null;

  private constructor(native: NativeCrossEncoder, folder: CrossEncoderFolder, placement: DevicePlacement) {
    this.#handle = new NativeModelHandle(native, 'this CrossEncoder');
    this.#folder = folder;
    this.#maxLength = folder.maxSeqLength;
    this.device = placement.device;
    this.deviceFallbackReason = placement.fallbackReason;
  }

  /**
   * Loads a local folder or a Hub id (see SentenceTransformer.fromPretrained).
   *
   * @example
   * const reranker = await CrossEncoder.fromPretrained('cross-encoder/ms-marco-MiniLM-L6-v2', { maxLength: 256 });
   */
  static async fromPretrained(pathOrId: string, options: CrossEncoderOptions = {}): Promise<CrossEncoder> {
    const { root, fileName, runtime, placement: where, maxSeqLength: seqLength, options: opts } = await resolveLoad<CrossEncoderOptions>(pathOrId, options, LOAD_KEYS, 'CrossEncoder.fromPretrained() options');
    const maxLength = opts.maxLength === undefined ? 0 : validatePositiveInteger(opts.maxLength, 'options.maxLength');
    if (maxLength > 0 && seqLength > 0 && maxLength !== seqLength) {
      throw new TypeError(`options.maxLength (${maxLength}) and options.maxSeqLength (${seqLength}) name the same limit; give one`);
    }
    const maxSeqLength = maxLength || seqLength;
    await expectModelClass(root, 'CrossEncoder');
    const folder = withMaxSeqLength(await readCrossEncoderFolder(root, fileName), maxSeqLength);
    const { native, placement } = await loadPlaced(where.device, cudaFolderProblem(folder.transformerDir), (device) =>
      nativeBinding().loadCrossEncoder({
        ...nativeModelOptions(folder, runtime),
        ...nativePlacement(where, device, folder.transformerDir),
      }));
    if (native.numLabels !== folder.numLabels) {
      await native.dispose();
      const source = placement.device === 'cuda' || isOwnCpuEngine(where.cpuEngine) ? `${folder.transformerDir}/model.safetensors` : folder.onnxPath;
      throw new SentenceKitError('ERR_MODEL_LOAD', `${source} outputs ${native.numLabels} logits but config.json declares ${folder.numLabels} labels`);
    }
    return new CrossEncoder(native, folder, placement);
  }

  /** Scores per pair: 1 for a reranker, the number of classes otherwise (config.json's num_labels). */
  get numLabels(): number {
    return this.#folder.numLabels;
  }

  /** Label names from config.json (id2label). */
  get labels(): readonly string[] {
    return this.#folder.labels;
  }

  /**
   * Longest input pair in tokens (special tokens included); longer pairs are truncated
   * longest_first, as `tokenizers` does. Settable, as Python's `model.max_length = n`: the
   * next predict() uses it. A length past the model's position embeddings is accepted, as in
   * Python; a pair that then runs past them fails when scored.
   *
   * @example
   * reranker.maxLength = 512;
   */
  get maxLength(): number {
    return this.#maxLength;
  }

  /** Sets the truncation length for the next calls: a positive integer (TypeError / RangeError otherwise). */
  set maxLength(value: number) {
    this.#maxLength = validatePositiveInteger(value, 'maxLength');
  }

  /** The same limit as maxLength, by the name sentence-transformers 6 gives it (`max_seq_length`). */
  get maxSeqLength(): number {
    return this.#maxLength;
  }

  /** Sets the same limit as maxLength. */
  set maxSeqLength(value: number) {
    this.#maxLength = validatePositiveInteger(value, 'maxSeqLength');
  }

  /** The activation predict() applies unless told otherwise. */
  get activation(): ActivationName {
    return this.#folder.activation;
  }

  /**
   * Scores pairs. Returns a Float32Array of `pairs.length × numLabels` (one score per pair for
   * single-label rerankers), after the activation and optional softmax.
   */
  async predict(pairs: Array<[string, string]> | [string, string], options: PredictOptions = {}): Promise<Float32Array> {
    this.#handle.ensureOpen();
    const { firsts, seconds } = validatePairs(pairs);
    const [packedFirsts, packedSeconds] = [await packTexts(firsts), await packTexts(seconds)];
    return this.#scores(firsts.length, options, 'predict() options', (native, batchSize, maxLength) => native.predict(packedFirsts, packedSeconds, batchSize, maxLength));
  }

  /**
   * predict() for single texts: each text alone through the model ([CLS] text [SEP]), as
   * transformers' sequence classification scores `tokenizer(text)` and TEI's /predict a single
   * input. Returns `texts.length × numLabels` scores.
   * @internal
   */
  async predictTexts(texts: string[], options: PredictOptions = {}): Promise<Float32Array> {
    this.#handle.ensureOpen();
    const { texts: list } = validateTexts(texts);
    const packed = await packTexts(list);
    return this.#scores(list.length, options, 'predictTexts() options', (native, batchSize, maxLength) => native.predictTexts(packed, batchSize, maxLength));
  }

  /** One native run of `count` inputs with predict()'s options: logits, then the activation and softmax. */
  async #scores(count: number, options: PredictOptions, where: string, run: (native: NativeCrossEncoder, batchSize: number, maxLength: number) => Promise<Float32Array>): Promise<Float32Array> {
    const opts = validateOptionsObject<PredictOptions>(options, where, PREDICT_KEYS);
    const batchSize = opts.batchSize === undefined ? 32 : validatePositiveInteger(opts.batchSize, 'options.batchSize');
    const activation = validateActivation(opts.activation) ?? this.#folder.activation;
    const applySoftmax = opts.applySoftmax === undefined ? false : validateBoolean(opts.applySoftmax, 'options.applySoftmax');
    if (count === 0) return new Float32Array(0);
    const maxLength = this.#maxLength;
    const scores = await this.#handle.run((native) => run(native, batchSize, maxLength));
    applyActivation(scores, this.numLabels, activation);
    if (applySoftmax && this.numLabels > 1) softmaxRows(scores, this.numLabels);
    return scores;
  }

  /**
   * Scores `query` against each document and returns them best first.
   *
   * @example
   * const [best] = await reranker.rank('capital of France', ['Paris is…', 'Berlin is…'], { returnDocuments: true });
   */
  async rank(query: string, documents: string[], options: RankOptions = {}): Promise<RankResult[]> {
    this.#handle.ensureOpen();
    if (this.numLabels !== 1) {
      throw new SentenceKitError('ERR_INVALID_ARGUMENT', `rank() needs a single-label model, but this CrossEncoder has ${this.numLabels} labels (${this.labels.join(', ')}); use predict()`);
    }
    if (typeof query !== 'string') throw new TypeError(`expected query to be a string but received ${describeValue(query)}`);
    if (!Array.isArray(documents)) throw new TypeError(`expected documents to be an array of strings but received ${describeValue(documents)}`);
    documents.forEach((doc, i) => {
      if (typeof doc !== 'string') throw new TypeError(`expected documents[${i}] to be a string but received ${describeValue(doc)}`);
    });
    const opts = validateOptionsObject<RankOptions>(options, 'rank() options', RANK_KEYS);
    const topK = opts.topK === undefined ? documents.length : validatePositiveInteger(opts.topK, 'options.topK');
    const returnDocuments = opts.returnDocuments === undefined ? false : validateBoolean(opts.returnDocuments, 'options.returnDocuments');

    const predictOptions: PredictOptions = {};
    if (opts.batchSize !== undefined) predictOptions.batchSize = opts.batchSize;
    if (opts.activation !== undefined) predictOptions.activation = opts.activation;
    const scores = await this.predict(documents.map((doc) => [query, doc] as [string, string]), predictOptions);
    const results: RankResult[] = Array.from(scores, (score, corpusId) =>
      returnDocuments ? { corpusId, score, text: documents[corpusId] as string } : { corpusId, score },
    );
    // Best first; equal scores keep document order, as a stable sort in Python does.
    results.sort((a, b) => b.score - a.score || a.corpusId - b.corpusId);
    return results.slice(0, topK);
  }

  /**
   * Releases the native model. Runs already in flight finish first; later calls reject with
   * ERR_DISPOSED. Safe to call twice.
   */
  async dispose(): Promise<void> {
    await this.#handle.dispose();
  }
}
