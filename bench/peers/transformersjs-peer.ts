/**
 * bench/peers: transformers.js (@huggingface/transformers) in Node, on its onnxruntime-node
 * backend, loading the same ONNX file from the local model folder with remote models off.
 * The pipeline does not sort by length, so it is given length-sorted batches of 32 (as
 * sentencekit and sentence-transformers sort internally) and the rows are put back in order.
 * Prints one JSON line (bench/peer-timing.ts).
 */
import { basename, dirname } from 'node:path';

import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';

import { concurrent, emit, latency, lengthOrder, packageVersion, peerArguments, throughput, withEventLoopLag, writeEmbeddings } from '../peer-timing.js';

async function main(): Promise<void> {
  const args = peerArguments();
  const onnx = args.extra.get('onnx') ?? 'onnx/model.onnx';
  const match = /^onnx\/(.+)\.onnx$/.exec(onnx);
  if (!match) throw new TypeError(`expected --onnx onnx/<name>.onnx but received ${onnx}`);
  env.allowRemoteModels = false;
  env.localModelPath = dirname(args.model);
  // dtype fp32 adds no suffix, so model_file_name picks onnx/<name>.onnx: the very file we run.
  const extractor = (await pipeline('feature-extraction', basename(args.model), {
    dtype: 'fp32',
    model_file_name: match[1],
    device: 'cpu',
    session_options: { intraOpNumThreads: args.threads, interOpNumThreads: 1 },
  })) as FeatureExtractionPipeline;
  const run = async (texts: string[]): Promise<Float32Array> => (await extractor(texts, { pooling: 'mean', normalize: true })).data as Float32Array;

  const encode = async (texts: string[]): Promise<Float32Array> => {
    const order = lengthOrder(texts);
    let out: Float32Array | undefined;
    for (let start = 0; start < order.length; start += args.batchSize) {
      const chunk = order.slice(start, start + args.batchSize);
      const rows = await run(chunk.map((i) => texts[i] as string));
      const width = rows.length / chunk.length;
      out ??= new Float32Array(texts.length * width);
      chunk.forEach((i, r) => out!.set(rows.subarray(r * width, (r + 1) * width), i * width));
    }
    return out ?? new Float32Array(0);
  };
  const encodeOne = (text: string): Promise<unknown> => run([text]);

  await encode(args.texts.slice(0, 64)); // warm-up
  const batch = await withEventLoopLag(() => throughput(encode, args.texts));
  writeEmbeddings(args.embeddingsOut, batch.value.embeddings);
  const single = await latency(encodeOne, args.queries, args.latencyCalls, args.warmup);
  const callers = await withEventLoopLag(() => concurrent(encodeOne, args.texts, args.callers, args.requests));
  await extractor.dispose();

  // The onnxruntime-node transformers.js itself resolves.
  const transformersMain = dirname(require.resolve('@huggingface/transformers'));
  emit({
    peer: 'transformers.js',
    versions: { transformers_js: env.version, onnxruntime_node: packageVersion('onnxruntime-node', transformersMain) },
    threads: args.threads,
    throughput: batch.value.timing,
    latency: single,
    concurrent: callers.value,
    event_loop_lag: { throughput: batch.lag, concurrent: callers.lag },
    notes: ['64 callers: 64 concurrent promises on one pipeline, one sentence each; transformers.js does not batch across calls'],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
