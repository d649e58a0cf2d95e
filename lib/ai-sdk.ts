/**
 * sentencekit/ai-sdk: models for the Vercel AI SDK's embed(), embedMany() and rerank(). They
 * implement the AI SDK's provider specifications (embedding model v3 and v2, reranking model
 * v3) and need no AI SDK package at run time.
 *
 * @example
 * import { embedMany } from 'ai';
 * import { sentencekit } from 'sentencekit/ai-sdk';
 * const { embeddings } = await embedMany({ model: sentencekit.embeddingModel(model), values: ['a', 'b'] });
 */
import { SentenceKitEmbeddingModel, type SentenceKitEmbeddingSettings } from './ai-sdk-embedding-model.js';
import { SentenceKitRerankingModel, type SentenceKitRerankingSettings } from './ai-sdk-reranking-model.js';
import type { CrossEncoder } from './cross-encoder.js';
import type { SentenceTransformer } from './sentence-transformer.js';

export {
  SentenceKitEmbeddingModel,
  type SentenceKitEmbeddingSettings,
  type SentenceKitTaskOptions,
  type SentenceKitEmbedCallOptions,
  type SentenceKitEmbedResult,
  type SentenceKitWarning,
} from './ai-sdk-embedding-model.js';
export { SentenceKitRerankingModel, type SentenceKitRerankingSettings, type SentenceKitRerankCallOptions, type SentenceKitRerankResult } from './ai-sdk-reranking-model.js';

/** The sentencekit provider: wraps loaded models as AI SDK models, as a provider's embeddingModel() / rerankingModel() do for model ids. */
export interface SentenceKitProvider {
  /** An embedding model (specification v3, or v2 with `specificationVersion: 'v2'`). */
  embeddingModel(model: SentenceTransformer, settings?: SentenceKitEmbeddingSettings<'v3'>): SentenceKitEmbeddingModel<'v3'>;
  /** An embedding model of specification v2, for ai 5. */
  embeddingModel(model: SentenceTransformer, settings: SentenceKitEmbeddingSettings<'v2'> & { specificationVersion: 'v2' }): SentenceKitEmbeddingModel<'v2'>;
  /** A reranking model (specification v3) over a single-label CrossEncoder. */
  rerankingModel(model: CrossEncoder, settings?: SentenceKitRerankingSettings): SentenceKitRerankingModel;
}

/**
 * The provider object.
 *
 * @example
 * const { embedding } = await embed({ model: sentencekit.embeddingModel(model, { task: 'query' }), value: 'How big is London?' });
 * const { ranking } = await rerank({ model: sentencekit.rerankingModel(crossEncoder), query, documents });
 */
export const sentencekit: SentenceKitProvider = {
  embeddingModel: ((model: SentenceTransformer, settings?: SentenceKitEmbeddingSettings<'v2' | 'v3'>) => new SentenceKitEmbeddingModel(model, settings)) as SentenceKitProvider['embeddingModel'],
  rerankingModel: (model, settings) => new SentenceKitRerankingModel(model, settings),
};
