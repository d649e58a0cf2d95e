// The 64-caller path against our own batch throughput, A/B in one process: one model per
// scheduling variant (maxBatchPadding values), the same texts, rounds alternating so every
// variant sees the same machine state.
//   node --import tsx bench/encode/callers.ts [--onnx onnx/model.onnx] [--texts 1000]
//        [--requests 1000] [--callers 64] [--padding 1,0.2] [--rounds 2]
// Per variant and round: one encode() of all texts (batch 32), then `callers` callers sending one
// text each until `requests` are answered (texts in corpus order, as bench:peers does), then
// the p50 of 50 short single queries. Prints the best round of each. Needs `npm run bench:models`.
import { loadavg } from 'node:os';
import { join } from 'node:path';

import { SentenceTransformer } from '../../lib/index.js';
import { mixedLengthCorpus } from '../corpus.js';
import { concurrent, percentile, withEventLoopLag } from '../peer-timing.js';
import { option } from '../cli-option.js';

const MODEL = join(__dirname, '..', 'models', 'minilm-l6');

interface Round {
  batch: number;
  callers: number;
  p50: number;
  lagMax: number;
}

async function main(): Promise<void> {
  const fileName = option('onnx', 'onnx/model.onnx');
  const { texts } = mixedLengthCorpus(Number(option('texts', '1000')));
  const requests = Number(option('requests', '1000'));
  const callers = Number(option('callers', '64'));
  const rounds = Number(option('rounds', '2'));
  const paddings = option('padding', '1,0.2').split(',').map(Number);
  const query = 'a short query about cats';
  console.log(`${fileName}: ${texts.length} texts, ${callers} callers × ${requests} requests, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  const models = await Promise.all(paddings.map((maxBatchPadding) => SentenceTransformer.fromPretrained(MODEL, { fileName, intraOpThreads: 2, maxBatchPadding })));
  for (const model of models) await model.encode(texts.slice(0, 64));
  const results: Round[][] = paddings.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, model] of models.entries()) {
      let start = performance.now();
      await model.encode(texts, { batchSize: 32 });
      const batch = texts.length / ((performance.now() - start) / 1000);
      const run = await withEventLoopLag(() => concurrent((text) => model.encode(text), texts, callers, requests));
      const latencies: number[] = [];
      for (let q = 0; q < 50; q += 1) {
        start = performance.now();
        await model.encode(query);
        latencies.push(performance.now() - start);
      }
      const r = { batch, callers: run.value.sentences_per_second, p50: percentile(latencies, 50), lagMax: run.lag.max_ms };
      results[i]!.push(r);
      console.log(`  round ${round} maxBatchPadding ${paddings[i]}: batch ${r.batch.toFixed(1)}/s, ${callers} callers ${r.callers.toFixed(1)}/s (${(r.callers / r.batch).toFixed(2)}×), query p50 ${r.p50.toFixed(2)} ms, lag max ${r.lagMax.toFixed(1)} ms, load ${loadavg()[0]!.toFixed(2)}`);
    }
  }
  for (const [i, rs] of results.entries()) {
    const best = (key: keyof Round, max = true) => rs.map((r) => r[key]).reduce((a, b) => (max ? Math.max(a, b) : Math.min(a, b)));
    console.log(`best maxBatchPadding ${paddings[i]}: batch ${best('batch').toFixed(1)}/s, callers ${best('callers').toFixed(1)}/s, query p50 ${best('p50', false).toFixed(2)} ms`);
  }
  await Promise.all(models.map((m) => m.dispose()));
}

void main();
