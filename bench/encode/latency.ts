/**
 * bench/encode/latency: what one caller and a loaded server see on the all-MiniLM-L6-v2 shape
 * (`npm run bench:models`), fp32 and int8:
 *   - single short query (8 words) latency, p50 / p90 / p99 over sequential calls;
 *   - throughput on mixed-length sentences, as one call and as one call per sentence (all
 *     concurrent, merged by the scheduler), with the event loop's delay measured meanwhile
 *     (perf_hooks.monitorEventLoopDelay, 1 ms resolution; a timer keeps the loop ticking),
 *     next to the same measure over 3 s with no model work (what the machine's other load
 *     alone costs the loop).
 *
 *   node --import tsx bench/encode/latency.ts [--texts 2000] [--queries 300] [--spinning 1] [--file onnx/model.onnx]
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { SentenceTransformer } from '../../lib/index.js';
import { mixedLengthCorpus } from '../corpus.js';
import { option } from '../cli-option.js';

const MODEL = join(__dirname, '..', 'models', 'minilm-l6');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const QUERY = 'how do I reset the password on my router';

async function measure(fileName: string, texts: string[], queries: number, allowSpinning: boolean): Promise<void> {
  const model = await SentenceTransformer.fromPretrained(MODEL, { fileName, allowSpinning });
  await model.encode(texts.slice(0, 64));
  for (let i = 0; i < 20; i += 1) await model.encode(QUERY);

  const times: number[] = [];
  for (let i = 0; i < queries; i += 1) {
    const start = process.hrtime.bigint();
    await model.encode(QUERY);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);

  const lag = monitorEventLoopDelay({ resolution: 1 });
  const ticker = setInterval(() => undefined, 1);
  lag.enable();
  let start = process.hrtime.bigint();
  await model.encode(texts);
  const oneCall = Number(process.hrtime.bigint() - start) / 1e9;
  start = process.hrtime.bigint();
  await Promise.all(texts.map((text) => model.encode(text)));
  const perText = Number(process.hrtime.bigint() - start) / 1e9;
  lag.disable();
  clearInterval(ticker);
  await model.dispose();

  console.log(`| ${fileName} | ${allowSpinning ? 'on' : 'off'} | ${percentile(times, 50).toFixed(2)} | ${percentile(times, 90).toFixed(2)} | ` +
    `${percentile(times, 99).toFixed(2)} | ${(texts.length / oneCall).toFixed(1)} | ${(texts.length / perText).toFixed(1)} | ` +
    `${(lag.percentile(99) / 1e6).toFixed(1)} | ${(lag.max / 1e6).toFixed(1)} |`);
}

async function idleLoopDelay(): Promise<string> {
  const lag = monitorEventLoopDelay({ resolution: 1 });
  const ticker = setInterval(() => undefined, 1);
  lag.enable();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  lag.disable();
  clearInterval(ticker);
  return `idle process, same machine: loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const count = Number(option('texts', '2000'));
  const queries = Number(option('queries', '300'));
  const spinning = option('spinning', 'both');
  const files = option('file', 'onnx/model.onnx,onnx/model_qint8_avx512_vnni.onnx').split(',');
  const { texts } = mixedLengthCorpus(count);
  console.log(`all-MiniLM-L6-v2 shape; query "${QUERY}" (${QUERY.split(' ').length} words) × ${queries}; ${count} texts of 5–200 words; ` +
    `${cpus().length} CPUs; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  console.log('| model | spinning | query p50 ms | p90 ms | p99 ms | one call sent/s | per-text calls sent/s | loop delay p99 ms | loop delay max ms |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const file of files) {
    for (const spin of spinning === 'both' ? [true, false] : [spinning === '1']) await measure(file, texts, queries, spin);
  }
  console.log(`\n${await idleLoopDelay()}; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
