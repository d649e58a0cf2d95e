/**
 * Dynamic batching across callers: concurrent encode() calls on one model are merged into
 * shared native runs, and each caller gets exactly its own rows back. One native run is in
 * flight per model at a time, so queued work waits here, not on a blocked libuv thread, and
 * ONNX Runtime's intra-op threads get the whole CPU for each run.
 * Internal: not exported from the package entry point.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

import type { NativeEncodeOptions } from './binding.js';

/**
 * The most texts one native run takes. A run tokenizes all its texts before it sorts and
 * batches them, so one call of millions would hold every encoding at once (about 800 MB per
 * million short texts, measured with a 32-wide BERT): a longer call runs in parts of this
 * many, each sorted and batched on its own, written into one result. Large enough that each
 * part still sorts into well-filled batches.
 */
export const MAX_RUN_TEXTS = 16384;

/** Bytes a result may take: the machine's memory, or its cgroup's limit when lower. */
function resultBudget(): number {
  let limit = totalmem();
  try {
    const cgroup = readFileSync('/sys/fs/cgroup/memory.max', 'utf8').trim();
    if (/^\d+$/.test(cgroup)) limit = Math.min(limit, Number(cgroup));
  } catch {
    // No cgroup v2 limit to read: the machine's memory it is.
  }
  return limit;
}

export interface SchedulerOptions {
  /** The most texts merged into one native call. */
  maxBatchTexts: number;
  /** How long the first queued call waits for others to join (0: until the current tick ends). */
  maxWaitMs: number;
  /** The most texts in one native run; a call of more runs in parts into one result (default MAX_RUN_TEXTS). */
  maxRunTexts?: number;
}

interface Request<T> {
  texts: T[];
  options: NativeEncodeOptions;
  key: string;
  resolve(rows: Float32Array): void;
  reject(error: unknown): void;
}

type RunNative<T> = (texts: T[], options: NativeEncodeOptions) => Promise<Float32Array>;

/** One merged run as it starts: what the server's /metrics reports as batch sizes and queue depth. */
export interface SchedulerRun {
  /** Inputs in this native run (every merged caller's). */
  inputs: number;
  /** Callers merged into it. */
  callers: number;
  /** Inputs still queued behind it. */
  queued: number;
}

/** Schedules texts (T = string) or any other input a model encodes one row each for (a CLIP model's images). */
export class EncodeScheduler<T = string> {
  readonly #run: RunNative<T>;
  readonly #options: SchedulerOptions;
  readonly #queue: Request<T>[] = [];
  #busy = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #observers: Array<(run: SchedulerRun) => void> = [];

  constructor(run: RunNative<T>, options: SchedulerOptions) {
    this.#run = run;
    this.#options = options;
  }

  /** Calls `observer` as each merged run starts (not the re-runs that find a failing caller). */
  observe(observer: (run: SchedulerRun) => void): void {
    this.#observers.push(observer);
  }

  /** Resolves to the caller's own [texts × width] rows. */
  submit(texts: T[], options: NativeEncodeOptions): Promise<Float32Array> {
    return new Promise<Float32Array>((resolve, reject) => {
      // Only calls with the same native options can share a run.
      const key = `${options.normalize}|${options.truncateDim}|${options.promptTokens}|${options.maxLength}|${options.truncationSide}`;
      this.#queue.push({ texts, options, key, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#busy || this.#timer !== undefined || this.#queue.length === 0) return;
    const wait = this.#options.maxWaitMs;
    this.#timer = wait > 0 ? setTimeout(() => this.#dispatch(), wait) : setImmediate(() => this.#dispatch()) as unknown as NodeJS.Timeout;
  }

  /** Takes the head request and every queued one compatible with it, up to the text budget. */
  #takeBatch(): Request<T>[] {
    const head = this.#queue.shift() as Request<T>;
    const batch = [head];
    let texts = head.texts.length;
    for (let i = 0; i < this.#queue.length && texts < this.#options.maxBatchTexts; ) {
      const next = this.#queue[i] as Request<T>;
      if (next.key === head.key && texts + next.texts.length <= this.#options.maxBatchTexts) {
        batch.push(next);
        texts += next.texts.length;
        this.#queue.splice(i, 1);
      } else {
        i += 1;
      }
    }
    return batch;
  }

  async #dispatch(): Promise<void> {
    this.#timer = undefined;
    if (this.#busy || this.#queue.length === 0) return;
    this.#busy = true;
    const batch = this.#takeBatch();
    if (this.#observers.length > 0) {
      const run = {
        inputs: batch.reduce((n, r) => n + r.texts.length, 0),
        callers: batch.length,
        queued: this.#queue.reduce((n, r) => n + r.texts.length, 0),
      };
      for (const observer of this.#observers) observer(run);
    }
    try {
      await this.#runBatch(batch);
    } finally {
      this.#busy = false;
      this.#schedule();
    }
  }

  /** One native run, or maxRunTexts at a time into one result (a RangeError if it cannot fit). */
  async #runInParts(texts: T[], options: NativeEncodeOptions): Promise<Float32Array> {
    const partTexts = this.#options.maxRunTexts ?? MAX_RUN_TEXTS;
    if (texts.length <= partTexts) return this.#run(texts, options);
    let result: Float32Array | undefined;
    let width = 0;
    for (let start = 0; start < texts.length; start += partTexts) {
      const part = await this.#run(texts.slice(start, start + partTexts), options);
      if (result === undefined) {
        width = part.length / partTexts;
        const bytes = texts.length * width * 4;
        // Refused before it is allocated: an array the kernel lets us reserve but cannot back
        // ends in an out-of-memory kill as it fills.
        if (bytes > resultBudget()) {
          throw new RangeError(`expected texts whose embeddings fit in memory but ${texts.length} embeddings of ${width} floats take ${(bytes / 2 ** 30).toFixed(1)} GiB, more than this machine's ${(resultBudget() / 2 ** 30).toFixed(1)} GiB; encode them in parts`);
        }
        result = new Float32Array(texts.length * width);
      }
      result.set(part, start * width);
    }
    return result as Float32Array;
  }

  async #runBatch(batch: Request<T>[]): Promise<void> {
    const head = batch[0] as Request<T>;
    // The largest batchSize asked for: merged calls run as one sorted, padded sequence.
    const options = { ...head.options, batchSize: Math.max(...batch.map((r) => r.options.batchSize)) };
    let rows: Float32Array;
    try {
      rows = await this.#runInParts(batch.flatMap((r) => r.texts), options);
    } catch (error) {
      if (batch.length === 1) {
        head.reject(error);
        return;
      }
      // Find the caller whose input failed: run each alone, so the others still succeed.
      for (const request of batch) await this.#runBatch([request]);
      return;
    }
    if (batch.length === 1) {
      // A caller alone in its run owns the whole result: no copy.
      head.resolve(rows);
      return;
    }
    const total = batch.reduce((sum, r) => sum + r.texts.length, 0);
    const width = total === 0 ? 0 : rows.length / total;
    let offset = 0;
    for (const request of batch) {
      const length = request.texts.length * width;
      // Each caller gets its own copy, so one caller's buffer never aliases another's.
      request.resolve(rows.slice(offset, offset + length));
      offset += length;
    }
  }
}
