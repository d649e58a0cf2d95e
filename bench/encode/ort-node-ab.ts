// Where does one sorted-batch pass of ours lose time against a plain ONNX Runtime loop? The
// same process, the same libonnxruntime (onnxruntime-node 1.30's), the same texts and batches
// (sorted by token count, 32 per batch, padded to their longest): our encode() against
// onnxruntime-node's InferenceSession fed the Python tokenizer's ids (ort_token_ids.py) with the
// Python peer's session options, passes alternating.
//   test/tools/.venv/bin/python bench/encode/ort_token_ids.py 10000
//   node --import tsx bench/encode/ort-node-ab.ts [--onnx onnx/model.onnx] [--texts 300] [--rounds 4]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

import * as ort from 'onnxruntime-node';

import { SentenceTransformer } from '../../lib/index.js';
import { option } from '../cli-option.js';

const ROOT = join(__dirname, '..', '..');
const MODEL = join(ROOT, 'bench', 'models', 'minilm-l6');

async function main(): Promise<void> {
  const fileName = option('onnx', 'onnx/model.onnx');
  const count = Number(option('texts', '300'));
  const rounds = Number(option('rounds', '4'));
  const texts = (JSON.parse(readFileSync(join(ROOT, 'bench', '.cache', 'corpus-10000-5-200-42.json'), 'utf8')) as string[]).slice(0, count);
  const ids = (JSON.parse(readFileSync(join(ROOT, 'bench', '.cache', 'token-ids-10000.json'), 'utf8')) as number[][]).slice(0, count);

  const order = ids.map((_, i) => i).sort((a, b) => ids[b]!.length - ids[a]!.length);
  const feeds: Record<string, ort.Tensor>[] = [];
  for (let start = 0; start < order.length; start += 32) {
    const rows = order.slice(start, start + 32).map((i) => ids[i]!);
    const seq = rows[0]!.length;
    const input = new BigInt64Array(rows.length * seq);
    const mask = new BigInt64Array(rows.length * seq);
    rows.forEach((row, r) => row.forEach((id, t) => { input[r * seq + t] = BigInt(id); mask[r * seq + t] = 1n; }));
    const dims = [rows.length, seq];
    feeds.push({ input_ids: new ort.Tensor('int64', input, dims), attention_mask: new ort.Tensor('int64', mask, dims), token_type_ids: new ort.Tensor('int64', new BigInt64Array(rows.length * seq), dims) });
  }
  const session = await ort.InferenceSession.create(join(MODEL, fileName), {
    intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
  });
  const model = await SentenceTransformer.fromPretrained(MODEL, { fileName, intraOpThreads: 2 });
  await session.run(feeds[feeds.length - 1]!);
  await model.encode(texts.slice(0, 64));

  const ratios: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    let start = performance.now();
    for (const feed of feeds) await session.run(feed, ['last_hidden_state']);
    const plain = performance.now() - start;
    start = performance.now();
    await model.encode(texts, { batchSize: 32 });
    const ours = performance.now() - start;
    ratios.push(plain / ours);
    console.log(`round ${round}: onnxruntime-node loop ${(count / (plain / 1000)).toFixed(1)}/s, sentencekit ${(count / (ours / 1000)).toFixed(1)}/s (ours/plain ${(plain / ours).toFixed(3)}), load ${loadavg()[0]!.toFixed(2)}`);
  }
  ratios.sort((a, b) => a - b);
  console.log(`${fileName}: median ours/plain throughput of back-to-back pairs ${(ratios[Math.floor(ratios.length / 2)] as number).toFixed(3)}`);
  await model.dispose();
  await session.release();
}

void main();
