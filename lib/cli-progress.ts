/**
 * The command line's progress bar: one line on stderr, redrawn at most every 100 ms, with
 * texts done, texts/s and, when the input's size is known (texts as arguments, or stdin
 * redirected from a file), a bar and an ETA. Drawn only when stderr is a terminal, so
 * pipelines and logs see nothing.
 * Internal: not exported from the package entry point.
 */
import type { WriteStream } from 'node:tty';

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

export class Progress {
  readonly #stream: WriteStream | null;
  readonly #started = performance.now();
  #lastDraw = 0;
  #done = 0;

  /** `stream`: stderr; nothing is drawn unless it is a terminal. */
  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream.isTTY ? (stream as WriteStream) : null;
  }

  get enabled(): boolean {
    return this.#stream !== null;
  }

  /**
   * `done` texts finished; `fraction` of the input consumed (0–1) when its size is known,
   * else null (no bar, no ETA).
   */
  update(done: number, fraction: number | null, force = false): void {
    this.#done = done;
    if (this.#stream === null) return;
    const now = performance.now();
    if (!force && now - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = now;
    const elapsed = (now - this.#started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    let line = `${done.toLocaleString('en-US')} texts  ${rate.toFixed(rate < 10 ? 1 : 0)} texts/s`;
    if (fraction !== null) {
      const f = Math.min(1, Math.max(0, fraction));
      const filled = Math.round(f * BAR_WIDTH);
      const eta = f > 0 ? (elapsed * (1 - f)) / f : Number.NaN;
      line = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${(f * 100).toFixed(0).padStart(3)}%  ${line}  ETA ${duration(eta)}`;
    } else {
      line = `${line}  ETA --:-- (input size unknown)`;
    }
    this.#stream.write(`\r${line}\x1b[K`);
  }

  /** Clears the bar and prints a summary line. */
  finish(): void {
    if (this.#stream === null) return;
    const elapsed = (performance.now() - this.#started) / 1000;
    const rate = elapsed > 0 ? this.#done / elapsed : 0;
    this.#stream.write(`\r\x1b[K${this.#done.toLocaleString('en-US')} texts in ${duration(elapsed)} (${rate.toFixed(0)} texts/s)\n`);
  }
}
