/**
 * Timing helpers shared by the Node peers of the benchmarks, measuring exactly as the Python
 * peers do (bench/peer_timing.py): warm-up excluded, wall-clock time, nearest-rank
 * percentiles, and one JSON line of results per peer process. The Node peers also watch the
 * event loop, since a library that blocks it stalls every other request of a server.
 */
import { fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Nearest-rank percentile (the same definition as bench/peer_timing.py). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const ordered = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * ordered.length));
  return ordered[Math.min(rank, ordered.length) - 1] as number;
}

function milliseconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

export interface EventLoopLag {
  p99_ms: number;
  max_ms: number;
  /** The same measure in an idle process beside the peer (bench/idle-loop.cjs): the machine's floor. */
  idle_process?: { p99_ms: number; max_ms: number };
}

/** Starts bench/idle-loop.cjs; resolves once it ticks. stop() resolves to its lag. */
async function startIdleLoop(): Promise<{ stop(): Promise<EventLoopLag['idle_process']> }> {
  const child = fork(join(__dirname, 'idle-loop.cjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('error', reject);
  });
  let stopped: Promise<EventLoopLag['idle_process']> | undefined;
  return {
    stop: () => (stopped ??= new Promise((resolve) => {
      child.once('message', (lag) => resolve(lag as EventLoopLag['idle_process']));
      child.once('exit', () => resolve(undefined));
      child.send('stop', (error) => { if (error) child.kill(); });
    })),
  };
}

/**
 * Runs `work` while sampling the event loop every millisecond; the lag is how late those
 * samples fire (what a timer or an incoming request would wait). An idle process beside it
 * measures the same, so that what the peer costs its loop can be told from the machine's own.
 */
export async function withEventLoopLag<T>(work: () => Promise<T>): Promise<{ value: T; lag: EventLoopLag }> {
  const idle = await startIdleLoop();
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  try {
    const value = await work();
    histogram.disable();
    const lag: EventLoopLag = { p99_ms: histogram.percentile(99) / 1e6, max_ms: histogram.max / 1e6 };
    const floor = await idle.stop();
    return { value, lag: floor ? { ...lag, idle_process: floor } : lag };
  } finally {
    histogram.disable();
    await idle.stop().catch(() => undefined);
  }
}

export interface Throughput {
  seconds: number;
  sentences_per_second: number;
}

/** One timed pass over every text; returns the embeddings too, for the agreement check. */
export async function throughput(encode: (texts: string[]) => Promise<Float32Array>, texts: string[]): Promise<{ timing: Throughput; embeddings: Float32Array }> {
  const start = process.hrtime.bigint();
  const embeddings = await encode(texts);
  const seconds = milliseconds(start) / 1000;
  return { timing: { seconds, sentences_per_second: texts.length / seconds }, embeddings };
}

export interface Latency {
  calls: number;
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
}

/** `calls` sequential single-query calls cycling through `queries`, after `warmup` calls. */
export async function latency(encodeOne: (text: string) => Promise<unknown>, queries: string[], calls: number, warmup: number): Promise<Latency> {
  for (let i = 0; i < warmup; i += 1) await encodeOne(queries[i % queries.length] as string);
  const samples: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const start = process.hrtime.bigint();
    await encodeOne(queries[i % queries.length] as string);
    samples.push(milliseconds(start));
  }
  return { calls, p50_ms: percentile(samples, 50), p99_ms: percentile(samples, 99), mean_ms: samples.reduce((a, b) => a + b, 0) / calls };
}

export interface Concurrent {
  callers: number;
  requests: number;
  seconds: number;
  sentences_per_second: number;
  p50_ms: number;
  p99_ms: number;
}

/**
 * `callers` concurrent async callers, each sending one text per request and awaiting it before
 * the next, until `requests` requests in all are answered (texts taken in order, cycling).
 */
export async function concurrent(encodeOne: (text: string) => Promise<unknown>, texts: string[], callers: number, requests: number): Promise<Concurrent> {
  let next = 0;
  const samples: number[] = [];
  const caller = async (): Promise<void> => {
    while (next < requests) {
      const index = next;
      next += 1;
      const start = process.hrtime.bigint();
      await encodeOne(texts[index % texts.length] as string);
      samples.push(milliseconds(start));
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: callers }, caller));
  const seconds = milliseconds(start) / 1000;
  return { callers, requests, seconds, sentences_per_second: requests / seconds, p50_ms: percentile(samples, 50), p99_ms: percentile(samples, 99) };
}

/** The command line every peer of bench/peers takes (the same as bench/peer_timing.py's). */
export interface PeerArguments {
  model: string;
  texts: string[];
  queries: string[];
  embeddingsOut: string;
  batchSize: number;
  threads: number;
  latencyCalls: number;
  warmup: number;
  callers: number;
  requests: number;
  /** Anything else the peer takes, as given. */
  extra: Map<string, string>;
}

export function peerArguments(argv: string[] = process.argv.slice(2)): PeerArguments {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] as string;
    const value = argv[i + 1];
    if (!flag.startsWith('--') || value === undefined) throw new TypeError(`expected --flag value pairs but received ${argv.join(' ')}`);
    values.set(flag.slice(2), value);
  }
  const take = (name: string, fallback?: string): string => {
    const value = values.get(name) ?? fallback;
    if (value === undefined) throw new TypeError(`expected --${name} but received none`);
    values.delete(name);
    return value;
  };
  const readTexts = (file: string): string[] => JSON.parse(readFileSync(file, 'utf8')) as string[];
  return {
    model: take('model'),
    texts: readTexts(take('texts')),
    queries: readTexts(take('queries')),
    embeddingsOut: take('embeddings-out'),
    batchSize: Number(take('batch-size', '32')),
    threads: Number(take('threads')),
    latencyCalls: Number(take('latency-calls', '200')),
    warmup: Number(take('warmup', '20')),
    callers: Number(take('callers', '64')),
    requests: Number(take('requests', '2000')),
    extra: values,
  };
}

/** Raw little-endian float32 rows (bench/peer_timing.py writes the same). */
export function writeEmbeddings(file: string, embeddings: Float32Array): void {
  writeFileSync(file, new Uint8Array(embeddings.buffer, embeddings.byteOffset, embeddings.byteLength));
}

export function readEmbeddings(file: string): Float32Array {
  const bytes = readFileSync(file);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/** The peer's one line of output, read by bench/peers/run.ts. */
export function emit(result: object): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Texts in descending length order, for peers that do not sort by length themselves. */
export function lengthOrder(texts: readonly string[]): number[] {
  return texts.map((_, i) => i).sort((a, b) => (texts[b] as string).length - (texts[a] as string).length);
}

/**
 * The installed version of a package as `require` from `from` finds it, read from its own
 * package.json (many packages do not export "./package.json").
 */
export function packageVersion(name: string, from: string = __dirname): string {
  let dir = dirname(require.resolve(name, { paths: [from] }));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? 'unknown';
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}
