/**
 * SparseEncoder: SPLADE sparse embeddings over a masked-LM head, pooled natively
 * (max over tokens of log1p(relu(logits))) without keeping a second [batch, seq, vocab] buffer.
 * Router models route by task: an inference-free "query" route (SparseStaticEmbedding) only
 * tokenizes and looks up idf weights, natively, into the same sparse rows.
 */
import { nativeBinding, type NativeSparseEncoder } from './binding.js';
import { cudaFolderProblem, type DevicePlacement, loadPlaced, nativePlacement, type Placement } from './device.js';
import { loadError } from './json-files.js';
import { Embeddings } from './embeddings.js';
import { LOAD_OPTION_KEYS, type LoadOptions, nativeModelOptions, resolveLoad } from './model-loading.js';
import { expectModelClass } from './model-class.js';
import { type OptionKeys, validateOptionsObject } from './options.js';
import { NativeModelHandle } from './native-model-handle.js';
import { packTexts } from './packed-texts.js';
import { SparseEmbeddings, sparseDot, sparsity, type SparsityStats } from './sparse-embeddings.js';
import { readSparseEncoderFolder, type SparseEncoderFolder, type SparseRoute } from './sparse-encoder-folder.js';
import { resolveRoute } from './sparse-router.js';
import { packTokenIds, type TokenIdRow, validateTokenIds } from './token-ids.js';
import { describeValue, validatePositiveInteger, validateTexts } from './validate.js';

/**
 * SparseEncoder.fromPretrained()'s options: those every class loads with. maxSeqLength applies
 * to the SPLADE routes, as Python's `model.max_seq_length = n` does.
 */
export type SparseEncoderOptions = LoadOptions;

/** SparseEncoder encode()'s options. */
export interface SparseEncodeOptions {
  /** Texts per model run. Default 32. */
  batchSize?: number;
  /** Keep only this many largest weights per text (sentence-transformers' max_active_dims). */
  maxActiveDims?: number;
  /** Prepended to every text; overrides promptName. */
  prompt?: string;
  /** A prompt the model defines by name (config_sentence_transformers.json). */
  promptName?: string;
  /**
   * The Router route to take (e.g. 'query', 'document'), as sentence-transformers' `task`;
   * without one the Router's default route. Ignored by models without a Router.
   */
  task?: string;
}

const ENCODE_KEYS: OptionKeys<SparseEncodeOptions> = { batchSize: true, maxActiveDims: true, prompt: true, promptName: true, task: true };
const { promptName: _promptName, task: _task, ...TASK_ENCODE_KEYS } = ENCODE_KEYS;
const { prompt: _prompt, promptName: _idsPromptName, ...TOKEN_IDS_KEYS } = ENCODE_KEYS;

type RouteLoadOptions = Parameters<typeof nativeModelOptions>[1];

// device 'cuda' and cpuEngine 'int8' / 'bf16x3' apply to SPLADE routes; a static (idf lookup) route runs no model and stays on the CPU.
function loadRoute(route: SparseRoute, runtime: RouteLoadOptions, device: 'cpu' | 'cuda', where: Placement): Promise<NativeSparseEncoder> {
  return route.kind === 'splade'
    ? nativeBinding().loadSparseEncoder({
      ...nativeModelOptions(route.files, runtime),
      spladeActivation: route.activation,
      ...nativePlacement(where, device, route.files.transformerDir),
    })
    : nativeBinding().loadStaticSparseEncoder({
      tokenizerPath: route.tokenizerPath,
      ...(route.tokenizerJson === undefined ? {} : { tokenizerJson: route.tokenizerJson }),
      maxLength: route.maxLength,
      weights: route.weights,
    });
}


/**
 * A sentence-transformers SparseEncoder (SPLADE).
 *
 * @example
 * import { SparseEncoder } from 'sentencekit';
 * const splade = await SparseEncoder.fromPretrained('naver/splade-cocondenser-ensembledistil');
 * const docs = await splade.encodeDocument(['The weather is lovely today.']);
 * const query = await splade.encodeQuery('how is the weather');
 * splade.similarity(query, docs); // [1 × 1] Embeddings matrix of dot products
 * splade.decode(query, 5);        // [[['weather', 2.1], …]]
 *
 * // An inference-free model (Router: query = idf weights, document = SPLADE):
 * const sparse = await SparseEncoder.fromPretrained('./opensearch-neural-sparse-doc-v3');
 * await sparse.encodeQuery('what is splade'); // tokenizer + idf lookup, no transformer run
 */
export class SparseEncoder {
  /** One native model per route, in the Router's order ('' alone without a Router). */
  readonly #routes: Map<string, NativeModelHandle<NativeSparseEncoder>>;
  readonly #folder: SparseEncoderFolder;
  #maxSeqLength: number;
  /** The SPLADE routes' truncation length per call; 0 keeps each route's own. */
  #spladeMaxLength = 0;
  /** Vocabulary size: the dense width of each sparse embedding. */
  readonly dimension: number;
  /** Where the SPLADE transformer runs: 'cpu' (ONNX Runtime) or 'cuda' (the CUDA engine, masked-LM head and SPLADE pooling included). */
  readonly device: 'cpu' | 'cuda';
  /** Why device 'auto' chose the CPU; null when it did not fall back. */
  readonly deviceFallbackReason: string | null;

  private constructor(natives: Map<string, NativeSparseEncoder>, folder: SparseEncoderFolder, placement: DevicePlacement) {
    this.device = placement.device;
    this.deviceFallbackReason = placement.fallbackReason;
    this.#routes = new Map([...natives].map(([name, native]) => [name, new NativeModelHandle(native, 'this SparseEncoder')]));
    this.#folder = folder;
    this.#maxSeqLength = folder.maxSeqLength;
    this.dimension = (natives.values().next().value as NativeSparseEncoder).vocabSize;
  }

  /**
   * Loads a local folder or a Hub id (see SentenceTransformer.fromPretrained): a SPLADE model
   * (MLMTransformer + SpladePooling) or an inference-free Router model.
   *
   * @example
   * const splade = await SparseEncoder.fromPretrained('naver/splade-cocondenser-ensembledistil');
   */
  static async fromPretrained(pathOrId: string, options: SparseEncoderOptions = {}): Promise<SparseEncoder> {
    const { root, fileName, runtime, placement: where, maxSeqLength } = await resolveLoad<SparseEncoderOptions>(pathOrId, options, LOAD_OPTION_KEYS, 'SparseEncoder.fromPretrained() options');
    await expectModelClass(root, 'SparseEncoder');
    const read = await readSparseEncoderFolder(root, fileName);
    const folder = maxSeqLength > 0 ? { ...read, maxSeqLength } : read;
    const problems = [...folder.routes.values()].flatMap((route) => (route.kind === 'splade' ? [cudaFolderProblem(route.files.transformerDir)] : []));
    const loadAll = async (device: 'cpu' | 'cuda'): Promise<Map<string, NativeSparseEncoder>> => {
      const natives = new Map<string, NativeSparseEncoder>();
      try {
        for (const [name, route] of folder.routes) natives.set(name, await loadRoute(route, runtime, device, where));
        // Every route must embed into the same vocabulary, or query and document rows would not compare.
        const sizes = [...natives].map(([name, native]) => `${name}: ${native.vocabSize}`);
        if (new Set([...natives.values()].map((native) => native.vocabSize)).size > 1) {
          throw loadError(`${root}: the Router's routes have different dimensions (${sizes.join(', ')})`);
        }
      } catch (error) {
        for (const native of natives.values()) native.dispose();
        throw error;
      }
      return natives;
    };
    const { native: natives, placement } = await loadPlaced(where.device, problems.find((problem) => problem !== null) ?? null, loadAll);
    const model = new SparseEncoder(natives, folder, placement);
    // SPLADE routes load with their own limits; a maxSeqLength option reaches them per call.
    model.#spladeMaxLength = maxSeqLength;
    return model;
  }

  /** The Router's route names ('query', 'document', …); empty for a model without a Router. */
  get routes(): string[] {
    return this.#folder.router ? [...this.#folder.routes.keys()] : [];
  }

  /**
   * Longest input in tokens (special tokens included); longer texts are truncated. Settable,
   * as Python's `model.max_seq_length = n`: the next encode() uses it on every SPLADE route.
   * A Router's inference-free (idf) route keeps its tokenizer's own limit, as Python's
   * SparseStaticEmbedding does. A length past the model's position embeddings is accepted, as
   * in Python; a text that then runs past them fails when encoded.
   *
   * @example
   * splade.maxSeqLength = 512;
   */
  get maxSeqLength(): number {
    return this.#maxSeqLength;
  }

  /** Sets the SPLADE routes' truncation length for the next calls: a positive integer. */
  set maxSeqLength(value: number) {
    this.#maxSeqLength = validatePositiveInteger(value, 'maxSeqLength');
    this.#spladeMaxLength = this.#maxSeqLength;
  }

  /** Prompts the model defines by name (config_sentence_transformers.json). */
  get prompts(): Readonly<Record<string, string>> {
    return this.#folder.prompts;
  }

  /** Encodes texts into sparse rows over the vocabulary. */
  async encode(texts: string | string[], options: SparseEncodeOptions = {}): Promise<SparseEmbeddings> {
    this.#anyHandle().ensureOpen();
    const { texts: list } = validateTexts(texts);
    const opts = validateOptionsObject<SparseEncodeOptions>(options, 'encode() options', ENCODE_KEYS);
    const { handle, batchSize, maxActiveDims } = this.#runOptions(opts);
    const prompt = this.#resolvePrompt(opts.prompt, opts.promptName);
    const inputs = prompt ? list.map((text) => prompt + text) : list;
    const packed = await packTexts(inputs);
    const maxLength = this.#spladeMaxLength;
    const rows = await handle.run((native) => native.encode(packed, batchSize, maxActiveDims, maxLength));
    return new SparseEmbeddings(rows.indices, rows.values, rows.offsets, this.dimension);
  }

  /**
   * encode() from token ids: each row taken as the route's whole input, nothing added ([CLS] /
   * [SEP] only where the row has them) and no prompt, cut to maxSeqLength as a text is; an id
   * outside the vocabulary is a RangeError. The server's /embed_sparse token-id inputs.
   * @internal
   */
  async encodeTokenIds(ids: readonly TokenIdRow[], options: Omit<SparseEncodeOptions, 'prompt' | 'promptName'> = {}): Promise<SparseEmbeddings> {
    this.#anyHandle().ensureOpen();
    const opts = validateOptionsObject<Omit<SparseEncodeOptions, 'prompt' | 'promptName'>>(options, 'encodeTokenIds() options', TOKEN_IDS_KEYS);
    const { handle, batchSize, maxActiveDims } = this.#runOptions(opts);
    const { rows } = validateTokenIds(ids, handle.native.vocabSize);
    const { ids: packed, counts } = packTokenIds(rows);
    const maxLength = this.#spladeMaxLength;
    const sparse = await handle.run((native) => native.encodeIds(packed, counts, batchSize, maxActiveDims, maxLength));
    return new SparseEmbeddings(sparse.indices, sparse.values, sparse.offsets, this.dimension);
  }

  /**
   * Each row of token ids back to text through the model's tokenizer (a Router's first route,
   * as Python's Router.tokenizer), as tokenizers' `decode_batch`: the server decodes token-id
   * inputs given with a prompt, as TEI does.
   * @internal
   */
  async decodeIds(rows: Int32Array[], skipSpecialTokens: boolean): Promise<string[]> {
    const handle = this.#anyHandle();
    handle.ensureOpen();
    if (rows.length === 0) return [];
    return handle.run((native) => native.decode(rows, skipSpecialTokens));
  }

  /** The route, batch size and max_active_dims encode() and encodeTokenIds() read alike. */
  #runOptions(opts: Pick<SparseEncodeOptions, 'batchSize' | 'maxActiveDims' | 'task'>): { handle: NativeModelHandle<NativeSparseEncoder>; batchSize: number; maxActiveDims: number } {
    return {
      handle: this.#routeHandle(opts.task),
      batchSize: opts.batchSize === undefined ? 32 : validatePositiveInteger(opts.batchSize, 'options.batchSize'),
      maxActiveDims: opts.maxActiveDims === undefined ? 0 : validatePositiveInteger(opts.maxActiveDims, 'options.maxActiveDims'),
    };
  }

  /** encode() with task 'query' and the model's "query" prompt, when it has one. */
  encodeQuery(texts: string | string[], options: Omit<SparseEncodeOptions, 'promptName' | 'task'> = {}): Promise<SparseEmbeddings> {
    const opts = validateOptionsObject<Omit<SparseEncodeOptions, 'promptName' | 'task'>>(options, 'encodeQuery() options', TASK_ENCODE_KEYS);
    return this.encode(texts, { ...opts, task: 'query', ...this.#defaultPrompt(['query'], opts) });
  }

  /**
   * encode() with task 'document' and the model's first prompt of "document", "passage",
   * "corpus", when it has one (sentence-transformers' encode_document).
   */
  encodeDocument(texts: string | string[], options: Omit<SparseEncodeOptions, 'promptName' | 'task'> = {}): Promise<SparseEmbeddings> {
    const opts = validateOptionsObject<Omit<SparseEncodeOptions, 'promptName' | 'task'>>(options, 'encodeDocument() options', TASK_ENCODE_KEYS);
    return this.encode(texts, { ...opts, task: 'document', ...this.#defaultPrompt(['document', 'passage', 'corpus'], opts) });
  }

  /**
   * The dot-product similarity matrix, [a.rows × b.rows], as the same Embeddings matrix every
   * other `similarity` returns.
   *
   * @example
   * const scores = splade.similarity(queries, documents);
   * scores.row(0); // query 0 against every document
   */
  similarity(a: SparseEmbeddings, b: SparseEmbeddings): Embeddings {
    if (!(a instanceof SparseEmbeddings) || !(b instanceof SparseEmbeddings)) {
      throw new TypeError(`expected two SparseEmbeddings but received ${describeValue(a)} and ${describeValue(b)}`);
    }
    const out = new Float32Array(a.rows * b.rows);
    for (let i = 0; i < a.rows; i += 1) {
      const row = a.row(i);
      for (let j = 0; j < b.rows; j += 1) out[i * b.rows + j] = sparseDot(row, b.row(j));
    }
    return new Embeddings(out, a.rows, b.rows);
  }

  /** The `topK` heaviest (token, weight) pairs of each row, heaviest first. */
  decode(embeddings: SparseEmbeddings, topK?: number): Array<Array<[string, number]>> {
    // Router.tokenizer: the first route's tokenizer, as Python decodes with.
    const native = this.#anyHandle().native;
    const limit = topK === undefined ? Number.POSITIVE_INFINITY : validatePositiveInteger(topK, 'topK');
    const result: Array<Array<[string, number]>> = [];
    for (let r = 0; r < embeddings.rows; r += 1) {
      const { indices, values } = embeddings.row(r);
      const order = Array.from(indices.keys()).sort((x, y) => (values[y] as number) - (values[x] as number) || (indices[x] as number) - (indices[y] as number));
      const chosen = order.slice(0, Math.min(limit, order.length));
      const tokens = native.idsToTokens(Int32Array.from(chosen, (k) => indices[k] as number));
      result.push(chosen.map((k, n) => [tokens[n] ?? `[${indices[k]}]`, values[k] as number]));
    }
    return result;
  }

  /** Mean active dimensions and sparsity ratio, as sentence-transformers' sparsity(). */
  sparsity(embeddings: SparseEmbeddings): SparsityStats {
    return sparsity(embeddings);
  }

  /**
   * Releases every route's native model. Runs already in flight finish first; later calls
   * reject with ERR_DISPOSED. Safe to call twice.
   */
  async dispose(): Promise<void> {
    await Promise.all([...this.#routes.values()].map((handle) => handle.dispose()));
  }

  #anyHandle(): NativeModelHandle<NativeSparseEncoder> {
    return this.#routes.values().next().value as NativeModelHandle<NativeSparseEncoder>;
  }

  #routeHandle(task: unknown): NativeModelHandle<NativeSparseEncoder> {
    if (task !== undefined && typeof task !== 'string') throw new TypeError(`expected options.task to be a string but received ${describeValue(task)}`);
    const router = this.#folder.router;
    if (router === null) return this.#anyHandle();
    return this.#routes.get(resolveRoute(router, task)) as NativeModelHandle<NativeSparseEncoder>;
  }

  #defaultPrompt(candidates: string[], options: { prompt?: string }): { promptName?: string } {
    if (typeof options === 'object' && options !== null && options.prompt !== undefined) return {};
    const name = candidates.find((candidate) => this.prompts[candidate] !== undefined);
    return name === undefined ? {} : { promptName: name };
  }

  #resolvePrompt(prompt: unknown, promptName: unknown): string {
    if (prompt !== undefined) {
      if (typeof prompt !== 'string') throw new TypeError(`expected options.prompt to be a string but received ${describeValue(prompt)}`);
      return prompt;
    }
    if (promptName === undefined) return '';
    if (typeof promptName !== 'string' || this.prompts[promptName] === undefined) {
      throw new RangeError(`expected options.promptName to be one of ${JSON.stringify(Object.keys(this.prompts))} but received ${describeValue(promptName)}`);
    }
    return this.prompts[promptName] as string;
  }
}
