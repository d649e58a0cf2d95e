import { Embeddings, type EmbeddingsParams } from '@langchain/core/embeddings';

import { checkModel, encodeOptions, type AdapterEncodeOptions } from './adapter-options.js';
import type { FloatEncodeOptions, SentenceTransformer } from './sentence-transformer.js';
import { describeValue } from './validate.js';

/** SentenceKitEmbeddings' fields: the model, encode() options, and LangChain's own (maxConcurrency, …). */
export interface SentenceKitEmbeddingsParams extends EmbeddingsParams, AdapterEncodeOptions {
  /** A loaded SentenceTransformer; it stays yours to dispose(). */
  model: SentenceTransformer;
}

/**
 * LangChain embeddings over a sentencekit SentenceTransformer: embedDocuments() is
 * encodeDocument() and embedQuery() is encodeQuery(), so a model's "document" and "query"
 * prompts apply as in sentence-transformers. Concurrent calls share model runs.
 *
 * @example
 * import { SentenceKitEmbeddings } from 'sentencekit/langchain';
 * const embeddings = new SentenceKitEmbeddings({ model, normalizeEmbeddings: true });
 * const vectors = await embeddings.embedDocuments(['Paris is in France.']);
 */
export class SentenceKitEmbeddings extends Embeddings {
  /** The SentenceTransformer it runs (yours to dispose()). */
  readonly model: SentenceTransformer;
  readonly #options: FloatEncodeOptions;

  constructor(fields: SentenceKitEmbeddingsParams) {
    const { model, normalizeEmbeddings, batchSize, truncateDim, ...params } = fields ?? ({} as SentenceKitEmbeddingsParams);
    super(params);
    this.model = checkModel(model);
    this.#options = encodeOptions({ normalizeEmbeddings, batchSize, truncateDim }, 'SentenceKitEmbeddings');
  }

  /** One vector per document, in order (encodeDocument). */
  async embedDocuments(documents: string[]): Promise<number[][]> {
    // The model's own scheduler batches and merges concurrent calls; LangChain's AsyncCaller
    // would retry a bad input six times, so calls go to the model directly.
    return (await this.model.encodeDocument(documents, this.#options)).toArray();
  }

  /** The query's vector (encodeQuery). */
  async embedQuery(document: string): Promise<number[]> {
    if (typeof document !== 'string') throw new TypeError(`expected the query to be a string but received ${describeValue(document)}`);
    return (await this.model.encodeQuery([document], this.#options)).toArray()[0] as number[];
  }
}
