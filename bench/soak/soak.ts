/**
 * Long runs that must stay flat: many encodes through one model, and many load/dispose cycles,
 * with the process's RSS and thread count sampled as they go (/proc/self/status). Prints one
 * JSON line per sample and a summary line with the least-squares RSS slope after warm-up
 * (MB per 100 cycles, or per 100,000 encodes) and the thread counts seen. Exits 1 when a
 * limit given on the command line is passed, so it can run short with limits; RELIABILITY.md
 * records the long runs:
 *
 *   node --expose-gc --import tsx bench/soak/soak.ts --mode cycles --count 10000
 *   node --expose-gc --import tsx bench/soak/soak.ts --mode encodes --count 1000000
 *
 * Options: --model (default test/fixtures/tiny-bert), --engine onnx|int8|bf16x3, --every
 * (cycles or encodes between samples), --warmup (samples before the slope is taken),
 * --batch (texts per encode call; 1 by default, as a server's requests), --max-slope-mb and
 * --max-threads (the limits; none by default).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { SentenceTransformer } from '../../lib/index.js';
import { option } from '../cli-option.js';

interface Sample {
  done: number;
  rssMb: number;
  threads: number;
  heapMb: number;
  seconds: number;
}

function processStatus(): { rssMb: number; threads: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  return {
    rssMb: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024,
    threads: Number(/Threads:\s+(\d+)/.exec(status)?.[1] ?? 0),
  };
}

/** Least-squares slope of y over x. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const WORDS = 'the cat sat on a mat with some dogs and birds near an old house by the river while children play games'.split(' ');

function text(i: number): string {
  const words: string[] = [];
  for (let w = 0; w < 4 + (i % 13); w += 1) words.push(WORDS[(i * 7 + w * 3) % WORDS.length] as string);
  return words.join(' ');
}

async function main(): Promise<void> {
  const mode = option('mode', 'cycles');
  if (mode !== 'cycles' && mode !== 'encodes') throw new TypeError(`--mode is cycles or encodes, not ${mode}`);
  const count = Number(option('count', mode === 'cycles' ? '500' : '20000'));
  const every = Number(option('every', mode === 'cycles' ? '25' : '2000'));
  const warmup = Number(option('warmup', '4'));
  const batch = Number(option('batch', '1'));
  const engine = option('engine', 'onnx');
  const model = option('model', join(__dirname, '..', '..', 'test', 'fixtures', 'tiny-bert'));
  const maxSlope = option('max-slope-mb', '');
  const maxThreads = option('max-threads', '');
  const loadOptions = engine === 'onnx' ? {} : { cpuEngine: engine as 'int8' | 'bf16x3' };
  const gc = (globalThis as { gc?: () => void }).gc;

  const started = Date.now();
  const samples: Sample[] = [];
  const sample = (done: number): void => {
    gc?.();
    const { rssMb, threads } = processStatus();
    const entry = { done, rssMb, threads, heapMb: process.memoryUsage().heapUsed / 2 ** 20, seconds: (Date.now() - started) / 1000 };
    samples.push(entry);
    console.log(JSON.stringify({ mode, ...entry, rssMb: Number(rssMb.toFixed(2)), heapMb: Number(entry.heapMb.toFixed(2)) }));
  };

  if (mode === 'cycles') {
    const texts = [text(1), text(2)];
    sample(0);
    for (let cycle = 1; cycle <= count; cycle += 1) {
      const loaded = await SentenceTransformer.fromPretrained(model, loadOptions);
      await loaded.encode(texts);
      await loaded.dispose();
      if (cycle % every === 0) sample(cycle);
    }
  } else {
    const loaded = await SentenceTransformer.fromPretrained(model, loadOptions);
    sample(0);
    // Up to 32 calls in flight, as concurrent requests would be.
    let next = 0;
    let sampled = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        const first = next;
        next += batch;
        await loaded.encode(Array.from({ length: Math.min(batch, count - first) }, (_, k) => text(first + k)));
        const done = Math.min(next, count);
        if (Math.floor(done / every) > sampled) {
          sampled = Math.floor(done / every);
          sample(sampled * every);
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    await loaded.dispose();
    sample(count);
  }

  const steady = samples.slice(Math.min(warmup, samples.length - 2));
  const unit = mode === 'cycles' ? 100 : 100_000;
  const rssSlope = slope(steady.map((s) => [s.done, s.rssMb])) * unit;
  // V8 grows its heap in steps of megabytes early on; the second half shows the steady state.
  const lateSlope = slope(samples.slice(Math.floor(samples.length / 2)).map((s) => [s.done, s.rssMb])) * unit;
  const threads = [...new Set(samples.map((s) => s.threads))].sort((a, b) => a - b);
  const summary = {
    summary: true,
    mode,
    engine,
    count,
    seconds: (Date.now() - started) / 1000,
    rssFirstMb: Number((samples[0] as Sample).rssMb.toFixed(1)),
    rssWarmMb: Number((steady[0] as Sample).rssMb.toFixed(1)),
    rssLastMb: Number((samples[samples.length - 1] as Sample).rssMb.toFixed(1)),
    rssPeakMb: Number(Math.max(...samples.map((s) => s.rssMb)).toFixed(1)),
    [`rssSlopeMbPer${unit === 100 ? '100Cycles' : '100kEncodes'}`]: Number(rssSlope.toFixed(3)),
    secondHalfSlope: Number(lateSlope.toFixed(3)),
    threadsSeen: threads,
  };
  console.log(JSON.stringify(summary));
  const failures: string[] = [];
  if (maxSlope !== '' && rssSlope > Number(maxSlope)) failures.push(`RSS slope ${rssSlope.toFixed(3)} MB per ${unit} is over ${maxSlope}`);
  if (maxThreads !== '' && Math.max(...threads) > Number(maxThreads)) failures.push(`${Math.max(...threads)} threads is over ${maxThreads}`);
  if (failures.length > 0) {
    console.error(`soak: ${failures.join('; ')}`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
