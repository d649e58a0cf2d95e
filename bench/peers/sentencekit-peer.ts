/**
 * bench/peers: sentencekit on the given ONNX file of the model folder, or (--engine int8 or
 * bf16x3) on its own CPU engine from model.safetensors. Concurrent callers go through the model's
 * cross-caller batching (lib/encode-scheduler.ts), as in a server.
 * Prints one JSON line (bench/peer-timing.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { SentenceTransformer } from '../../lib/index.js';
import { runtimeInfo } from '../../lib/runtime-info.js';
import { concurrent, emit, latency, peerArguments, throughput, withEventLoopLag, writeEmbeddings } from '../peer-timing.js';

async function main(): Promise<void> {
  const args = peerArguments();
  const engine = args.extra.get('engine');
  const cpuEngine = engine === 'int8' || engine === 'bf16x3' ? engine : 'onnxruntime';
  // The CPU engine reads model.safetensors: no ONNX file to choose.
  const file = cpuEngine !== 'onnxruntime' ? {} : { fileName: args.extra.get('onnx') ?? 'onnx/model.onnx' };
  const model = await SentenceTransformer.fromPretrained(args.model, { ...file, intraOpThreads: args.threads, cpuEngine });
  const encode = async (texts: string[]): Promise<Float32Array> => (await model.encode(texts, { batchSize: args.batchSize })).data;
  const encodeOne = (text: string): Promise<unknown> => model.encode(text);

  await encode(args.texts.slice(0, 64)); // warm-up
  const batch = await withEventLoopLag(() => throughput(encode, args.texts));
  writeEmbeddings(args.embeddingsOut, batch.value.embeddings);
  const single = await latency(encodeOne, args.queries, args.latencyCalls, args.warmup);
  const callers = await withEventLoopLag(() => concurrent(encodeOne, args.texts, args.callers, args.requests));
  await model.dispose();

  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  emit({
    peer: cpuEngine !== 'onnxruntime' ? `sentencekit ${cpuEngine} engine` : 'sentencekit',
    versions: { sentencekit: pkg.version, onnxruntime: runtimeInfo().onnxRuntimeVersion, kernels: runtimeInfo().cpuLevel },
    threads: args.threads,
    throughput: batch.value.timing,
    latency: single,
    concurrent: callers.value,
    event_loop_lag: { throughput: batch.lag, concurrent: callers.lag },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
