import { checkModel, encodeOptions, type AdapterEncodeOptions } from './adapter-options.js';
import { validateOptionsObject, type OptionKeys } from './options.js';
import type { FloatEncodeOptions, SentenceTransformer } from './sentence-transformer.js';
import { describeValue } from './validate.js';

/**
 * Which of a model's prompts a call uses: 'query' (encodeQuery), 'document' (encodeDocument),
 * or a prompt name or prompt text of your own. Default: encode()'s, the model's default prompt.
 */
export interface SentenceKitTaskOptions {
  /** 'query' or 'document': the model's prompt of that name when it defines one, as encodeQuery / encodeDocument. */
  task?: 'query' | 'document';
  /** A prompt the model defines by name (config_sentence_transformers.json). */
  promptName?: string;
  /** Prompt text prepended to every value; wins over promptName and task. */
  prompt?: string;
}

/** sentencekit.embeddingModel()'s settings. */
export interface SentenceKitEmbeddingSettings<V extends 'v2' | 'v3' = 'v3'> extends AdapterEncodeOptions, SentenceKitTaskOptions {
  /** The AI SDK embedding model specification: 'v3' (ai 6, the default) or 'v2' (ai 5). */
  specificationVersion?: V;
  /** The id the AI SDK logs and reports. Default 'sentencekit'. */
  modelId?: string;
  /** Values per doEmbed() call; embedMany() splits larger inputs. Default Infinity (no limit). */
  maxEmbeddingsPerCall?: number;
}

/** The AI SDK's doEmbed() options, as both specifications define them (providerOptions.sentencekit takes SentenceKitTaskOptions). */
export interface SentenceKitEmbedCallOptions {
  /** The texts to embed. */
  values: string[];
  /** Rejects the call when aborted (a run already on the model finishes first). */
  abortSignal?: AbortSignal;
  /** `{ sentencekit: { task, promptName, prompt } }` for this call; other providers' keys are ignored. */
  providerOptions?: Record<string, Record<string, unknown>>;
  /** HTTP headers: unused, the model runs in this process. */
  headers?: Record<string, string | undefined>;
}

/** A warning of the AI SDK's shape (SharedV3Warning). */
export type SentenceKitWarning =
  | {
    /** A feature this model does not support, or supports in a compatibility mode. */
    type: 'unsupported' | 'compatibility';
    /** Which feature. */
    feature: string;
    /** Why, or what happened instead. */
    details?: string;
  }
  | {
    /** Any other warning. */
    type: 'other';
    /** What to know. */
    message: string;
  };

/** doEmbed()'s result: the vectors, the tokens the model read, and the call's warnings. */
export interface SentenceKitEmbedResult {
  /** One vector per value, in order. */
  embeddings: number[][];
  /** What the call cost. */
  usage: {
    /** Tokens the model read: each value with its prompt, special tokens included, cut at maxSeqLength. */
    tokens: number;
  };
  /** The call's warnings (none so far). */
  warnings: SentenceKitWarning[];
}

const TASK_KEYS: OptionKeys<SentenceKitTaskOptions> = { task: true, promptName: true, prompt: true };

function checkTask(options: SentenceKitTaskOptions, where: string): SentenceKitTaskOptions {
  const opts = validateOptionsObject<SentenceKitTaskOptions>(options, where, TASK_KEYS);
  if (opts.task !== undefined && opts.task !== 'query' && opts.task !== 'document') {
    throw new TypeError(`expected ${where} task to be 'query' or 'document' but received ${describeValue(opts.task)}`);
  }
  for (const key of ['promptName', 'prompt'] as const) {
    if (opts[key] !== undefined && typeof opts[key] !== 'string') throw new TypeError(`expected ${where} ${key} to be a string but received ${describeValue(opts[key])}`);
  }
  return opts;
}

/**
 * An AI SDK embedding model (specification v3, or v2 with `specificationVersion: 'v2'`) over
 * a sentencekit SentenceTransformer, for the `ai` package's embed() and embedMany(). Make it
 * with `sentencekit.embeddingModel(model, settings)`. A call's
 * `providerOptions: { sentencekit: { task: 'query' } }` picks the prompt for that call.
 */
export class SentenceKitEmbeddingModel<V extends 'v2' | 'v3' = 'v3'> {
  /** The AI SDK specification this model implements: 'v3' (ai 6) or 'v2' (ai 5). */
  readonly specificationVersion: V;
  /** 'sentencekit'. */
  readonly provider = 'sentencekit';
  /** The id the AI SDK logs and reports. */
  readonly modelId: string;
  /** Values per doEmbed() call (Infinity: no limit); embedMany() splits larger inputs. */
  readonly maxEmbeddingsPerCall: number;
  /** Concurrent calls are merged into shared model runs. */
  readonly supportsParallelCalls = true;
  /** The SentenceTransformer it runs (yours to dispose()). */
  readonly model: SentenceTransformer;
  // Not #private: ai 6 calls a v2 model's doEmbed through a Proxy, where #fields throw.
  private readonly encodeSettings: FloatEncodeOptions;
  private readonly taskOptions: SentenceKitTaskOptions;

  constructor(model: SentenceTransformer, settings: SentenceKitEmbeddingSettings<V> = {}) {
    this.model = checkModel(model);
    const { specificationVersion, modelId, maxEmbeddingsPerCall, normalizeEmbeddings, batchSize, truncateDim, ...task } = settings;
    if (specificationVersion !== undefined && specificationVersion !== 'v2' && specificationVersion !== 'v3') {
      throw new TypeError(`expected specificationVersion to be 'v2' or 'v3' but received ${describeValue(specificationVersion)}`);
    }
    this.specificationVersion = (specificationVersion ?? 'v3') as V;
    if (modelId !== undefined && typeof modelId !== 'string') throw new TypeError(`expected modelId to be a string but received ${describeValue(modelId)}`);
    this.modelId = modelId ?? 'sentencekit';
    if (maxEmbeddingsPerCall !== undefined && !(typeof maxEmbeddingsPerCall === 'number' && maxEmbeddingsPerCall >= 1 && (Number.isInteger(maxEmbeddingsPerCall) || maxEmbeddingsPerCall === Infinity))) {
      throw new RangeError(`expected maxEmbeddingsPerCall to be a positive integer or Infinity but received ${describeValue(maxEmbeddingsPerCall)}`);
    }
    this.maxEmbeddingsPerCall = maxEmbeddingsPerCall ?? Infinity;
    this.encodeSettings = encodeOptions({ normalizeEmbeddings, batchSize, truncateDim }, 'embeddingModel()');
    this.taskOptions = checkTask(task, 'embeddingModel()');
  }

  /** Embeds `values` (the AI SDK calls this; use embed() and embedMany()). */
  async doEmbed(options: SentenceKitEmbedCallOptions): Promise<SentenceKitEmbedResult> {
    const { values, abortSignal, providerOptions } = options;
    abortSignal?.throwIfAborted();
    if (!Array.isArray(values)) throw new TypeError(`expected values to be an array of strings but received ${describeValue(values)}`);
    if (values.length > this.maxEmbeddingsPerCall) {
      throw new RangeError(`expected at most ${this.maxEmbeddingsPerCall} values per doEmbed() call (maxEmbeddingsPerCall) but received ${values.length}`);
    }
    const task = { ...this.taskOptions, ...checkTask((providerOptions?.sentencekit ?? {}) as SentenceKitTaskOptions, 'providerOptions.sentencekit') };
    const warnings: SentenceKitWarning[] = [];

    if (values.length === 0) return { embeddings: [], usage: { tokens: 0 }, warnings };
    // One prompt text for the vectors and the token count; a task resolves as encodeQuery / encodeDocument do.
    const prompt = this.promptFor(task);
    const [embeddings, tokenized] = await Promise.all([
      this.model.encode(values, { ...this.encodeSettings, prompt }),
      this.model.tokenize(values.map((value) => prompt + value)),
    ]);
    abortSignal?.throwIfAborted();
    // The tokens the model read: each input with its prompt, cut at maxSeqLength as tokenize() cuts.
    let tokens = 0;
    for (const mask of tokenized.attentionMask) tokens += mask;
    return { embeddings: embeddings.toArray(), usage: { tokens }, warnings };
  }

  /**
   * The prompt text a call prepends: `prompt`, else the prompt named `promptName`, else the
   * task's prompt when the model defines one, else the model's default prompt (as encodeQuery
   * and encodeDocument pick it).
   */
  private promptFor(task: SentenceKitTaskOptions): string {
    const prompts = this.model.prompts;
    if (task.prompt !== undefined) return task.prompt;
    const name = task.promptName ?? (task.task !== undefined && prompts[task.task] !== undefined ? task.task : this.model.defaultPromptName);
    if (name === null || name === undefined) return '';
    const text = prompts[name];
    if (text === undefined) throw new RangeError(`expected promptName to be one of ${JSON.stringify(Object.keys(prompts))} but received ${describeValue(name)}`);
    return text;
  }
}
