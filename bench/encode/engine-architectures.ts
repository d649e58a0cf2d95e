// The own CPU engine on the architectures of issue 22 against ONNX Runtime fp32 on the same
// weights: MiniLM-L6-sized DistilBERT and ModernBERT (hidden 384, 6 layers, 12 heads,
// intermediate 1536; ModernBERT global every 3rd layer, local_attention 128), made with their
// ONNX exports by the fixture script, not committed:
//   test/tools/.venv/bin/python test/tools/distilbert_modernbert_fixtures.py bench bench/models/issue22
//   flock /tmp/bench.lock node --import tsx bench/encode/engine-architectures.ts [--texts 500] [--rounds 3]
// Each round runs every peer once over the same texts (the bench corpus), the order rotating
// between rounds; reported are each peer's best round and the ratios of the medians.
import { loadavg } from 'node:os';
import { join } from 'node:path';

import { SentenceTransformer } from '../../lib/index.js';
import { option } from '../cli-option.js';
import { mixedLengthCorpus } from '../corpus.js';

const ROOT = join(__dirname, '..', '..');
const MODELS = option('models', join(ROOT, 'bench', 'models', 'issue22'));
const BACKENDS = ['onnx', 'sentencekit-int8', 'sentencekit-bf16x3'] as const;

async function main(): Promise<void> {
  const count = Number(option('texts', '500'));
  const rounds = Number(option('rounds', '3'));
  const architectures = option('architectures', 'distilbert,modernbert').split(',');
  const texts = mixedLengthCorpus(10000).texts.slice(0, count);
  console.log(`${count} bench-corpus texts, ${rounds} rounds, SENTENCEKIT_CPU_LEVEL=${process.env.SENTENCEKIT_CPU_LEVEL ?? '(this CPU)'}, load ${loadavg()[0]!.toFixed(2)}`);
  for (const architecture of architectures) {
    const dir = join(MODELS, architecture);
    const models = new Map<string, SentenceTransformer>();
    for (const backend of BACKENDS) {
      const model = await SentenceTransformer.fromPretrained(dir, { backend, intraOpThreads: 2 });
      await model.encode(texts.slice(0, 32));
      models.set(backend, model);
    }
    const rates = new Map<string, number[]>(BACKENDS.map((backend) => [backend, []]));
    for (let round = 0; round < rounds; round += 1) {
      const order = BACKENDS.map((_, i) => BACKENDS[(i + round) % BACKENDS.length]!);
      for (const backend of order) {
        const start = performance.now();
        await models.get(backend)!.encode(texts, { batchSize: 32 });
        rates.get(backend)!.push(count / ((performance.now() - start) / 1000));
      }
      console.log(`  ${architecture} round ${round}: ${BACKENDS.map((b) => `${b} ${rates.get(b)![round]!.toFixed(1)}/s`).join(', ')}, load ${loadavg()[0]!.toFixed(2)}`);
    }
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const onnx = median(rates.get('onnx')!);
    console.log(`${architecture}: median sentences/s ${BACKENDS.map((b) => `${b} ${median(rates.get(b)!).toFixed(1)}`).join(', ')}; ` +
      `int8 / onnx ${(median(rates.get('sentencekit-int8')!) / onnx).toFixed(2)}x, bf16x3 / onnx ${(median(rates.get('sentencekit-bf16x3')!) / onnx).toFixed(2)}x`);
    for (const model of models.values()) await model.dispose();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
