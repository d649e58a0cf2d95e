/**
 * Similarity functions as sentence-transformers defines them: cosine, dot, euclidean
 * (negative L2 distance) and manhattan (negative L1 distance), as full matrices and pairwise.
 */
import { Embeddings } from './embeddings.js';
import type { SimilarityFunctionName } from './model-folder.js';
import { describeValue } from './validate.js';

export const SIMILARITY_FUNCTIONS: readonly SimilarityFunctionName[] = ['cosine', 'dot', 'euclidean', 'manhattan'];

function score(fn: SimilarityFunctionName, a: Float32Array, b: Float32Array): number {
  let sum = 0;
  switch (fn) {
    case 'dot':
      for (let i = 0; i < a.length; i += 1) sum += (a[i] as number) * (b[i] as number);
      return sum;
    case 'cosine': {
      let na = 0;
      let nb = 0;
      for (let i = 0; i < a.length; i += 1) {
        const x = a[i] as number;
        const y = b[i] as number;
        sum += x * y;
        na += x * x;
        nb += y * y;
      }
      // torch normalizes each side with eps 1e-12 first: a zero vector scores 0.
      return sum / (Math.max(Math.sqrt(na), 1e-12) * Math.max(Math.sqrt(nb), 1e-12));
    }
    case 'euclidean':
      for (let i = 0; i < a.length; i += 1) sum += ((a[i] as number) - (b[i] as number)) ** 2;
      return -Math.sqrt(sum);
    case 'manhattan':
      for (let i = 0; i < a.length; i += 1) sum += Math.abs((a[i] as number) - (b[i] as number));
      return -sum;
  }
}

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

/**
 * The [a.rows × b.rows] similarity matrix.
 *
 * @example
 * const scores = similarity(queries, docs, 'cosine'); // scores.row(0) → query 0 vs every doc
 */
export function similarity(a: Embeddings, b: Embeddings, fn: SimilarityFunctionName = 'cosine'): Embeddings {
  check(a, b, fn);
  const out = new Float32Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i += 1) {
    const row = a.row(i);
    for (let j = 0; j < b.rows; j += 1) out[i * b.rows + j] = score(fn, row, b.row(j));
  }
  return new Embeddings(out, a.rows, b.rows);
}

/** Row i of `a` against row i of `b`. */
export function similarityPairwise(a: Embeddings, b: Embeddings, fn: SimilarityFunctionName = 'cosine'): Float32Array {
  check(a, b, fn);
  if (a.rows !== b.rows) throw new RangeError(`expected the same number of rows but received ${a.rows} and ${b.rows}`);
  const out = new Float32Array(a.rows);
  for (let i = 0; i < a.rows; i += 1) out[i] = score(fn, a.row(i), b.row(i));
  return out;
}
