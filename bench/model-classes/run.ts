/**
 * bench/model-classes: rerank 100 (query, passage) pairs with an ms-marco-MiniLM-L6-v2-shaped
 * CrossEncoder and SPLADE-encode 1,000 passages with a bert-base SparseEncoder, against Python
 * sentence-transformers (torch CPU) on the same weights and texts, in the same run.
 *
 *   test/tools/.venv/bin/python test/tools/model_class_fixtures.py bench && node --import tsx bench/model-classes/run.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { CrossEncoder, SparseEncoder } from '../../lib/index.js';
import { mixedLengthCorpus } from '../corpus.js';

const ROOT = join(__dirname, '..', '..');
const MODELS = join(ROOT, 'bench', 'models');
const RERANKER = join(MODELS, 'ce-minilm-l6');
const SPLADE = join(MODELS, 'splade-bert-base');
const PAIRS = 100;
const PASSAGES = 1000;

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

  const reranker = await CrossEncoder.fromPretrained(RERANKER);
  const pairs = texts.slice(0, PAIRS).map((text) => ['what is the best way to search documents', text] as [string, string]);
  await reranker.predict(pairs.slice(0, 8));
  const rerank = await seconds(() => reranker.predict(pairs, { batchSize: 32 }));
  await reranker.dispose();

  const splade = await SparseEncoder.fromPretrained(SPLADE);
  await splade.encode(texts.slice(0, 8));
  const sparse = await seconds(() => splade.encode(texts, { batchSize: 32 }));
  await splade.dispose();

  console.log(`\n${cpus().length} CPUs (${cpus()[0]?.model}); sentence-transformers ${st.versions.sentence_transformers}, torch ${st.versions.torch}\n`);
  console.log('| task | sentence-transformers | sentencekit | ratio |');
  console.log('|---|---:|---:|---:|');
  console.log(`| rerank ${PAIRS} pairs (MiniLM-L6 cross-encoder) | ${(st.rerank_seconds * 1000).toFixed(0)} ms | ${(rerank * 1000).toFixed(0)} ms | ${(st.rerank_seconds / rerank).toFixed(2)}× |`);
  console.log(`| SPLADE-encode ${PASSAGES} passages (bert-base) | ${st.splade_seconds.toFixed(1)} s | ${sparse.toFixed(1)} s | ${(st.splade_seconds / sparse).toFixed(2)}× |`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
