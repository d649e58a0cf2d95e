/**
 * Similarity functions as sentence-transformers defines them: cosine, dot, euclidean
 * (negative L2 distance) and manhattan (negative L1 distance), as full matrices and pairwise,
 * computed by the native kernels (SIMD, float32 as torch computes them).
 *
 * `similarity` and `similarityPairwise` stay synchronous, as model.similarity is in Python;
 * `similarityAsync` runs large matrices on a worker thread so the event loop stays free.
 */
import { nativeBinding } from './binding.js';
import { Embeddings, type EmbeddingsLike, toEmbeddings } from './embeddings.js';
import { forOffThreadRead } from './off-thread-input.js';
import type { SimilarityFunctionName } from './model-folder.js';
import { describeValue } from './validate.js';

/** The similarity functions sentence-transformers defines, by the names its configs use. */
export const SIMILARITY_FUNCTIONS: readonly SimilarityFunctionName[] = ['cosine', 'dot', 'euclidean', 'manhattan'];

/** Both operands as Embeddings (rows are copied into one buffer), same width, a known function. */
function check(aLike: EmbeddingsLike, bLike: EmbeddingsLike, fn: SimilarityFunctionName): [Embeddings, Embeddings] {
  const a = toEmbeddings(aLike, 'a');
  const b = toEmbeddings(bLike, 'b');
  if (a.dimension !== b.dimension) {
    throw new RangeError(`expected embeddings of the same dimension but received ${a.dimension} and ${b.dimension}`);
  }
  if (!SIMILARITY_FUNCTIONS.includes(fn)) {
    throw new TypeError(`expected a similarity function among ${SIMILARITY_FUNCTIONS.join(', ')} but received ${describeValue(fn)}`);
  }
  return [a, b];
}

// Below this many multiply-adds a worker hop costs more than the matrix itself.
const ASYNC_FROM_WORK = 1 << 20;

/**
 * The [a.rows × b.rows] similarity matrix, computed on the calling thread. `a` and `b` are
 * Embeddings or plain rows (`number[][]`, `Float32Array[]`, or one row).
 *
 * @example
 * const scores = similarity(queries, docs, 'cosine'); // scores.row(0) → query 0 vs every doc
 * similarity([[1, 0]], [[1, 0], [0, 1]]).toArray();    // [[1, 0]]
 */
export function similarity(aLike: EmbeddingsLike, bLike: EmbeddingsLike, fn: SimilarityFunctionName = 'cosine'): Embeddings {
  const [a, b] = check(aLike, bLike, fn);
  const out = new Float32Array(a.rows * b.rows);
  // A zero dimension scores 0 everywhere (sums of nothing), as the TypeScript loops used to.
  if (out.length > 0 && a.dimension > 0) nativeBinding().similarityMatrix(a.data, a.rows, b.data, b.rows, a.dimension, fn, out);
  return new Embeddings(out, a.rows, b.rows);
}

/**
 * `similarity` off the event loop: large matrices run on a worker thread (small ones on the
 * calling thread, where a worker hop would cost more). The worker reads copies of the
 * caller's arrays (taken before this returns), so they may be written to, transferred or
 * resized meanwhile; arrays over a SharedArrayBuffer are read in place, without the copy.
 *
 * @example
 * const scores = await similarityAsync(queries, corpus, 'dot');
 */
export async function similarityAsync(aLike: EmbeddingsLike, bLike: EmbeddingsLike, fn: SimilarityFunctionName = 'cosine'): Promise<Embeddings> {
  const [a, b] = check(aLike, bLike, fn);
  if (a.rows * b.rows * a.dimension < ASYNC_FROM_WORK) return similarity(a, b, fn);
  const out = new Float32Array(a.rows * b.rows);
  const aRows = forOffThreadRead(a.data, a.rows * a.dimension, a !== aLike, 'a');
  const bRows = b === a ? aRows : forOffThreadRead(b.data, b.rows * b.dimension, b !== bLike, 'b');
  await nativeBinding().similarityMatrixAsync(aRows, a.rows, bRows, b.rows, a.dimension, fn, out);
  return new Embeddings(out, a.rows, b.rows);
}

/**
 * Row i of `a` against row i of `b`: one score per row.
 *
 * @example
 * similarityPairwise([[1, 0], [0, 1]], [[1, 0], [1, 0]]); // Float32Array [1, 0]
 */
export function similarityPairwise(aLike: EmbeddingsLike, bLike: EmbeddingsLike, fn: SimilarityFunctionName = 'cosine'): Float32Array {
  const [a, b] = check(aLike, bLike, fn);
  if (a.rows !== b.rows) throw new RangeError(`expected the same number of rows but received ${a.rows} and ${b.rows}`);
  const out = new Float32Array(a.rows);
  if (out.length > 0 && a.dimension > 0) nativeBinding().similarityPairwise(a.data, b.data, a.rows, a.dimension, fn, out);
  return out;
}
