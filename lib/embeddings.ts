import { checkAttached } from './off-thread-input.js';

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
  /** Number of embeddings (rows). */
  readonly rows: number;
  /** Width of each embedding (columns). */
  readonly dimension: number;

  constructor(data: Float32Array, rows: number, dimension: number) {
    if (data.length !== rows * dimension) {
      throw new RangeError(`expected ${rows * dimension} values for ${rows} × ${dimension} but received ${data.length}`);
    }
    this.data = data;
    this.rows = rows;
    this.dimension = dimension;
  }

  /** `[rows, dimension]`, as a tensor's shape. */
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

  /**
   * The rows as plain number arrays, so `JSON.stringify(embeddings)` gives `[[…], […]]`, as
   * `embeddings.tolist()` would in Python.
   */
  toJSON(): number[][] {
    return this.toArray();
  }

  /**
   * Iterates over the rows (views, no copies): `for (const row of embeddings)`,
   * `[...embeddings]`, `Array.from(embeddings)`.
   */
  *[Symbol.iterator](): IterableIterator<Float32Array> {
    for (let i = 0; i < this.rows; i += 1) yield this.row(i);
  }

  /**
   * Embeddings from rows: `number[][]` or `Float32Array[]` (each row the same length), or one
   * row on its own (`number[]` or a `Float32Array`), as a 1-D tensor is one row in
   * sentence-transformers' util functions. An `Embeddings` is returned as is. The rows are
   * copied into one flat buffer.
   *
   * @example
   * const stored = Embeddings.from([[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]]); // e.g. rows from a database
   * stored.shape; // [2, 3]
   */
  static from(rows: EmbeddingsLike): Embeddings {
    return toEmbeddings(rows, 'rows');
  }
}

/** One embedding: plain numbers or a Float32Array. */
export type EmbeddingRow = readonly number[] | Float32Array;

/**
 * What search and similarity functions take: an `Embeddings` matrix, an array of rows
 * (`number[][]`, `Float32Array[]`), or a single row.
 */
export type EmbeddingsLike = Embeddings | readonly EmbeddingRow[] | EmbeddingRow;

function isRow(value: unknown): value is EmbeddingRow {
  return value instanceof Float32Array || (Array.isArray(value) && typeof value[0] === 'number');
}

function checkRow(row: EmbeddingRow, dimension: number, what: string): void {
  if (row.length !== dimension) {
    throw new RangeError(`expected every row of ${what} to have ${dimension} values but received one of ${row.length}`);
  }
  if (!(row instanceof Float32Array)) {
    for (let j = 0; j < row.length; j += 1) {
      if (typeof row[j] !== 'number') throw new TypeError(`expected ${what} to hold numbers but received ${typeof row[j]} at column ${j}`);
    }
  }
}

/** `value` as Embeddings (see Embeddings.from); a TypeError names `what` for anything else. */
export function toEmbeddings(value: unknown, what: string): Embeddings {
  if (value instanceof Embeddings) {
    // Its buffer may have been transferred or shrunk since it was made.
    checkAttached(value.data, value.rows * value.dimension, what);
    return value;
  }
  // No rows at all (an empty result set): a 0 × 0 matrix.
  if (Array.isArray(value) && value.length === 0) return new Embeddings(new Float32Array(0), 0, 0);
  if (isRow(value)) {
    checkRow(value, value.length, what);
    return new Embeddings(Float32Array.from(value), 1, value.length);
  }
  if (Array.isArray(value) && value.every((row) => isRow(row) || (Array.isArray(row) && row.length === 0))) {
    const rows = value as EmbeddingRow[];
    const dimension = rows.length === 0 ? 0 : (rows[0] as EmbeddingRow).length;
    const data = new Float32Array(rows.length * dimension);
    rows.forEach((row, i) => {
      checkRow(row, dimension, what);
      data.set(row, i * dimension);
    });
    return new Embeddings(data, rows.length, dimension);
  }
  const received = value === null ? 'null' : Array.isArray(value) ? `an array of length ${value.length} that is not rows of numbers` : typeof value === 'object' ? `an object (${(value as object).constructor?.name ?? 'Object'})` : `a ${typeof value}`;
  throw new TypeError(`expected ${what} to be Embeddings, number[][] or Float32Array[] rows but received ${received}`);
}
