/**
 * Embedding quantization with sentence-transformers' quantize_embeddings semantics: int8 and
 * uint8 with per-dimension ranges (given, from calibration embeddings, or from the
 * embeddings themselves), binary and ubinary packed 8 dimensions per byte (np.packbits).
 * Arithmetic is rounded to float32 at each step, as numpy does on float32 arrays.
 */
import { Embeddings, type EmbeddingsLike, toEmbeddings } from './embeddings.js';
import { validateOptionsObject } from './options.js';
import { describeValue } from './validate.js';

/** An embedding precision: float32, or a quantized one. */
export type Precision = 'float32' | 'int8' | 'uint8' | 'binary' | 'ubinary';
/** Every Precision. */
export const PRECISIONS: readonly Precision[] = ['float32', 'int8', 'uint8', 'binary', 'ubinary'];

/** Quantized embeddings: `data` is row-major with `bytesPerRow` values per row. */
export interface QuantizedEmbeddings {
  /** How the rows were quantized. */
  precision: Exclude<Precision, 'float32'>;
  /** Row-major values: Int8Array for int8 and binary, Uint8Array for uint8 and ubinary. */
  data: Int8Array | Uint8Array;
  /** Number of embeddings. */
  rows: number;
  /** The float dimension the rows came from. */
  dimension: number;
  /** Values per row: `dimension` for int8/uint8, ceil(dimension / 8) for binary/ubinary. */
  bytesPerRow: number;
  /** int8/uint8: the [2 × dimension] ranges used, to quantize queries the same way. */
  ranges?: Embeddings;
}

/** quantizeEmbeddings()'s options: where int8/uint8 take their per-dimension ranges. */
export interface QuantizeOptions {
  /** `[2 × dimension]`: per-dimension minimum (first row) and maximum (second row). */
  ranges?: EmbeddingsLike;
  /** Embeddings to take the per-dimension ranges from (recommended over the data itself). */
  calibrationEmbeddings?: EmbeddingsLike;
}

function perDimensionRanges(source: Embeddings): { starts: Float32Array; ends: Float32Array } {
  const starts = new Float32Array(source.dimension).fill(Number.POSITIVE_INFINITY);
  const ends = new Float32Array(source.dimension).fill(Number.NEGATIVE_INFINITY);
  for (let r = 0; r < source.rows; r += 1) {
    const row = source.row(r);
    for (let d = 0; d < source.dimension; d += 1) {
      const v = row[d] as number;
      if (v < (starts[d] as number)) starts[d] = v;
      if (v > (ends[d] as number)) ends[d] = v;
    }
  }
  return { starts, ends };
}

/**
 * Quantizes float embeddings to int8, uint8, binary or ubinary.
 *
 * @example
 * const docs = await model.encode(corpus);
 * const int8 = quantizeEmbeddings(docs, 'int8', { calibrationEmbeddings: docs });
 * const bits = quantizeEmbeddings(docs, 'ubinary');
 */
export function quantizeEmbeddings(embeddings: EmbeddingsLike, precision: 'float32', options?: QuantizeOptions): Embeddings;
export function quantizeEmbeddings(embeddings: EmbeddingsLike, precision: Exclude<Precision, 'float32'>, options?: QuantizeOptions): QuantizedEmbeddings;
export function quantizeEmbeddings(embeddings: EmbeddingsLike, precision: Precision, options?: QuantizeOptions): Embeddings | QuantizedEmbeddings;
export function quantizeEmbeddings(embeddingsLike: EmbeddingsLike, precision: Precision, options: QuantizeOptions = {}): Embeddings | QuantizedEmbeddings {
  const opts = validateOptionsObject<QuantizeOptions>(options, 'quantizeEmbeddings() options', { ranges: true, calibrationEmbeddings: true });
  const embeddings = toEmbeddings(embeddingsLike, 'embeddings');
  if (!PRECISIONS.includes(precision)) {
    throw new TypeError(`expected precision to be one of ${PRECISIONS.join(', ')} but received ${describeValue(precision)}`);
  }
  if (precision === 'float32') return embeddings;
  const { rows, dimension } = embeddings;

  if (precision === 'int8' || precision === 'uint8') {
    let starts: Float32Array;
    let ends: Float32Array;
    if (opts.ranges !== undefined) {
      const ranges = toEmbeddings(opts.ranges, 'options.ranges');
      if (ranges.rows !== 2 || ranges.dimension !== dimension) {
        throw new RangeError(`expected options.ranges to be a 2 × ${dimension} matrix but received ${ranges.rows} × ${ranges.dimension}`);
      }
      starts = ranges.row(0);
      ends = ranges.row(1);
    } else {
      const source = opts.calibrationEmbeddings === undefined ? embeddings : toEmbeddings(opts.calibrationEmbeddings, 'options.calibrationEmbeddings');
      if (source.dimension !== dimension) {
        throw new RangeError(`expected calibration embeddings of dimension ${dimension} but received ${source.dimension}`);
      }
      ({ starts, ends } = perDimensionRanges(source));
    }
    const steps = new Float32Array(dimension);
    for (let d = 0; d < dimension; d += 1) {
      const step = Math.fround(Math.fround((ends[d] as number) - (starts[d] as number)) / 255);
      steps[d] = step === 0 ? 1 : step;
    }
    const data = precision === 'int8' ? new Int8Array(rows * dimension) : new Uint8Array(rows * dimension);
    const offset = precision === 'int8' ? 128 : 0;
    for (let r = 0; r < rows; r += 1) {
      const row = embeddings.row(r);
      for (let d = 0; d < dimension; d += 1) {
        const scaled = Math.fround(Math.fround((row[d] as number) - (starts[d] as number)) / (steps[d] as number));
        const bucket = Math.min(255, Math.max(0, Math.floor(scaled)));
        data[r * dimension + d] = bucket - offset;
      }
    }
    const ranges = new Embeddings(new Float32Array([...starts, ...ends]), 2, dimension);
    return { precision, data, rows, dimension, bytesPerRow: dimension, ranges };
  }

  // binary / ubinary: bit 7 of byte 0 is dimension 0, as np.packbits (big-endian bit order).
  const bytesPerRow = Math.ceil(dimension / 8);
  const packed = new Uint8Array(rows * bytesPerRow);
  for (let r = 0; r < rows; r += 1) {
    const row = embeddings.row(r);
    for (let d = 0; d < dimension; d += 1) {
      if ((row[d] as number) > 0) packed[r * bytesPerRow + (d >> 3)]! |= 0x80 >> (d & 7);
    }
  }
  if (precision === 'ubinary') return { precision, data: packed, rows, dimension, bytesPerRow };
  const signed = new Int8Array(packed.length);
  for (let i = 0; i < packed.length; i += 1) signed[i] = (packed[i] as number) - 128;
  return { precision, data: signed, rows, dimension, bytesPerRow };
}
