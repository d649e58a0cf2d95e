/**
 * The errors an image input fails with, each naming the input's index in the caller's array
 * (encode()'s, when it comes through encode), so one bad image in a batch is reported as that
 * image and the others still come back.
 */
import { SentenceKitError } from './errors.js';

/** The error codes of images that cannot be read. */
export type ImageErrorCode = 'ERR_IMAGE_DECODE' | 'ERR_IMAGE_TOO_LARGE' | 'ERR_IMAGE_DECODER_MISSING';

/**
 * An image that could not be decoded: corrupt, truncated, empty, of an unsupported format, an
 * unreadable file (`ERR_IMAGE_DECODE`); larger than PIL opens (`ERR_IMAGE_TOO_LARGE`, read from
 * the header before any pixel is decoded); or sharp is not installed (`ERR_IMAGE_DECODER_MISSING`).
 */
export class ImageInputError extends SentenceKitError {
  /** The input's index in the array the caller passed. */
  readonly index: number;

  constructor(code: ImageErrorCode, index: number, message: string, options?: { cause?: unknown }) {
    super(code, `image input ${index}: ${message}`, options);
    this.name = 'ImageInputError';
    this.index = index;
  }
}

/** A TypeError or RangeError for a malformed image input, carrying the input's index. */
export function imageArgumentError<E extends TypeError | RangeError>(
  Kind: new (message: string) => E,
  index: number,
  message: string,
): E & { index: number } {
  return Object.assign(new Kind(`image input ${index}: ${message}`), { index });
}
