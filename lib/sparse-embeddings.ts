/**
 * Sparse embeddings (SPLADE) as compressed sparse rows: one Int32Array of vocabulary indices,
 * one Float32Array of weights and row offsets, ascending indices within each row.
 *
 * @example
 * const sparse = await splade.encode(['hello world']);
 * const { indices, values } = sparse.row(0);
 */
export class SparseEmbeddings {
  /** Vocabulary index of every stored weight, row after row, ascending within a row. */
  readonly indices: Int32Array;
  /** The weight at each entry of `indices`. */
  readonly values: Float32Array;
  /** Row r is indices/values[offsets[r] .. offsets[r + 1]). */
  readonly offsets: Int32Array;
  /** Vocabulary size: the dense width of every row. */
  readonly dimension: number;

  constructor(indices: Int32Array, values: Float32Array, offsets: Int32Array, dimension: number) {
    if (indices.length !== values.length) {
      throw new RangeError(`expected as many values as indices but received ${values.length} and ${indices.length}`);
    }
    if (offsets.length === 0 || offsets[0] !== 0 || offsets[offsets.length - 1] !== indices.length) {
      throw new RangeError('expected offsets to start at 0 and end at the number of entries');
    }
    this.indices = indices;
    this.values = values;
    this.offsets = offsets;
    this.dimension = dimension;
  }

  /** Number of sparse embeddings (rows). */
  get rows(): number {
    return this.offsets.length - 1;
  }

  /** `[rows, dimension]`. */
  get shape(): [number, number] {
    return [this.rows, this.dimension];
  }

  /** Views (no copies) of row `index`'s indices and weights. */
  row(index: number): SparseRow {
    if (!Number.isInteger(index) || index < 0 || index >= this.rows) {
      throw new RangeError(`expected a row index in [0, ${this.rows}) but received ${index}`);
    }
    const begin = this.offsets[index] as number;
    const end = this.offsets[index + 1] as number;
    return { indices: this.indices.subarray(begin, end), values: this.values.subarray(begin, end) };
  }

  /** Row `index` as a dense Float32Array of `dimension` weights. */
  dense(index: number): Float32Array {
    const { indices, values } = this.row(index);
    const out = new Float32Array(this.dimension);
    indices.forEach((j, k) => {
      out[j] = values[k] as number;
    });
    return out;
  }
}

/** One sparse row: its vocabulary indices (ascending) and their weights. */
export interface SparseRow {
  /** Vocabulary indices, ascending. */
  indices: Int32Array;
  /** The weight at each index. */
  values: Float32Array;
}

/** What sparsity() reports, as sentence-transformers' SparseEncoder.sparsity. */
export interface SparsityStats {
  /** Mean number of non-zero weights per row. */
  activeDims: number;
  /** Mean fraction of zero dimensions per row. */
  sparsityRatio: number;
}

/** Dot product of two rows with ascending indices (a merge, no dense vectors). */
export function sparseDot(
  a: { indices: Int32Array; values: Float32Array },
  b: { indices: Int32Array; values: Float32Array },
): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const ai = a.indices[i] as number;
    const bj = b.indices[j] as number;
    if (ai === bj) {
      sum += (a.values[i] as number) * (b.values[j] as number);
      i += 1;
      j += 1;
    } else if (ai < bj) {
      i += 1;
    } else {
      j += 1;
    }
  }
  return sum;
}

/**
 * Sparsity statistics as sentence-transformers reports them: mean active dimensions per row
 * and the mean fraction of zero dimensions.
 */
export function sparsity(embeddings: SparseEmbeddings): SparsityStats {
  if (embeddings.rows === 0 || embeddings.dimension === 0) return { activeDims: 0, sparsityRatio: 1 };
  let active = 0;
  for (let r = 0; r < embeddings.rows; r += 1) {
    const { values } = embeddings.row(r);
    for (const v of values) if (v !== 0) active += 1;
  }
  const activeDims = active / embeddings.rows;
  return { activeDims, sparsityRatio: 1 - activeDims / embeddings.dimension };
}
