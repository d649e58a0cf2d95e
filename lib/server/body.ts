/**
 * Reads a JSON request body, refusing it past the payload limit (413, as TEI's
 * DefaultBodyLimit) before it is all buffered.
 * Internal: not exported from the package entry point.
 */
import type { IncomingMessage } from 'node:http';

import { HttpError } from './errors.js';

function tooLarge(limit: number): HttpError {
  return new HttpError('Validation', `request body larger than the payload limit of ${limit} bytes`, { metric: 'payload_limit' });
}

export async function readJsonBody(request: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    // Drop the body without reading it into memory.
    request.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      request.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks, size).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    // A syntax error is 400 in axum's Json extractor; a body of the wrong shape 422.
    throw new HttpError('Validation', `invalid JSON body: ${(error as Error).message}`, { status: 400, metric: 'validation' });
  }
}
