// ONNX Runtime spinning on and off, same model, same texts, one process:
//   node --import tsx bench/encode/spinning.ts [texts=1000]
// Throughput over the mixed-length corpus (batch 32), then p50 of 100 short single queries.
// Needs `npm run bench:models` (bench/models/minilm-l6). Run on a quiet machine.
import { join } from 'node:path';

import { SentenceTransformer } from '../../lib/index.js';
import { mixedLengthCorpus } from '../corpus.js';

const MODEL = join(__dirname, '..', 'models', 'minilm-l6');
const { texts } = mixedLengthCorpus(Number(process.argv[2] ?? 1000));

async function main(): Promise<void> {
  for (const fileName of ['onnx/model.onnx', 'onnx/model_qint8_avx512_vnni.onnx']) {
    for (const allowSpinning of [true, false]) {
      const model = await SentenceTransformer.fromPretrained(MODEL, { fileName, intraOpThreads: 2, allowSpinning });
      await model.encode(texts.slice(0, 64), { batchSize: 32 });
      const start = performance.now();
      await model.encode(texts, { batchSize: 32 });
      const seconds = (performance.now() - start) / 1000;
      const latencies: number[] = [];
      for (let i = 0; i < 100; i++) {
        const t0 = performance.now();
        await model.encode('a short query about cats');
        latencies.push(performance.now() - t0);
      }
      latencies.sort((a, b) => a - b);
      console.log(`${fileName} spinning ${allowSpinning ? 'on ' : 'off'} ${(texts.length / seconds).toFixed(1)} sentences/s, short query p50 ${(latencies[50] as number).toFixed(2)} ms`);
      await model.dispose();
    }
  }
}

void main();
