/**
 * bench/peers: fastembed-js (the `fastembed` npm package) loading the same ONNX file from the
 * local model folder as a CUSTOM model (its named models download from the network). It has
 * its own onnxruntime-node, and what it does is its own: it pads every batch to the maximum
 * length and pools the first token for every model, so its vectors are not all-MiniLM-L6-v2's
 * mean-pooled ones (the agreement check shows it). Its session threads cannot be set.
 * Prints one JSON line (bench/peer-timing.ts).
 */
import { dirname, join, relative } from 'node:path';

import { EmbeddingModel, FlagEmbedding } from 'fastembed';

import { concurrent, emit, latency, packageVersion, peerArguments, throughput, withEventLoopLag, writeEmbeddings } from '../peer-timing.js';

async function main(): Promise<void> {
  const args = peerArguments();
  const onnx = args.extra.get('onnx') ?? 'onnx/model.onnx';
  const model = await FlagEmbedding.init({ model: EmbeddingModel.CUSTOM, modelAbsoluteDirPath: args.model, modelName: onnx, maxLength: 512, showDownloadProgress: false });

  const embedBatches = async (texts: string[], batchSize: number): Promise<Float32Array> => {
    let out: Float32Array | undefined;
    let row = 0;
    for await (const rows of model.embed(texts, batchSize)) {
      for (const vector of rows) {
        out ??= new Float32Array(texts.length * vector.length);
        out.set(vector, row * vector.length);
        row += 1;
      }
    }
    return out ?? new Float32Array(0);
  };
  // Padded to a fixed length anyway, so sorting by length would change nothing.
  const encode = (texts: string[]): Promise<Float32Array> => embedBatches(texts, args.batchSize);
  const encodeOne = (text: string): Promise<unknown> => embedBatches([text], 1);

  await encode(args.texts.slice(0, 64)); // warm-up
  const batch = await withEventLoopLag(() => throughput(encode, args.texts));
  writeEmbeddings(args.embeddingsOut, batch.value.embeddings);
  const single = await latency(encodeOne, args.queries, args.latencyCalls, args.warmup);
  const callers = await withEventLoopLag(() => concurrent(encodeOne, args.texts, args.callers, args.requests));

  // fastembed's own onnxruntime-node, not the project's.
  const fastembedMain = dirname(require.resolve('fastembed'));
  emit({
    peer: 'fastembed-js',
    versions: { fastembed: packageVersion('fastembed'), onnxruntime_node: packageVersion('onnxruntime-node', fastembedMain) },
    threads: 0,
    throughput: batch.value.timing,
    latency: single,
    concurrent: callers.value,
    event_loop_lag: { throughput: batch.lag, concurrent: callers.lag },
    notes: [`model file ${relative(dirname(args.model), join(args.model, onnx))}; ONNX Runtime default threads; CLS pooling, fixed padding`],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
