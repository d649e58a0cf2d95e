import { checkReranker, optionalCount } from './adapter-options.js';
import type { CrossEncoder } from './cross-encoder.js';
import type { SentenceKitWarning } from './ai-sdk-embedding-model.js';
import { describeValue } from './validate.js';

/** sentencekit.rerankingModel()'s settings. */
export interface SentenceKitRerankingSettings {
  /** The id the AI SDK logs and reports. Default 'sentencekit'. */
  modelId?: string;
  /** Pairs per model run. Default 32. */
  batchSize?: number;
}

/** The AI SDK's doRerank() options (reranking model specification v3). */
export interface SentenceKitRerankCallOptions {
  /** The documents: texts, or JSON objects (scored as their JSON text). */
  documents:
    | {
      /** Texts. */
      type: 'text';
      /** The texts. */
      values: string[];
    }
    | {
      /** JSON objects. */
      type: 'object';
      /** The objects. */
      values: Array<Record<string, unknown>>;
    };
  /** What the documents are ranked against. */
  query: string;
  /** Only the best `topN` documents. Default: all. */
  topN?: number;
  /** Rejects the call when aborted (a run already on the model finishes first). */
  abortSignal?: AbortSignal;
  /** Unused: this model takes no provider options. */
  providerOptions?: Record<string, Record<string, unknown>>;
  /** HTTP headers: unused, the model runs in this process. */
  headers?: Record<string, string | undefined>;
}

/** doRerank()'s result: document indices best first, with the CrossEncoder's scores. */
export interface SentenceKitRerankResult {
  /** The documents best first (equal scores keep their order). */
  ranking: Array<{
    /** The document's index in the call's documents. */
    index: number;
    /** The CrossEncoder's score for (query, document), after its activation. */
    relevanceScore: number;
  }>;
  /** The call's warnings (none so far). */
  warnings: SentenceKitWarning[];
}

/**
 * An AI SDK reranking model (specification v3) over a sentencekit CrossEncoder, for the `ai`
 * package's rerank(). Make it with `sentencekit.rerankingModel(crossEncoder)`. Object
 * documents are scored as their JSON text, as the AI SDK's Cohere provider sends them.
 */
export class SentenceKitRerankingModel {
  /** The AI SDK reranking model specification this implements. */
  readonly specificationVersion = 'v3';
  /** 'sentencekit'. */
  readonly provider = 'sentencekit';
  /** The id the AI SDK logs and reports. */
  readonly modelId: string;
  /** The CrossEncoder it runs (yours to dispose()). */
  readonly model: CrossEncoder;
  private readonly batchSize: number | undefined;

  constructor(model: CrossEncoder, settings: SentenceKitRerankingSettings = {}) {
    this.model = checkReranker(model);
    if (settings.modelId !== undefined && typeof settings.modelId !== 'string') throw new TypeError(`expected modelId to be a string but received ${describeValue(settings.modelId)}`);
    this.modelId = settings.modelId ?? 'sentencekit';
    this.batchSize = optionalCount(settings.batchSize, 'rerankingModel() batchSize');
  }

  /** Ranks the documents against the query (the AI SDK calls this; use rerank()). */
  async doRerank(options: SentenceKitRerankCallOptions): Promise<SentenceKitRerankResult> {
    const { documents, query, abortSignal } = options;
    abortSignal?.throwIfAborted();
    if (documents === null || typeof documents !== 'object' || !Array.isArray(documents.values) || (documents.type !== 'text' && documents.type !== 'object')) {
      throw new TypeError(`expected documents to be { type: 'text' | 'object', values: [...] } but received ${describeValue(documents)}`);
    }
    // Older v3 drafts named it topK.
    const topN = optionalCount(options.topN ?? (options as { topK?: number }).topK, 'topN');
    const warnings: SentenceKitWarning[] = [];
    const texts = documents.type === 'text' ? documents.values : documents.values.map((value) => JSON.stringify(value));
    if (texts.length === 0) return { ranking: [], warnings };
    const ranked = await this.model.rank(query, texts, {
      ...(topN === undefined ? {} : { topK: topN }),
      ...(this.batchSize === undefined ? {} : { batchSize: this.batchSize }),
    });
    abortSignal?.throwIfAborted();
    return { ranking: ranked.map(({ corpusId, score }) => ({ index: corpusId, relevanceScore: score })), warnings };
  }
}
