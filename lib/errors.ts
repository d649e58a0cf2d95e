/**
 * Errors of our own, with a stable `code` callers can switch on. Native failures arrive as
 * instances of {@link SentenceKitError} too: the class is handed to the addon once at load
 * time, so the native side constructs real instances instead of plain Errors.
 */

/** Stable error codes; the native core uses the same strings (native/core/status.h). */
export type SentenceKitErrorCode =
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_MODEL_LOAD'
  | 'ERR_MODEL_NOT_FOUND'
  | 'ERR_HUB'
  | 'ERR_TOKENIZER'
  | 'ERR_RUNTIME'
  | 'ERR_CUDA_UNAVAILABLE'
  | 'ERR_DISPOSED'
  | 'ERR_NATIVE_LOAD'
  | 'ERR_IMAGE_DECODE'
  | 'ERR_IMAGE_TOO_LARGE'
  | 'ERR_IMAGE_DECODER_MISSING'
  | 'ERR_INTERNAL';

/**
 * An error raised by sentencekit.
 *
 * @example
 * try { await SentenceTransformer.fromPretrained('./missing') }
 * catch (error) { if (error instanceof SentenceKitError && error.code === 'ERR_MODEL_LOAD') … }
 */
export class SentenceKitError extends Error {
  /** What went wrong, stable across versions: switch on this, not on the message. */
  readonly code: SentenceKitErrorCode;

  constructor(code: SentenceKitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SentenceKitError';
    this.code = code;
  }
}

/** The error every call on a disposed model rejects with. */
export function disposedError(what: string): SentenceKitError {
  return new SentenceKitError('ERR_DISPOSED', `${what} has been disposed; load the model again to use it`);
}
