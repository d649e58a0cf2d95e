/**
 * Token counts for the length check and usage, merged across requests: every text asked for
 * in one turn of the event loop is counted in one native tokenize run, as the encode
 * scheduler merges encodes, instead of one run per request queued between the model's runs.
 * Internal: not exported from the package entry point.
 */
import type { SentenceTransformer } from '../sentence-transformer.js';

interface Waiting {
  texts: string[];
  resolve(counts: Int32Array): void;
  reject(error: unknown): void;
}

export class TokenCounter {
  readonly #model: SentenceTransformer;
  #queue: Waiting[] = [];
  #scheduled = false;

  constructor(model: SentenceTransformer) {
    this.#model = model;
  }

  count(texts: string[]): Promise<Int32Array> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ texts, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    this.#scheduled = false;
    try {
      const rows = await this.#model.untruncatedTokens(batch.flatMap((w) => w.texts));
      let at = 0;
      for (const waiting of batch) {
        waiting.resolve(Int32Array.from(rows.slice(at, at + waiting.texts.length), (row) => row.ids.length));
        at += waiting.texts.length;
      }
    } catch {
      // One bad text must not fail the others: count each caller alone.
      for (const waiting of batch) {
        this.#model.untruncatedTokens(waiting.texts).then((rows) => waiting.resolve(Int32Array.from(rows, (row) => row.ids.length)), waiting.reject);
      }
    }
  }
}
