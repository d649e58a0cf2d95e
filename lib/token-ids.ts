/**
 * Token-id inputs (encodeTokenIds(), the server's token-id requests): checked against the
 * model's vocabulary before anything reaches native code, and packed as the native
 * encodeIds() takes them (every row's ids in one Int32Array, and each row's count).
 * Not part of the package's public API.
 */
import { describeValue } from './validate.js';

/** One row of token ids: a number[] (as JSON gives them) or an integer typed array. */
export type TokenIdRow = readonly number[] | Int32Array | Uint32Array;

function isRow(value: unknown): value is TokenIdRow {
  return Array.isArray(value) || value instanceof Int32Array || value instanceof Uint32Array;
}

/**
 * One row of ids or an array of rows (an empty array is an empty batch), each id an integer
 * in [0, vocabSize): a TypeError for anything else, a RangeError naming the first id outside
 * the vocabulary and for an empty row (a model input needs at least one token).
 */
export function validateTokenIds(input: unknown, vocabSize: number, what = 'ids'): { rows: TokenIdRow[]; single: boolean } {
  if (!isRow(input)) throw new TypeError(`expected ${what} to be an array of token ids or an array of such arrays but received ${describeValue(input)}`);
  const single = input.length > 0 && typeof input[0] === 'number';
  const rows = single ? [input] : (input as unknown[]);
  rows.forEach((row, r) => {
    const where = single ? what : `${what}[${r}]`;
    if (!isRow(row)) throw new TypeError(`expected ${where} to be an array of token ids but received ${describeValue(row)}`);
    if (row.length === 0) throw new RangeError(`expected ${where} to hold at least one token id but received an empty array`);
    for (let i = 0; i < row.length; i++) {
      const id = row[i];
      if (typeof id !== 'number' || !Number.isInteger(id)) throw new TypeError(`expected ${where}[${i}] to be an integer token id but received ${describeValue(id)}`);
      if (id < 0 || id >= vocabSize) throw new RangeError(`expected ${where}[${i}] to be a token id of this model's vocabulary (0 to ${vocabSize - 1}) but received ${id}`);
    }
  });
  return { rows: rows as TokenIdRow[], single };
}

/** Rows as native encodeIds() takes them: all ids in one array, and each row's count. */
export function packTokenIds(rows: readonly TokenIdRow[]): { ids: Int32Array; counts: Int32Array } {
  let total = 0;
  for (const row of rows) total += row.length;
  const ids = new Int32Array(total);
  const counts = new Int32Array(rows.length);
  let at = 0;
  rows.forEach((row, r) => {
    ids.set(row, at);
    at += row.length;
    counts[r] = row.length;
  });
  return { ids, counts };
}
