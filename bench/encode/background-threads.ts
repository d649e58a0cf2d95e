// backgroundThreads on and off, same model, same texts, one process:
//   node --import tsx bench/encode/background-threads.ts [texts=1000] [burners=0]
// 64 concurrent callers (one text each) over the mixed-length corpus, with the event loop's
// delay measured throughout (p99 and max), then the batch throughput (batch 32). `burners`
// starts that many busy-looping child processes first, as other work on a shared machine.
// Needs `npm run bench:models` (bench/models/minilm-l6).
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { SentenceTransformer } from '../../lib/index.js';
import { mixedLengthCorpus } from '../corpus.js';

const MODEL = join(__dirname, '..', 'models', 'minilm-l6');
const { texts } = mixedLengthCorpus(Number(process.argv[2] ?? 1000));
const burners = Number(process.argv[3] ?? 0);

function startBurners(): ChildProcess[] {
  const code = 'for (;;) {}';
  return Array.from({ length: burners }, () => fork('-e', [code], { execArgv: ['-e', code], stdio: 'ignore' }));
}

async function main(): Promise<void> {
  const children = startBurners();
  try {
    for (const fileName of ['onnx/model.onnx', 'onnx/model_qint8_avx512_vnni.onnx']) {
      for (const backgroundThreads of [true, false, true, false]) {
        const model = await SentenceTransformer.fromPretrained(MODEL, { fileName, intraOpThreads: 2, backgroundThreads });
        await model.encode(texts.slice(0, 64), { batchSize: 32 });
        const delay = monitorEventLoopDelay({ resolution: 1 });
        delay.enable();
        let next = 0;
        const start = performance.now();
        await Promise.all(Array.from({ length: 64 }, async () => {
          while (next < texts.length) await model.encode(texts[next++] as string);
        }));
        const concurrentSeconds = (performance.now() - start) / 1000;
        delay.disable();
        const batchStart = performance.now();
        await model.encode(texts, { batchSize: 32 });
        const batchSeconds = (performance.now() - batchStart) / 1000;
        console.log(`${fileName} background ${backgroundThreads ? 'on ' : 'off'} burners ${burners}: 64 callers ` +
          `${(texts.length / concurrentSeconds).toFixed(1)} sentences/s, event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms ` +
          `max ${(delay.max / 1e6).toFixed(1)} ms; batch ${(texts.length / batchSeconds).toFixed(1)} sentences/s`);
        await model.dispose();
      }
    }
  } finally {
    for (const child of children) child.kill();
  }
}

void main();
