// CLIP through ONNX Runtime (issue 23) on test/tools/clip_onnx_fixtures.py's exports of the tiny
// CLIP: transformers.js's towers (onnx/text_model.onnx + onnx/vision_model.onnx) against Python
// sentence-transformers 6.0.1 within 1e-5 for texts, pixel tensors and image files; Optimum's
// whole-model onnx/model.onnx (CLIPModel.forward, normalized rows) against sentence-transformers'
// normalized rows within 1e-5; the int8 towers (*_quantized.onnx) against Python onnxruntime on
// the same files, batch for batch (dynamic quantization scales each activation tensor by its
// range, so a row depends on what it is batched with: each text alone, the five images
// together). And which engine a CLIP folder gets, option by option.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { type Embeddings, SentenceKitError, SentenceTransformer } from '../../lib/index.js';
import { nativeBinding } from '../../lib/binding.js';
import { type ClipEngineRequest, loadClipModel, type NativeClipModel } from '../../lib/clip-model.js';
import { info } from '../../lib/server/probes.js';
import type { ServeConfig } from '../../lib/server/config.js';
import { rejectsError } from '../helpers/errors.js';
import { FIXTURES, maxAbsDiff } from '../helpers/fixtures.js';

interface ClipReference {
  texts: string[];
  pixel_images: number;
  text_embeddings: number[][];
  image_embeddings: number[][];
  image_files: string[];
  image_file_embeddings: number[][];
}

interface OnnxReference {
  quantized_text_embeddings: number[][];
  quantized_image_embeddings: number[][];
}

const reference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-clip.reference.json'), 'utf8')) as ClipReference;
const onnxReference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-clip-onnx.reference.json'), 'utf8')) as OnnxReference;
const pixelBytes = readFileSync(join(FIXTURES, 'tiny-clip.pixels.bin'));
const pixels = new Float32Array(pixelBytes.buffer.slice(pixelBytes.byteOffset, pixelBytes.byteOffset + pixelBytes.byteLength));
const ONNX_DIR = join(FIXTURES, 'tiny-clip-onnx');
const WEIGHTS_DIR = join(FIXTURES, 'tiny-clip');
const RAW = { normalize: false, truncateDim: 0 };

function onnxRequest(extra: Partial<ClipEngineRequest> = {}): ClipEngineRequest {
  return { explicit: false, cpuEngine: 'onnxruntime', quantized: false, intraOpThreads: 0, allowSpinning: true, ...extra };
}

function normalizedRows(rows: number[][]): number[] {
  return rows.flatMap((row) => {
    const norm = Math.hypot(...row);
    return row.map((value) => value / norm);
  });
}

async function withNativeAt(dir: string, request: ClipEngineRequest, run: (native: NativeClipModel) => Promise<void>): Promise<void> {
  const { native } = await loadClipModel(dir, 'cpu', request);
  try {
    await run(native);
  } finally {
    await native.dispose();
  }
}

function withNative(request: ClipEngineRequest, run: (native: NativeClipModel) => Promise<void>): Promise<void> {
  return withNativeAt(ONNX_DIR, request, run);
}

test("transformers.js's towers: texts, pixel tensors and image files match sentence-transformers within 1e-5", async () => {
  // No model.safetensors in the folder: the export runs without being asked for.
  const model = await SentenceTransformer.fromPretrained(ONNX_DIR);
  try {
    assert.equal(model.modalities, ['text', 'image']);
    // The server's /info reports what the model embeds beside its other facts.
    const served = info({ embedder: model, reranker: null, sparse: null, vocabulary: null, counter: null, pooling: null }, {} as ServeConfig);
    assert.equal((served.sentencekit as Record<string, unknown>).modalities, ['text', 'image']);
    const texts = (await model.encode(reference.texts)) as Embeddings;
    const textDiff = maxAbsDiff(texts.data, reference.text_embeddings.flat());
    const files = reference.image_files.map((name) => ({ path: join(FIXTURES, 'images', 'files', name) }));
    const images = (await model.encode(files)) as Embeddings;
    const fileDiff = maxAbsDiff(images.data, reference.image_file_embeddings.flat());
    console.log(`  ONNX towers: text max |diff| ${textDiff.toExponential(2)}, image files ${fileDiff.toExponential(2)}`);
    assert.ok(textDiff <= 1e-5, `texts: max |diff| ${textDiff}`);
    assert.ok(fileDiff <= 1e-5, `image files: max |diff| ${fileDiff}`);
  } finally {
    await model.dispose();
  }
  await withNative(onnxRequest(), async (native) => {
    assert.is(native.backend, 'onnx');
    assert.is(native.normalizesOutputs, false);
    const rows = await native.encodeImages(pixels, reference.pixel_images, RAW);
    const diff = maxAbsDiff(rows, reference.image_embeddings.flat());
    console.log(`  ONNX towers: pixel tensors max |diff| ${diff.toExponential(2)}`);
    assert.ok(diff <= 1e-5, `max |diff| ${diff}`);
  });
});

test("Optimum's whole-model onnx/model.onnx: its normalized rows match sentence-transformers' normalized rows within 1e-5", async () => {
  await withNative(onnxRequest({ fileName: 'onnx/model.onnx' }), async (native) => {
    assert.is(native.backend, 'onnx');
    assert.is(native.normalizesOutputs, true);
    const texts = await native.encodeTexts(reference.texts, RAW);
    const images = await native.encodeImages(pixels, reference.pixel_images, RAW);
    const textDiff = maxAbsDiff(texts, normalizedRows(reference.text_embeddings));
    const imageDiff = maxAbsDiff(images, normalizedRows(reference.image_embeddings));
    console.log(`  model.onnx: text max |diff| ${textDiff.toExponential(2)}, images ${imageDiff.toExponential(2)}`);
    assert.ok(textDiff <= 1e-5, `texts: max |diff| ${textDiff}`);
    assert.ok(imageDiff <= 1e-5, `images: max |diff| ${imageDiff}`);
  });
});

test('the int8 towers (quantized: true, or a *_quantized.onnx fileName) match Python onnxruntime on the same files within 1e-5', async () => {
  for (const choice of [{ quantized: true }, { fileName: 'onnx/vision_model_quantized.onnx' }]) {
    await withNative(onnxRequest(choice), async (native) => {
      const texts = await Promise.all(reference.texts.map((text) => native.encodeTexts([text], RAW)));
      const images = await native.encodeImages(pixels, reference.pixel_images, RAW);
      const textDiff = maxAbsDiff(Float32Array.from(texts.flatMap((row) => [...row])), onnxReference.quantized_text_embeddings.flat());
      const imageDiff = maxAbsDiff(images, onnxReference.quantized_image_embeddings.flat());
      console.log(`  int8 towers ${JSON.stringify(choice)}: text max |diff| ${textDiff.toExponential(2)}, images ${imageDiff.toExponential(2)}`);
      assert.ok(textDiff <= 1e-5, `texts: max |diff| ${textDiff}`);
      assert.ok(imageDiff <= 1e-5, `images: max |diff| ${imageDiff}`);
    });
  }
  const model = await SentenceTransformer.fromPretrained(ONNX_DIR, { quantized: true });
  try {
    const text = (await model.encode(reference.texts[0]!)) as Embeddings;
    assert.ok(maxAbsDiff(text.data, onnxReference.quantized_text_embeddings[0]!) <= 1e-5);
  } finally {
    await model.dispose();
  }
});

test('engine choice: the CPU engine where model.safetensors is, ONNX Runtime where only an export is or when asked for; typed errors name what is missing', async () => {
  const cases: Array<[string, ClipEngineRequest, string]> = [
    [WEIGHTS_DIR, onnxRequest(), 'sentencekit-bf16x3'],
    [WEIGHTS_DIR, onnxRequest({ cpuEngine: 'int8', explicit: true }), 'sentencekit-int8'],
    [ONNX_DIR, onnxRequest({ explicit: true }), 'onnx'],
  ];
  for (const [dir, request, backend] of cases) {
    const { native } = await loadClipModel(dir, 'cpu', request);
    assert.is(native.backend, backend, `${dir} ${JSON.stringify(request)}`);
    await native.dispose();
  }
  await rejectsError(() => SentenceTransformer.fromPretrained(WEIGHTS_DIR, { backend: 'onnx' }), SentenceKitError, /has no ONNX export of CLIP \(looked for onnx\/text_model\.onnx with onnx\/vision_model\.onnx, then onnx\/model\.onnx\)/);
  await rejectsError(() => SentenceTransformer.fromPretrained(ONNX_DIR, { backend: 'sentencekit-bf16x3' }), SentenceKitError, /model\.safetensors not found/);
  await rejectsError(() => SentenceTransformer.fromPretrained(ONNX_DIR, { fileName: 'onnx/text_model_fp16.onnx' }), SentenceKitError, /ONNX model not found: .*text_model_fp16\.onnx \(a CLIP export's towers come in pairs/);
  await rejectsError(() => SentenceTransformer.fromPretrained(ONNX_DIR, { backend: 'onnx', device: 'cuda' }), SentenceKitError, /its CUDA engine has no CLIP towers yet/);
});

test('intraOpThreads reaches the towers on both engines (the lanes of the CPU engine, ONNX Runtime intra-op threads)', async () => {
  for (const [dir, cpuEngine] of [[ONNX_DIR, 'onnxruntime'], [WEIGHTS_DIR, 'bf16x3']] as const) {
    for (const threads of [1, 2]) {
      await withNativeAt(dir, onnxRequest({ cpuEngine, intraOpThreads: threads }), async (native) => {
        assert.is(native.threads, threads, `${cpuEngine} with intraOpThreads ${threads}`);
        // Results do not depend on the thread count.
        const rows = await native.encodeTexts(reference.texts.slice(0, 3), RAW);
        assert.ok(maxAbsDiff(rows, reference.text_embeddings.slice(0, 3).flat()) <= 1e-5);
      });
    }
  }
});

test("fromPretrained passes intraOpThreads to a CLIP model's towers", async () => {
  const binding = nativeBinding() as unknown as { loadClipModel(options: unknown): Promise<NativeClipModel> };
  const original = binding.loadClipModel;
  const threads: number[] = [];
  binding.loadClipModel = async (options) => {
    const native = await original.call(binding, options);
    threads.push(native.threads);
    return native;
  };
  try {
    for (const dir of [ONNX_DIR, WEIGHTS_DIR]) {
      const model = await SentenceTransformer.fromPretrained(dir, { intraOpThreads: 1 });
      await model.dispose();
    }
  } finally {
    binding.loadClipModel = original;
  }
  assert.equal(threads, [1, 1]);
});

test.run();
