/**
 * Errors in text-embeddings-inference's shape: `{"error": "...", "error_type": "..."}` with
 * TEI's status for each type (router/src/http/server.rs, `From<&ErrorType> for StatusCode`):
 * Validation is 413 there, not 400, and an empty batch is the one 400.
 * Internal: not exported from the package entry point.
 */
export type ErrorType = 'Unhealthy' | 'Backend' | 'Overloaded' | 'Validation' | 'Tokenizer' | 'Empty' | 'Unauthorized' | 'NotFound';

const STATUS: Record<ErrorType, number> = {
  Unhealthy: 503,
  Backend: 424,
  Overloaded: 429,
  Validation: 413,
  Tokenizer: 422,
  Empty: 400,
  // Not TEI error types: TEI answers these with an empty body; we keep one JSON shape.
  Unauthorized: 401,
  NotFound: 404,
};

/** An error answered to the client: its message is safe to show. */
export class HttpError extends Error {
  readonly status: number;
  readonly errorType: ErrorType;
  /** The label in te_request_failure{err=…}. */
  readonly metric: string;

  constructor(errorType: ErrorType, message: string, options: { status?: number; metric?: string } = {}) {
    super(message);
    this.name = 'HttpError';
    this.errorType = errorType;
    this.status = options.status ?? STATUS[errorType];
    this.metric = options.metric ?? errorType.toLowerCase();
  }
}

/** A request body that does not fit the route's schema: 422, as axum's Json extractor answers. */
export function invalidBody(message: string): HttpError {
  return new HttpError('Validation', message, { status: 422, metric: 'validation' });
}

/** TEI's error body. */
export function teiErrorBody(error: HttpError): { error: string; error_type: ErrorType } {
  return { error: error.message, error_type: error.errorType };
}

/** TEI's OpenAICompatErrorResponse for the /v1 routes: `{message, code, type}`. */
export function openAiErrorBody(error: HttpError): { message: string; code: number; type: ErrorType } {
  return { message: error.message, code: error.status, type: error.errorType };
}

/** Any thrown value as an HttpError: library errors by their code, the rest as a backend failure. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const err = error as { code?: string; message?: string; name?: string };
  const message = err?.message ?? String(error);
  if (error instanceof TypeError || error instanceof RangeError) return invalidBody(message);
  if (err?.code === 'ERR_TOKENIZER') return new HttpError('Tokenizer', message);
  if (err?.code === 'ERR_INVALID_ARGUMENT') return invalidBody(message);
  if (err?.code === 'ERR_DISPOSED') return new HttpError('Unhealthy', message);
  return new HttpError('Backend', message);
}
