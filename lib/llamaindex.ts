/**
 * sentencekit/llamaindex: a LlamaIndex.TS embedding model (needs @llamaindex/core).
 *
 * @example
 * import { Settings } from '@llamaindex/core/global';
 * import { SentenceKitEmbedding } from 'sentencekit/llamaindex';
 * Settings.embedModel = new SentenceKitEmbedding({ model });
 */
import { BaseEmbedding } from '@llamaindex/core/embeddings';
import type { MessageContentDetail } from '@llamaindex/core/llms';
import { extractSingleText } from '@llamaindex/core/utils';

import { checkModel, encodeOptions, optionalCount, type AdapterEncodeOptions } from './adapter-options.js';
import type { FloatEncodeOptions, SentenceTransformer } from './sentence-transformer.js';

export type { AdapterEncodeOptions } from './adapter-options.js';

/** SentenceKitEmbedding's fields. */
export interface SentenceKitEmbeddingParams extends AdapterEncodeOptions {
  /** A loaded SentenceTransformer; it stays yours to dispose(). */
  model: SentenceTransformer;
  /** Texts per getTextEmbeddings() call when LlamaIndex embeds nodes. Default 256 (LlamaIndex's own default is 10). */
  embedBatchSize?: number;
}

/**
 * A LlamaIndex BaseEmbedding over a sentencekit SentenceTransformer: text and node embeddings
 * are encodeDocument(), query embeddings encodeQuery(), so the model's prompts apply as in
 * sentence-transformers.
 *
 * @example
 * const embedModel = new SentenceKitEmbedding({ model, normalizeEmbeddings: true });
 * const vector = await embedModel.getQueryEmbedding({ type: 'text', text: 'How big is London?' });
 */
export class SentenceKitEmbedding extends BaseEmbedding {
  /** The SentenceTransformer it runs (yours to dispose()). */
  readonly model: SentenceTransformer;
  readonly #options: FloatEncodeOptions;

  constructor(fields: SentenceKitEmbeddingParams) {
    super();
    this.model = checkModel(fields?.model);
    this.#options = encodeOptions(fields, 'SentenceKitEmbedding');
    this.embedBatchSize = optionalCount(fields.embedBatchSize, 'SentenceKitEmbedding embedBatchSize') ?? 256;
    this.embedInfo = { dimensions: Math.min(this.#options.truncateDim ?? this.model.truncateDim ?? Infinity, this.model.dimension), maxTokens: this.model.maxSeqLength };
  }

  /** A document's vector (encodeDocument). */
  async getTextEmbedding(text: string): Promise<number[]> {
    return (await this.model.encodeDocument([text], this.#options)).toArray()[0] as number[];
  }

  /** Many documents' vectors in one call (encodeDocument); BaseEmbedding holds this as a property, so it is one here too. */
  override getTextEmbeddings = async (texts: string[]): Promise<number[][]> => (await this.model.encodeDocument(texts, this.#options)).toArray();

  /** The query's vector (encodeQuery), or null for a query without text (an image, say), as BaseEmbedding. */
  override async getQueryEmbedding(query: MessageContentDetail): Promise<number[] | null> {
    const text = typeof query === 'string' ? query : extractSingleText(query);
    if (text === null) return null;
    return (await this.model.encodeQuery([text], this.#options)).toArray()[0] as number[];
  }
}
