/**
 * Similarity functions as sentence-transformers defines them: cosine, dot, euclidean
 * (negative L2 distance) and manhattan (negative L1 distance), as full matrices and pairwise,
 * computed by the native kernels (SIMD, float32 as torch computes them).
 *
 * `similarity` and `similarityPairwise` stay synchronous, as model.similarity is in Python;
 * `similarityAsync` runs large matrices on a worker thread so the event loop stays free.
 */
import { nativeBinding } from './binding.js';
import { Embeddings } from './embeddings.js';
import type { SimilarityFunctionName } from './model-folder.js';
import { describeValue } from './validate.js';

export const SIMILARITY_FUNCTIONS: readonly SimilarityFunctionName[] = ['cosine', 'dot', 'euclidean', 'manhattan'];

function check(a: Embeddings, b: Embeddings, fn: SimilarityFunctionName): void {
  if (!(a instanceof Embeddings) || !(b instanceof Embeddings)) {
    throw new TypeError(`expected two Embeddings matrices but received ${describeValue(a)} and ${describeValue(b)}`);
  }
  if (a.dimension !== b.dimension) {
    throw new RangeError(`expected embeddings of the same dimension but received ${a.dimension} and ${b.dimension}`);
  }
  if (!SIMILARITY_FUNCTIONS.includes(fn)) {
    throw new TypeError(`expected a similarity function among ${SIMILARITY_FUNCTIONS.join(', ')} but received ${describeValue(fn)}`);
  }
}

// Below this many multiply-adds a worker hop costs more than the matrix itself.
const ASYNC_FROM_WORK = 1 << 20;

/**
 * The [a.rows × b.rows] similarity matrix, computed on the calling thread.
 *
 * @example
 * const scores = similarity(queries, docs, 'cosine'); // scores.row(0) → query 0 vs every doc
 */
export function similarity(a: Embeddings, b: Embeddings, fn: SimilarityFunctionName = 'cosine'): Embeddings {
  check(a, b, fn);
  const out = new Float32Array(a.rows * b.rows);
  // A zero dimension scores 0 everywhere (sums of nothing), as the TypeScript loops used to.
  if (out.length > 0 && a.dimension > 0) nativeBinding().similarityMatrix(a.data, a.rows, b.data, b.rows, a.dimension, fn, out);
  return new Embeddings(out, a.rows, b.rows);
}

/**
 * `similarity` off the event loop: large matrices run on a worker thread (small ones on the
 * calling thread, where a worker hop would cost more). The inputs must not be written to
 * until the promise settles.
 *
 * @example
 * const scores = await similarityAsync(queries, corpus, 'dot');
 */
export async function similarityAsync(a: Embeddings, b: Embeddings, fn: SimilarityFunctionName = 'cosine'): Promise<Embeddings> {
  check(a, b, fn);
  if (a.rows * b.rows * a.dimension < ASYNC_FROM_WORK) return similarity(a, b, fn);
  const out = new Float32Array(a.rows * b.rows);
  await nativeBinding().similarityMatrixAsync(a.data, a.rows, b.data, b.rows, a.dimension, fn, out);
  return new Embeddings(out, a.rows, b.rows);
}

/** Row i of `a` against row i of `b`. */
export function similarityPairwise(a: Embeddings, b: Embeddings, fn: SimilarityFunctionName = 'cosine'): Float32Array {
  check(a, b, fn);
  if (a.rows !== b.rows) throw new RangeError(`expected the same number of rows but received ${a.rows} and ${b.rows}`);
  const out = new Float32Array(a.rows);
  if (out.length > 0 && a.dimension > 0) nativeBinding().similarityPairwise(a.data, b.data, a.rows, a.dimension, fn, out);
  return out;
}
