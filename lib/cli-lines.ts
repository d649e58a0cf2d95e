/**
 * The command line's input: stdin read line by line into a bounded queue, handed out in
 * chunks. Reading pauses while the queue is full, so a million lines never sit in memory at
 * once; a chunk is handed out as soon as it is full, or when input stalls with lines waiting
 * (typed lines, a slow producer), so results follow input instead of waiting for its end.
 * Empty lines are skipped.
 * Internal: not exported from the package entry point.
 */
import { fstatSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** A chunk waits this long for more lines when input stalls before it goes out part-full. */
const STALL_MS = 30;
/** …and at the latest this long after the first of them arrived. */
const MAX_WAIT_MS = 200;

export class LineQueue {
  readonly #lines: string[] = [];
  readonly #input: Readable;
  readonly #capacity: number;
  #ended = false;
  #error: unknown = null;
  #paused = false;
  #wake: (() => void) | null = null;
  /** Bytes of input read so far (lines with their newlines). */
  bytesRead = 0;
  readonly #reader;

  /** `capacity`: the most lines held before reading pauses. */
  constructor(input: Readable, capacity: number) {
    this.#input = input;
    this.#capacity = capacity;
    this.#reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    this.#reader.on('line', (line) => {
      this.bytesRead += Buffer.byteLength(line) + 1;
      if (line.length === 0) return;
      this.#lines.push(line);
      if (this.#lines.length >= this.#capacity && !this.#paused) {
        this.#paused = true;
        this.#reader.pause();
      }
      this.#notify();
    });
    this.#reader.on('close', () => {
      this.#ended = true;
      this.#notify();
    });
    input.on('error', (error) => {
      this.#error = error;
      this.#ended = true;
      this.#notify();
    });
  }

  /** The size of the input in bytes when it is a regular file (for an ETA), else null. */
  static inputSize(fd: number): number | null {
    try {
      const info = fstatSync(fd);
      return info.isFile() ? info.size : null;
    } catch {
      return null;
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #waitForLine(timeoutMs: number | null): Promise<void> {
    return new Promise((resolve) => {
      const timer = timeoutMs === null ? null : setTimeout(() => {
        this.#wake = null;
        resolve();
      }, timeoutMs);
      this.#wake = () => {
        if (timer !== null) clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * Up to `size` non-empty lines: as soon as there are `size`, or once input ends, or when
   * input stalls with some waiting. Null once input is exhausted.
   */
  async take(size: number): Promise<string[] | null> {
    let deadline = Number.POSITIVE_INFINITY;
    for (;;) {
      const waiting = this.#lines.length;
      if (waiting >= size || this.#ended) break;
      if (waiting > 0) {
        // Some lines wait: they go out once input stalls, or at the latest MAX_WAIT_MS on.
        if (deadline === Number.POSITIVE_INFINITY) deadline = Date.now() + MAX_WAIT_MS;
        const left = deadline - Date.now();
        if (left <= 0) break;
        if (this.#paused) this.#resume();
        await this.#waitForLine(Math.min(STALL_MS, left));
        if (this.#lines.length === waiting) break;
      } else {
        if (this.#paused) this.#resume();
        await this.#waitForLine(null);
      }
    }
    if (this.#error !== null) throw this.#error;
    const chunk = this.#lines.splice(0, size);
    if (this.#paused && this.#lines.length < this.#capacity / 2) this.#resume();
    if (chunk.length === 0 && this.#ended) return null;
    return chunk;
  }

  #resume(): void {
    this.#paused = false;
    this.#reader.resume();
  }

  close(): void {
    this.#reader.close();
    this.#input.destroy();
  }
}
