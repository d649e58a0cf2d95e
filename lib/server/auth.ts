/**
 * `--api-key`: `Authorization: Bearer <key>`, compared in constant time. Both sides are hashed
 * first so the comparison takes as long whatever the length of the key sent.
 * Internal: not exported from the package entry point.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { HttpError } from './errors.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export class ApiKeyCheck {
  readonly #expected: Buffer;

  constructor(apiKey: string) {
    this.#expected = digest(apiKey);
  }

  /** Throws a 401 unless the request carries the key. */
  check(request: IncomingMessage): void {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const ok = timingSafeEqual(digest(match?.[1]?.trim() ?? ''), this.#expected);
    if (!match || !ok) throw new HttpError('Unauthorized', 'missing or invalid API key: send "Authorization: Bearer <key>"', { metric: 'unauthorized' });
  }
}
