/**
 * bench/encode: sentences/s on the all-MiniLM-L6-v2 shape (random weights, made by
 * `npm run bench:models`), fp32 and int8, against Python sentence-transformers (torch CPU,
 * same weights, same texts, batch 32) in the same run. Prints a markdown table with ratios.
 *
 *   npm run bench:models && npm run bench -- [--texts 2000] [--repeats 2]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { SentenceTransformer } from '../../lib/index.js';
import { runtimeInfo } from '../../lib/runtime-info.js';
import { mixedLengthCorpus } from '../corpus.js';
import { option as stringOption } from '../cli-option.js';

const option = (name: string, fallback: number): number => Number(stringOption(name, String(fallback)));

const ROOT = join(__dirname, '..', '..');
const MODEL = join(ROOT, 'bench', 'models', 'minilm-l6');
const PYTHON = join(ROOT, 'test', 'tools', '.venv', 'bin', 'python');

interface Row {
  peer: string;
  seconds: number;
  sentencesPerSecond: number;
}

async function timeSentencekit(label: string, fileName: string, texts: string[], repeats: number): Promise<Row> {
  const model = await SentenceTransformer.fromPretrained(MODEL, { fileName });
  await model.encode(texts.slice(0, 64), { batchSize: 32 }); // warm-up
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r += 1) {
    const start = process.hrtime.bigint();
    await model.encode(texts, { batchSize: 32 });
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  await model.dispose();
  return { peer: label, seconds: best, sentencesPerSecond: texts.length / best };
}

function timeSentenceTransformers(file: string, count: number, repeats: number): Row {
  const result = spawnSync(PYTHON, [join(__dirname, 'st_peer.py'), '--model', MODEL, '--texts', file, '--repeats', String(repeats)], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (result.status !== 0) throw new Error(`sentence-transformers peer failed:\n${result.stderr}`);
  const line = result.stdout.trim().split('\n').pop() ?? '{}';
  const parsed = JSON.parse(line) as { peer: string; seconds: number; versions: Record<string, string> };
  return { peer: `${parsed.peer} ${parsed.versions.sentence_transformers} / torch ${parsed.versions.torch}`, seconds: parsed.seconds, sentencesPerSecond: count / parsed.seconds };
}

async function main(): Promise<void> {
  if (!existsSync(join(MODEL, 'onnx', 'model.onnx'))) {
    throw new Error(`${MODEL} is missing: run \`npm run bench:models\` first`);
  }
  const count = option('texts', 2000);
  const repeats = option('repeats', 2);
  const { texts, file } = mixedLengthCorpus(count);

  const st = timeSentenceTransformers(file, count, repeats);
  const fp32 = await timeSentencekit('sentencekit fp32 (onnx/model.onnx)', 'onnx/model.onnx', texts, repeats);
  const int8 = await timeSentencekit('sentencekit int8 (onnx/model_qint8_avx512_vnni.onnx)', 'onnx/model_qint8_avx512_vnni.onnx', texts, repeats);

  const info = runtimeInfo();
  console.log(`\nall-MiniLM-L6-v2 shape, ${count} texts of 5–200 words, batch 32, best of ${repeats}; ` +
    `${cpus().length} CPUs (${cpus()[0]?.model}), ONNX Runtime ${info.onnxRuntimeVersion}, kernels ${info.cpuLevel}\n`);
  console.log('| peer | seconds | sentences/s | vs sentence-transformers |');
  console.log('|---|---:|---:|---:|');
  for (const row of [st, fp32, int8]) {
    console.log(`| ${row.peer} | ${row.seconds.toFixed(2)} | ${row.sentencesPerSecond.toFixed(1)} | ${(row.sentencesPerSecond / st.sentencesPerSecond).toFixed(2)}× |`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
