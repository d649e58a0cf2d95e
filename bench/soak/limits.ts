/**
 * The two size limits of issue 20, measured: one very long string, and very many texts in one
 * encode call. Prints the outcome (the embeddings' shape, or the error's class and message), the
 * time, and the process's RSS before the call and at its peak (sampled every 20 ms), so
 * RELIABILITY.md can show a clear RangeError or a bounded memory use instead of an
 * out-of-memory kill:
 *
 *   node --import tsx bench/soak/limits.ts --case string --length 536870888
 *   node --import tsx bench/soak/limits.ts --case texts --count 10000000
 *
 * The string is V8's longest (2^29 - 24 code units) of "é" by default; --text words makes it
 * "hello world, " repeated. Texts are `text number <i> about cats`. --engine picks the engine
 * (int8 by default, the fastest on a CPU-only machine), --model the folder (the committed tiny
 * BERT).
 */
import { join } from 'node:path';

import { SentenceTransformer } from '../../lib/index.js';
import { option } from '../cli-option.js';

async function main(): Promise<void> {
  const which = option('case', 'string');
  if (which !== 'string' && which !== 'texts') throw new TypeError(`--case is string or texts, not ${which}`);
  const engine = option('engine', 'int8');
  const model = option('model', join(__dirname, '..', '..', 'test', 'fixtures', 'tiny-bert'));
  const loaded = await SentenceTransformer.fromPretrained(model, engine === 'onnx' ? {} : { cpuEngine: engine as 'int8' | 'bf16x3' });
  let texts: string[];
  if (which === 'string') {
    const length = Number(option('length', String(2 ** 29 - 24)));
    texts = [option('text', 'e-acute') === 'words' ? 'hello world, '.repeat(Math.floor(length / 13)).padEnd(length, '.') : 'é'.repeat(length)];
  } else {
    const count = Number(option('count', '10000000'));
    texts = Array.from({ length: count }, (_, i) => `text number ${i} about cats`);
  }
  const baseMb = process.memoryUsage().rss / 2 ** 20;
  let peakMb = baseMb;
  const timer = setInterval(() => {
    peakMb = Math.max(peakMb, process.memoryUsage().rss / 2 ** 20);
  }, 20);
  const started = Date.now();
  let outcome: string;
  try {
    const embeddings = await loaded.encode(texts);
    outcome = `embeddings [${embeddings.shape.join(', ')}]`;
  } catch (error) {
    outcome = `${(error as Error).constructor.name}: ${(error as Error).message.slice(0, 200)}`;
  }
  clearInterval(timer);
  peakMb = Math.max(peakMb, process.memoryUsage().rss / 2 ** 20);
  console.log(JSON.stringify({
    case: which,
    engine,
    inputs: texts.length,
    longest: Math.max(...texts.slice(0, 1000).map((text) => text.length)),
    outcome,
    seconds: (Date.now() - started) / 1000,
    rssBeforeMb: Math.round(baseMb),
    rssPeakMb: Math.round(peakMb),
  }));
  await loaded.dispose();
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
