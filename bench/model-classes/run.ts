/**
 * bench/model-classes: rerank 100 (query, passage) pairs with an ms-marco-MiniLM-L6-v2-shaped
 * CrossEncoder and SPLADE-encode 1,000 passages with a bert-base SparseEncoder, against Python
 * sentence-transformers (torch CPU) on the same weights and texts, in the same run: sentencekit
 * on ONNX Runtime (the fp32 export and the avx512_vnni int8 export) and on its own CPU engine
 * (model.safetensors) at both precisions, int8 and fp32-accurate bf16x3, with how far each
 * result is from the fp32 export's.
 *
 *   test/tools/.venv/bin/python test/tools/model_class_fixtures.py bench && node --import tsx bench/model-classes/run.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { CrossEncoder, type SparseEmbeddings, SparseEncoder } from '../../lib/index.js';
import { mixedLengthCorpus } from '../corpus.js';

const ROOT = join(__dirname, '..', '..');
const MODELS = join(ROOT, 'bench', 'models');
const RERANKER = join(MODELS, 'ce-minilm-l6');
const SPLADE = join(MODELS, 'splade-bert-base');
const PAIRS = 100;
const PASSAGES = 1000;

function pearson(a: Float32Array, b: Float32Array): number {
  const mean = (v: Float32Array): number => v.reduce((x, y) => x + y, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [ab, aa, bb] = [0, 0, 0];
  a.forEach((x, i) => {
    ab += (x - ma) * (b[i]! - mb);
    aa += (x - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}

function sparseCosine(a: SparseEmbeddings, b: SparseEmbeddings, row: number): number {
  const entries = (e: SparseEmbeddings): Map<number, number> => {
    const m = new Map<number, number>();
    for (let k = e.offsets[row]!; k < e.offsets[row + 1]!; k++) m.set(e.indices[k]!, e.values[k]!);
    return m;
  };
  const [x, y] = [entries(a), entries(b)];
  let dot = 0;
  for (const [index, value] of x) dot += value * (y.get(index) ?? 0);
  const norm = (m: Map<number, number>): number => Math.sqrt([...m.values()].reduce((s, v) => s + v * v, 0));
  return dot / (norm(x) * norm(y));
}

async function seconds(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(): Promise<void> {
  if (!existsSync(join(SPLADE, 'onnx', 'model.onnx')) || !existsSync(join(RERANKER, 'onnx', 'model.onnx'))) {
    throw new Error('bench models missing: run `test/tools/.venv/bin/python test/tools/model_class_fixtures.py bench`');
  }
  // Passages of 20–80 words: long enough to be real passages, short enough for bert-base on 2 cores.
  const { texts, file } = mixedLengthCorpus(PASSAGES, 20, 80, 7);

  const peer = spawnSync(join(ROOT, 'test', 'tools', '.venv', 'bin', 'python'), [
    join(__dirname, 'st_peer.py'), '--reranker', RERANKER, '--splade', SPLADE, '--texts', file, '--pairs', String(PAIRS), '--passages', String(PASSAGES),
  ], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (peer.status !== 0) throw new Error(`sentence-transformers peer failed:\n${peer.stderr}`);
  const st = JSON.parse(peer.stdout.trim().split('\n').pop() ?? '{}') as { rerank_seconds: number; splade_seconds: number; versions: Record<string, string> };

  type Variant = 'fp32' | 'onnxInt8' | 'engine' | 'bf16x3';
  const variants: Record<Variant, { cpuEngine?: 'int8' | 'bf16x3'; quantized?: boolean }> = {
    fp32: {}, onnxInt8: { quantized: true }, engine: { cpuEngine: 'int8' }, bf16x3: { cpuEngine: 'bf16x3' },
  };
  const names: Record<Variant, string> = { fp32: 'ONNX fp32 export', onnxInt8: 'ONNX int8 export', engine: 'int8 engine', bf16x3: 'bf16x3 engine' };
  const timings = {} as Record<Variant, { rerank: number; sparse: number }>;
  // Each variant's outputs, to state how far the others are from fp32.
  const scores = {} as Record<Variant, Float32Array>;
  const vectors = {} as Record<Variant, SparseEmbeddings>;
  const pairs = texts.slice(0, PAIRS).map((text) => ['what is the best way to search documents', text] as [string, string]);
  for (const variant of Object.keys(variants) as Variant[]) {
    const reranker = await CrossEncoder.fromPretrained(RERANKER, variants[variant]);
    await reranker.predict(pairs.slice(0, 8));
    const rerank = await seconds(async () => (scores[variant] = await reranker.predict(pairs, { batchSize: 32, activation: 'identity' })));
    await reranker.dispose();

    const splade = await SparseEncoder.fromPretrained(SPLADE, variants[variant]);
    await splade.encode(texts.slice(0, 8));
    const sparse = await seconds(async () => (vectors[variant] = await splade.encode(texts, { batchSize: 32 })));
    await splade.dispose();
    timings[variant] = { rerank, sparse };
  }

  const { fp32: ort, onnxInt8, engine: int8, bf16x3 } = timings;
  console.log(`\n${cpus().length} CPUs (${cpus()[0]?.model}); sentence-transformers ${st.versions.sentence_transformers}, torch ${st.versions.torch}\n`);
  const row = (seconds: number, st: number, unit: 'ms' | 's'): string =>
    `${unit === 'ms' ? (seconds * 1000).toFixed(0) : seconds.toFixed(1)} ${unit} | ${(st / seconds).toFixed(2)}×`;
  console.log('| task | sentence-transformers | sentencekit ONNX fp32 | ratio | sentencekit bf16x3 engine | ratio | sentencekit ONNX int8 | ratio | sentencekit int8 engine | ratio |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(`| rerank ${PAIRS} pairs (MiniLM-L6 cross-encoder) | ${(st.rerank_seconds * 1000).toFixed(0)} ms | ${row(ort.rerank, st.rerank_seconds, 'ms')} | ${row(bf16x3.rerank, st.rerank_seconds, 'ms')} | ${row(onnxInt8.rerank, st.rerank_seconds, 'ms')} | ${row(int8.rerank, st.rerank_seconds, 'ms')} |`);
  console.log(`| SPLADE-encode ${PASSAGES} passages (bert-base) | ${st.splade_seconds.toFixed(1)} s | ${row(ort.sparse, st.splade_seconds, 's')} | ${row(bf16x3.sparse, st.splade_seconds, 's')} | ${row(onnxInt8.sparse, st.splade_seconds, 's')} | ${row(int8.sparse, st.splade_seconds, 's')} |`);
  const rank = (values: Float32Array): number[] => Array.from(values.keys()).sort((a, b) => values[b]! - values[a]!);
  console.log('\nAgainst the fp32 export (random weights, so SPLADE keeps ~6,000 of 30,522 dims and many logits sit near 0):');
  for (const variant of ['bf16x3', 'onnxInt8', 'engine'] as const) {
    const top10 = rank(scores.fp32).slice(0, 10).filter((i) => rank(scores[variant]).slice(0, 10).includes(i)).length;
    const cosines = Array.from({ length: PASSAGES }, (_, i) => sparseCosine(vectors[variant], vectors.fp32, i));
    const logitDiff = scores[variant].reduce((worst, v, i) => Math.max(worst, Math.abs(v - scores.fp32[i]!)), 0);
    console.log(`- ${names[variant]}: rerank logits Pearson ${pearson(scores[variant], scores.fp32).toFixed(5)}, max |diff| ${logitDiff.toExponential(1)}, ` +
      `top-10 shared ${top10}/10; SPLADE cosine min ${Math.min(...cosines).toFixed(5)}, mean ${(cosines.reduce((a, b) => a + b, 0) / PASSAGES).toFixed(5)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
