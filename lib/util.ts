/**
 * sentence-transformers' `util` module under its own names in camelCase, so ported code reads
 * the same: `util.cos_sim(a, b)` is `util.cosSim(a, b)`, `util.semantic_search(q, c, top_k=5)`
 * is `await util.semanticSearch(q, c, { topK: 5 })`. Every function takes Embeddings or plain
 * rows (`number[][]`, `Float32Array[]`, or one row, as a 1-D tensor is one row in Python).
 *
 * @example
 * import { util } from 'sentencekit';
 * const scores = util.cosSim([[1, 0], [0, 1]], [[1, 1]]); // [2 × 1] Embeddings matrix
 * scores.toArray(); // [[0.7071…], [0.7071…]]
 *
 * @module
 */
import { Embeddings, type EmbeddingsLike, toEmbeddings } from './embeddings.js';
import { paraphraseMining as paraphraseMiningEmbeddings, type ParaphraseMiningOptions } from './search.js';
import { similarity, similarityPairwise } from './similarity.js';
import type { EncodeOptions } from './sentence-transformer.js';
import { describeValue, validateTexts } from './validate.js';

export { communityDetection, semanticSearch, paraphraseMining as paraphraseMiningEmbeddings } from './search.js';
export { quantizeEmbeddings } from './quantization.js';

/**
 * Cosine similarity of every row of `a` with every row of `b`: an [a.rows × b.rows] matrix
 * (`util.cos_sim`).
 *
 * @example
 * util.cosSim(queryEmbeddings, docEmbeddings).row(0); // query 0 against every document
 */
export function cosSim(a: EmbeddingsLike, b: EmbeddingsLike): Embeddings {
  return similarity(a, b, 'cosine');
}

/**
 * Dot product of every row of `a` with every row of `b` (`util.dot_score`).
 *
 * @example
 * util.dotScore([[1, 2]], [[3, 4], [5, 6]]).toArray(); // [[11, 17]]
 */
export function dotScore(a: EmbeddingsLike, b: EmbeddingsLike): Embeddings {
  return similarity(a, b, 'dot');
}

/**
 * Negative Euclidean distance of every row of `a` to every row of `b` (`util.euclidean_sim`).
 *
 * @example
 * util.euclideanSim([[0, 0]], [[3, 4]]).toArray(); // [[-5]]
 */
export function euclideanSim(a: EmbeddingsLike, b: EmbeddingsLike): Embeddings {
  return similarity(a, b, 'euclidean');
}

/**
 * Negative Manhattan distance of every row of `a` to every row of `b` (`util.manhattan_sim`).
 *
 * @example
 * util.manhattanSim([[0, 0]], [[3, 4]]).toArray(); // [[-7]]
 */
export function manhattanSim(a: EmbeddingsLike, b: EmbeddingsLike): Embeddings {
  return similarity(a, b, 'manhattan');
}

/**
 * Cosine similarity of row i of `a` with row i of `b` (`util.pairwise_cos_sim`).
 *
 * @example
 * util.pairwiseCosSim([[1, 0], [0, 1]], [[1, 0], [1, 0]]); // Float32Array [1, 0]
 */
export function pairwiseCosSim(a: EmbeddingsLike, b: EmbeddingsLike): Float32Array {
  return similarityPairwise(a, b, 'cosine');
}

/**
 * Dot product of row i of `a` with row i of `b` (`util.pairwise_dot_score`).
 *
 * @example
 * util.pairwiseDotScore([[1, 2]], [[3, 4]]); // Float32Array [11]
 */
export function pairwiseDotScore(a: EmbeddingsLike, b: EmbeddingsLike): Float32Array {
  return similarityPairwise(a, b, 'dot');
}

/**
 * Negative Euclidean distance of row i of `a` to row i of `b` (`util.pairwise_euclidean_sim`).
 *
 * @example
 * util.pairwiseEuclideanSim([[0, 0]], [[3, 4]]); // Float32Array [-5]
 */
export function pairwiseEuclideanSim(a: EmbeddingsLike, b: EmbeddingsLike): Float32Array {
  return similarityPairwise(a, b, 'euclidean');
}

/**
 * Negative Manhattan distance of row i of `a` to row i of `b` (`util.pairwise_manhattan_sim`).
 *
 * @example
 * util.pairwiseManhattanSim([[0, 0]], [[3, 4]]); // Float32Array [-7]
 */
export function pairwiseManhattanSim(a: EmbeddingsLike, b: EmbeddingsLike): Float32Array {
  return similarityPairwise(a, b, 'manhattan');
}

/**
 * Each row divided by its L2 norm, as a new matrix (`util.normalize_embeddings`, torch's
 * `normalize(p=2, dim=1)`: a zero row stays zero).
 *
 * @example
 * util.normalizeEmbeddings([[3, 4]]).toArray(); // [[0.6, 0.8]]
 */
export function normalizeEmbeddings(embeddings: EmbeddingsLike): Embeddings {
  const source = toEmbeddings(embeddings, 'embeddings');
  const out = new Float32Array(source.data.length);
  for (let r = 0; r < source.rows; r += 1) {
    const row = source.row(r);
    let sum = 0;
    for (const v of row) sum += v * v;
    // torch divides by max(norm, 1e-12).
    const norm = Math.max(Math.fround(Math.sqrt(sum)), 1e-12);
    for (let d = 0; d < row.length; d += 1) out[r * source.dimension + d] = (row[d] as number) / norm;
  }
  return new Embeddings(out, source.rows, source.dimension);
}

/** What paraphraseMining needs of a model: SentenceTransformer's encode(). */
export interface Encoder {
  /** Encodes texts into float32 embeddings. */
  encode(texts: string[], options?: EncodeOptions & { precision?: 'float32' }): Promise<Embeddings>;
}

/** paraphraseMining's options when it encodes the sentences itself. */
export interface ParaphraseMiningModelOptions extends ParaphraseMiningOptions {
  /** Texts per model run. Default 32. */
  batchSize?: number;
  /** Passed to encode(). */
  prompt?: string;
  /** Passed to encode(). */
  promptName?: string;
  /** Passed to encode(). */
  truncateDim?: number;
}

/**
 * The most similar pairs of sentences, best first, as `[score, i, j]` with i < j
 * (`util.paraphrase_mining(model, sentences)`): the sentences are encoded with `model`, then
 * mined by cosine similarity. Given embeddings instead of a model, it mines those
 * (`util.paraphrase_mining_embeddings`).
 *
 * @example
 * const pairs = await util.paraphraseMining(model, ['A man eats food.', 'A man is eating.', 'A plane flies.']);
 * pairs[0]; // [0.93, 0, 1]
 */
export function paraphraseMining(model: Encoder, sentences: string[], options?: ParaphraseMiningModelOptions): Promise<Array<[number, number, number]>>;
export function paraphraseMining(embeddings: EmbeddingsLike, options?: ParaphraseMiningOptions): Promise<Array<[number, number, number]>>;
export async function paraphraseMining(
  first: Encoder | EmbeddingsLike,
  second?: string[] | ParaphraseMiningOptions,
  third: ParaphraseMiningModelOptions = {},
): Promise<Array<[number, number, number]>> {
  if (!isEncoder(first)) return paraphraseMiningEmbeddings(first, second as ParaphraseMiningOptions | undefined);
  const { texts } = validateTexts(second, 'sentences');
  if (third === null || typeof third !== 'object') {
    throw new TypeError(`expected paraphraseMining() options to be an options object but received ${describeValue(third)}`);
  }
  const { topK, maxPairs, ...encodeOptions } = third;
  const mining: ParaphraseMiningOptions = {};
  if (topK !== undefined) mining.topK = topK;
  if (maxPairs !== undefined) mining.maxPairs = maxPairs;
  // encode() refuses any key it does not know, so a misspelt option still fails.
  const embeddings = await first.encode(texts, encodeOptions);
  return paraphraseMiningEmbeddings(embeddings, mining);
}

function isEncoder(value: unknown): value is Encoder {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value)
    && !(value instanceof Embeddings) && typeof (value as Encoder).encode === 'function';
}
