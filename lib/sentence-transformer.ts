/**
 * SentenceTransformer: a bi-encoder loaded from a sentence-transformers model folder (or the
 * Hub), encoding texts natively off the event loop.
 */
import { nativeBinding, type NativeSentenceEncoder } from './binding.js';
import { Embeddings } from './embeddings.js';
import { resolveModelFolder, type HubOptions } from './hub.js';
import { NativeModelHandle } from './native-model-handle.js';
import { readSentenceTransformerFolder, type SentenceTransformerFolder, type SimilarityFunctionName } from './model-folder.js';
import { validateBoolean, validateOptionsObject, validatePositiveInteger, validateTexts } from './validate.js';

export interface SentenceTransformerOptions extends Omit<HubOptions, 'onnxFile'> {
  /** ONNX file inside the model folder, e.g. 'onnx/model_qint8_avx512_vnni.onnx'. Default 'onnx/model.onnx'. */
  fileName?: string;
  /** ONNX Runtime intra-op threads for one run; default one per CPU core. */
  intraOpThreads?: number;
  /** Let ONNX Runtime's threads spin between parallel sections (lower latency, busier idle cores). Default true. */
  allowSpinning?: boolean;
}

export interface EncodeOptions {
  /** Texts per model run. Default 32, as in sentence-transformers. */
  batchSize?: number;
  /** L2-normalize each embedding (the model's Normalize module does so regardless). Default false. */
  normalizeEmbeddings?: boolean;
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
  /** Width of each embedding. */
  readonly dimension: number;

  private constructor(native: NativeSentenceEncoder, folder: SentenceTransformerFolder) {
    this.#handle = new NativeModelHandle(native, 'this SentenceTransformer');
    this.#folder = folder;
    this.dimension = native.dimension;
  }

  /**
   * Loads a model from a local folder in the sentence-transformers layout, or downloads one
   * from the Hugging Face Hub by id (into the same cache Python uses).
   */
  static async fromPretrained(pathOrId: string, options: SentenceTransformerOptions = {}): Promise<SentenceTransformer> {
    if (typeof pathOrId !== 'string' || pathOrId.length === 0) {
      throw new TypeError(`expected pathOrId to be a non-empty string but received ${JSON.stringify(pathOrId)}`);
    }
    const opts = validateOptionsObject<SentenceTransformerOptions>(options, 'options');
    if (opts.fileName !== undefined && typeof opts.fileName !== 'string') {
      throw new TypeError(`expected options.fileName to be a string but received ${typeof opts.fileName}`);
    }
    const intraOpThreads = opts.intraOpThreads === undefined ? 0 : validatePositiveInteger(opts.intraOpThreads, 'options.intraOpThreads');
    const allowSpinning = opts.allowSpinning === undefined ? true : validateBoolean(opts.allowSpinning, 'options.allowSpinning');
    const fileName = opts.fileName ?? 'onnx/model.onnx';

    const root = await resolveModelFolder(pathOrId, { ...opts, onnxFile: fileName });
    const folder = await readSentenceTransformerFolder(root, { fileName });
    const native = await nativeBinding().loadSentenceEncoder({
      modelPath: folder.onnxPath,
      tokenizerPath: folder.tokenizerPath,
      maxLength: folder.maxSeqLength,
      pooling: folder.pooling.modes,
      intraOpThreads,
      allowSpinning,
    });
    return new SentenceTransformer(native, folder);
  }

  /** Longest input in tokens (special tokens included); longer texts are truncated. */
  get maxSeqLength(): number {
    return this.#folder.maxSeqLength;
  }

  /** The similarity function the model was trained for (config_sentence_transformers.json). */
  get similarityFnName(): SimilarityFunctionName {
    return this.#folder.similarityFnName;
  }

  /** Prompts the model defines by name (config_sentence_transformers.json). */
  get prompts(): Readonly<Record<string, string>> {
    return this.#folder.prompts;
  }

  /**
   * Encodes one text or many. The result is one flat Float32Array with its shape; a single
   * string gives one row. Texts are sorted by length into batches and returned in your order.
   *
   * @example
   * const { data, shape } = await model.encode(['hello', 'world'], { batchSize: 64, normalizeEmbeddings: true });
   */
  async encode(texts: string | string[], options: EncodeOptions = {}): Promise<Embeddings> {
    this.#handle.ensureOpen();
    const { texts: list } = validateTexts(texts);
    const opts = validateOptionsObject<EncodeOptions>(options, 'options');
    const batchSize = opts.batchSize === undefined ? 32 : validatePositiveInteger(opts.batchSize, 'options.batchSize');
    const normalize =
      (opts.normalizeEmbeddings === undefined ? false : validateBoolean(opts.normalizeEmbeddings, 'options.normalizeEmbeddings')) ||
      this.#folder.normalize;
    const dimension = this.dimension;
    if (list.length === 0) return new Embeddings(new Float32Array(0), 0, dimension);

    // sentence-transformers lowercases in Python before tokenizing when the folder says so.
    const inputs = this.#folder.doLowerCase ? list.map((text) => text.toLowerCase()) : list;
    const data = await this.#handle.run((native) => native.encode(inputs, batchSize, normalize));
    return new Embeddings(data, list.length, dimension);
  }

  /**
   * Releases the native model. Runs already in flight finish first; later calls reject with
   * ERR_DISPOSED. Safe to call twice.
   */
  async dispose(): Promise<void> {
    await this.#handle.dispose();
  }
}
