/**
 * sentencekit/langchain: LangChain.js integrations (needs @langchain/core).
 *
 * @example
 * import { SentenceTransformer } from 'sentencekit';
 * import { SentenceKitEmbeddings } from 'sentencekit/langchain';
 * const model = await SentenceTransformer.fromPretrained('sentence-transformers/all-MiniLM-L6-v2');
 * const embeddings = new SentenceKitEmbeddings({ model });
 */
export { SentenceKitEmbeddings, type SentenceKitEmbeddingsParams } from './langchain-embeddings.js';
export { SentenceKitReranker, type SentenceKitRerankerParams, type SentenceKitRerankResult } from './langchain-reranker.js';
export type { AdapterEncodeOptions } from './adapter-options.js';
