/**
 * A matrix of embeddings: one flat row-major Float32Array plus its shape, so results move
 * between native code, workers and sockets without per-number JavaScript arrays.
 *
 * @example
 * const embeddings = await model.encode(['first', 'second']);
 * embeddings.shape;   // [2, 384]
 * embeddings.row(1);  // Float32Array view of the second row (no copy)
 */
export class Embeddings {
  /** Row-major values, `rows * dimension` long. */
  readonly data: Float32Array;
  readonly rows: number;
  readonly dimension: number;

  constructor(data: Float32Array, rows: number, dimension: number) {
    if (data.length !== rows * dimension) {
      throw new RangeError(`expected ${rows * dimension} values for ${rows} × ${dimension} but received ${data.length}`);
    }
    this.data = data;
    this.rows = rows;
    this.dimension = dimension;
  }

  get shape(): [number, number] {
    return [this.rows, this.dimension];
  }

  /** A view of row `index` sharing memory with `data`. */
  row(index: number): Float32Array {
    if (!Number.isInteger(index) || index < 0 || index >= this.rows) {
      throw new RangeError(`expected a row index in [0, ${this.rows}) but received ${index}`);
    }
    return this.data.subarray(index * this.dimension, (index + 1) * this.dimension);
  }

  /** Copies into plain number arrays, e.g. for JSON. */
  toArray(): number[][] {
    const result: number[][] = [];
    for (let i = 0; i < this.rows; i += 1) result.push(Array.from(this.row(i)));
    return result;
  }
}
