// Does sampling the event loop every millisecond (what bench:peers does around a Node peer's
// batch pass, and what no Python peer does) slow the pass down? One model, the same texts,
// alternating passes with and without the monitor.
//   node --import tsx bench/encode/lag-monitor.ts [--onnx onnx/model.onnx] [--texts 500] [--rounds 3]
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { SentenceTransformer } from '../../lib/index.js';
import { mixedLengthCorpus } from '../corpus.js';
import { option } from '../cli-option.js';

const MODEL = join(__dirname, '..', 'models', 'minilm-l6');

async function main(): Promise<void> {
  const fileName = option('onnx', 'onnx/model.onnx');
  const { texts } = mixedLengthCorpus(Number(option('texts', '500')));
  const rounds = Number(option('rounds', '3'));
  const model = await SentenceTransformer.fromPretrained(MODEL, { fileName, intraOpThreads: 2 });
  await model.encode(texts.slice(0, 64));
  const best = { off: 0, on: 0 };
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const rates = { off: 0, on: 0 };
    for (const monitor of ['off', 'on'] as const) {
      const histogram = monitorEventLoopDelay({ resolution: 1 });
      if (monitor === 'on') histogram.enable();
      const start = performance.now();
      await model.encode(texts, { batchSize: 32 });
      const rate = texts.length / ((performance.now() - start) / 1000);
      histogram.disable();
      best[monitor] = Math.max(best[monitor], rate);
      rates[monitor] = rate;
      console.log(`round ${round} monitor ${monitor}: ${rate.toFixed(1)} sentences/s, load ${loadavg()[0]!.toFixed(2)}`);
    }
    ratios.push(rates.on / rates.off);
  }
  ratios.sort((a, b) => a - b);
  console.log(`median on/off of back-to-back pairs: ${(ratios[Math.floor(ratios.length / 2)] as number).toFixed(3)}`);
  console.log(`${fileName} best: monitor off ${best.off.toFixed(1)}, on ${best.on.toFixed(1)} sentences/s (on/off ${(best.on / best.off).toFixed(3)})`);
  await model.dispose();
}

void main();
