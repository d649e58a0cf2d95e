/**
 * StaticEmbedding throughput: sentencekit against sentence-transformers' StaticEmbedding on the
 * same model (static-retrieval-mrl-en-v1's shape, random weights: bench/static/make_model.py)
 * and the same texts, in one run: the bench corpus (2,000 texts of 5–200 words, as bench/encode)
 * and a short-query set (20,000 texts of 2–8 words). Python runs at its encode default (batch
 * 32) and at 1,024 (its best here); sentencekit encodes each set in one call. The tokenizer's
 * share of sentencekit's time comes from bench/static/static_bench.cc, which times the native
 * encode (also its first, cold run: the static tokenizer's chunk cache empty) and the tokenizer
 * alone as encode() runs it, and the tokenizer's full Encode, on the same texts. Run with
 * bench/static/run.sh.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

import { runtimeInfo, SentenceTransformer } from '../../lib/index.js';
import { mixedLengthCorpus } from '../corpus.js';

const ROOT = join(__dirname, '..', '..');
const PYTHON = process.env.PYTHON ?? join(ROOT, 'test', 'tools', '.venv', 'bin', 'python');
const MODEL = join(ROOT, 'bench', '.cache', 'static-retrieval-shape');
const STATIC_BENCH = process.env.STATIC_BENCH ?? '/tmp/sentencekit-static-bench';
const REPEATS = Number(process.env.REPEATS ?? 5);

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout.trim().split('\n').pop() ?? '{}';
}

async function bestOf(repeats: number, body: () => Promise<unknown>): Promise<number> {
  await body();
  let best = Infinity;
  for (let r = 0; r < repeats; r += 1) {
    const start = process.hrtime.bigint();
    await body();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return best;
}

async function main(): Promise<void> {
  run(PYTHON, [join(__dirname, 'make_model.py')]);
  const model = await SentenceTransformer.fromPretrained(MODEL);
  const sets = [
    { name: 'bench corpus (2,000 texts, 5–200 words)', ...mixedLengthCorpus(2000) },
    { name: 'short queries (20,000 texts, 2–8 words)', ...mixedLengthCorpus(20000, 2, 8, 7) },
  ];
  console.log(`\nStaticEmbedding, static-retrieval-mrl-en-v1 shape (30,522 × ${model.dimension} float32), best of ${REPEATS}; ` +
    `${cpus().length} CPUs (${cpus()[0]?.model}), kernels ${runtimeInfo().cpuLevel}, load average ${loadavg().map((load) => load.toFixed(2)).join(' ')} at the start\n`);
  console.log('| texts | peer | seconds | sentences/s | vs sentence-transformers (best batch) |');
  console.log('|---|---|---:|---:|---:|');
  for (const set of sets) {
    const ours = await bestOf(REPEATS, () => model.encode(set.texts));
    const vectors = await model.encode(set.texts);
    const check = `${set.file}.sentencekit.f32`;
    writeFileSync(check, vectors.data);
    const peers = [32, 1024].map((batch) => JSON.parse(run(PYTHON, [join(__dirname, 'st_peer.py'), '--model', MODEL, '--texts', set.file,
      '--batch-size', String(batch), '--repeats', String(REPEATS), '--check', check])) as { seconds: number; batch_size: number; threads: number; max_abs_diff: number; versions: Record<string, string> });
    const best = Math.min(...peers.map((peer) => peer.seconds));
    const native = JSON.parse(run(STATIC_BENCH, ['--tokenizer', join(MODEL, 'tokenizer.json'), '--weights', join(MODEL, 'model.safetensors'),
      '--texts', set.file, '--repeat', String(REPEATS)])) as { tokens: number; threads: number; chunked: boolean; cold_encode_seconds: number; encode_seconds: number; tokenize_seconds: number; full_tokenize_seconds: number };
    const rate = (seconds: number): string => Math.round(set.texts.length / seconds).toLocaleString('en-US');
    for (const peer of peers) {
      console.log(`| ${set.name} | sentence-transformers ${peer.versions.sentence_transformers} / torch ${peer.versions.torch} (${peer.threads} threads), batch ${peer.batch_size} | ${peer.seconds.toFixed(4)} | ${rate(peer.seconds)} | ${(best / peer.seconds).toFixed(2)}× |`);
    }
    console.log(`| ${set.name} | sentencekit encode() (one call) | ${ours.toFixed(4)} | ${rate(ours)} | **${(best / ours).toFixed(2)}×** |`);
    console.log(`|  | — native encode alone (${native.threads} threads) / tokenizer alone | ${native.encode_seconds.toFixed(4)} / ${native.tokenize_seconds.toFixed(4)} | ` +
      `${rate(native.encode_seconds)} / ${rate(native.tokenize_seconds)} | tokenizer ${(100 * native.tokenize_seconds / ours).toFixed(0)}% of encode(), ` +
      `${(100 * native.tokenize_seconds / native.encode_seconds).toFixed(0)}% of the native encode; ${native.tokens.toLocaleString('en-US')} tokens; max |diff| vs Python ${Math.max(...peers.map((peer) => peer.max_abs_diff)).toExponential(1)} |`);
    console.log(`|  | — native encode, first (cold) run / full tokenizer Encode (chunked path: ${native.chunked}) | ${native.cold_encode_seconds.toFixed(4)} / ${native.full_tokenize_seconds.toFixed(4)} | ` +
      `${rate(native.cold_encode_seconds)} / ${rate(native.full_tokenize_seconds)} |  |`);
  }
  console.log(`\nload average at the end: ${loadavg().map((load) => load.toFixed(2)).join(' ')}`);
  await model.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
