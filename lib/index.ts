/**
 * sentencekit: sentence-transformers for Node.js at native speed.
 *
 * @example
 * import { SentenceTransformer } from 'sentencekit';
 * const model = await SentenceTransformer.fromPretrained('sentence-transformers/all-MiniLM-L6-v2');
 * const embeddings = await model.encode('Hello, world');
 */
export { SentenceTransformer, type SentenceTransformerOptions, type EncodeOptions, type FloatEncodeOptions, type QuantizedEncodeOptions, type EncodeInputs, type TokenIdsEncodeOptions } from './sentence-transformer.js';
export type { TokenIdRow } from './token-ids.js';
export type { ImageInput } from './image-input.js';
export type { LoadOptions } from './model-loading.js';
export type { TokenizedBatch } from './tokenized.js';
export type { Backend, CpuEngine } from './device.js';
export { Embeddings, type EmbeddingsLike, type EmbeddingRow } from './embeddings.js';
export * as util from './util.js';
export { CrossEncoder, type CrossEncoderOptions, type PredictOptions, type RankOptions, type RankResult, type ActivationName } from './cross-encoder.js';
export { SparseEncoder, type SparseEncoderOptions, type SparseEncodeOptions } from './sparse-encoder.js';
export { SparseEmbeddings, type SparseRow, type SparsityStats } from './sparse-embeddings.js';
export { similarity, similarityAsync, similarityPairwise, SIMILARITY_FUNCTIONS } from './similarity.js';
export {
  semanticSearch,
  semanticSearchFlat,
  quantizedSemanticSearch,
  paraphraseMining,
  communityDetection,
  type SearchHit,
  type SemanticSearchOptions,
  type FlatSearchResults,
  type QuantizedSearchOptions,
  type ParaphraseMiningOptions,
  type CommunityDetectionOptions,
} from './search.js';
export { quantizeEmbeddings, PRECISIONS, type Precision, type QuantizedEmbeddings, type QuantizeOptions } from './quantization.js';
export { SentenceKitError, type SentenceKitErrorCode } from './errors.js';
export { resolveModelFolder, type HubOptions } from './hub.js';
export type { PoolingMode, SimilarityFunctionName } from './model-folder.js';
export { runtimeInfo, type RuntimeInfo } from './runtime-info.js';
export { cudaStatus, type CudaDtype, type CudaStatus, type Device } from './device.js';
export { DeviceCorpus, MAX_DEVICE_TOP_K, type DeviceCorpusOptions, type DeviceCorpusPrecision, type DeviceSearchOptions } from './device-corpus.js';
