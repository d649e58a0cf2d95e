// Throughput by token budget per model batch (maxBatchTokens), one model per budget in one
// process, rounds interleaved so every budget sees the same machine state; best of 2 rounds.
//   node --import tsx bench/encode/batch-tokens.ts [--model bench/models/minilm-l6]
//        [--onnx onnx/model.onnx] [--texts 600] [--budgets 256,512,1024,2048,16384] [--batch 32]
// Needs `npm run bench:models` for the default model. Run on a quiet machine.
import { loadavg } from 'node:os';
import { join } from 'node:path';

import { SentenceTransformer } from '../../lib/index.js';
import { mixedLengthCorpus } from '../corpus.js';
import { option } from '../cli-option.js';

async function main(): Promise<void> {
  const model = option('model', join(__dirname, '..', 'models', 'minilm-l6'));
  const fileName = option('onnx', 'onnx/model.onnx');
  const { texts } = mixedLengthCorpus(Number(option('texts', '600')));
  const budgets = option('budgets', '256,512,1024,2048,16384').split(',').map(Number);
  const batchSize = Number(option('batch', '32'));
  console.log(`${model} ${fileName}: ${texts.length} texts, batchSize ${batchSize}, load ${loadavg()[0]!.toFixed(2)}`);
  const models = await Promise.all(budgets.map((maxBatchTokens) => SentenceTransformer.fromPretrained(model, { fileName, intraOpThreads: 2, maxBatchTokens })));
  for (const m of models) await m.encode(texts.slice(0, 64));
  const best = budgets.map(() => 0);
  for (let round = 0; round < 2; round += 1) {
    for (const [i, m] of models.entries()) {
      const start = performance.now();
      await m.encode(texts, { batchSize });
      best[i] = Math.max(best[i]!, texts.length / ((performance.now() - start) / 1000));
    }
  }
  budgets.forEach((budget, i) => console.log(`maxBatchTokens ${budget}: ${best[i]!.toFixed(1)} sentences/s`));
  console.log(`load after: ${loadavg()[0]!.toFixed(2)}`);
  await Promise.all(models.map((m) => m.dispose()));
}

void main();
