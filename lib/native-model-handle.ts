/**
 * The lifecycle every model class shares: runs in flight are tracked so dispose() waits for
 * them, and calls after dispose() reject with ERR_DISPOSED.
 * Internal: not exported from the package entry point.
 */
import { disposedError } from './errors.js';

export class NativeModelHandle<T extends { dispose(): Promise<void> }> {
  readonly #native: T;
  readonly #what: string;
  readonly #inflight = new Set<Promise<unknown>>();
  #disposed = false;

  constructor(native: T, what: string) {
    this.#native = native;
    this.#what = what;
  }

  /** The native model, or ERR_DISPOSED. */
  get native(): T {
    this.ensureOpen();
    return this.#native;
  }

  /** Throws ERR_DISPOSED once dispose() was called. */
  ensureOpen(): void {
    if (this.#disposed) throw disposedError(this.#what);
  }

  /**
   * Runs `start` on the native model and tracks the run until it settles. Callers check
   * ensureOpen() when a call arrives; work accepted before dispose() still runs here, and
   * dispose() waits for it.
   */
  async run<R>(start: (native: T) => Promise<R>): Promise<R> {
    const promise = start(this.#native);
    this.#inflight.add(promise);
    try {
      return await promise;
    } finally {
      this.#inflight.delete(promise);
    }
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await Promise.allSettled([...this.#inflight]);
    // Settles once the model's owner thread has run what was queued and exited.
    await this.#native.dispose();
  }
}
