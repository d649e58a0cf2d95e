/**
 * sentence-transformers' CLIP models (clip-ViT-B-32, clip-ViT-B-16, clip-ViT-L-14 and models
 * saved by sentence-transformers 6 around transformers' CLIPModel): a text tower and a vision
 * tower into one space. Reads the folder in both layouts — the Hub's (modules.json →
 * sentence_transformers.models.CLIPModel at 0_CLIPModel/, preprocessor_config.json) and
 * sentence-transformers 6's (the Transformer module at the root over a config.json whose
 * model_type is "clip", processor_config.json) — and loads the native model, whose towers run on
 * sentencekit's CPU engine from model.safetensors (the Hub's CLIP folders ship no ONNX export).
 * Internal: SentenceTransformer.fromPretrained() loads these folders.
 */
import { join } from 'node:path';

import { nativeBinding, type NativeEncodeOptions, type NativeSentenceEncoder } from './binding.js';
import { placeModel, type Device, type DevicePlacement } from './device.js';
import { exists, loadError, readJsonFile } from './json-files.js';
import { loadImageProcessorConfig, type ImageProcessorConfig } from './image-processor-config.js';
import { outputSize, preprocessImages } from './image-preprocess.js';
import type { ImageInput } from './image-input.js';
import { kindOf, readModelConfig, readModules, type SentenceTransformerFolder, unsupportedModule } from './model-folder.js';
import type { PackedTexts } from './packed-texts.js';

/** Why a CLIP model never goes to the GPU: device 'cuda' is refused with it, 'auto' reports it. */
const CPU_ONLY = "a CLIP model runs on sentencekit's CPU engine (its CUDA engine has no CLIP towers yet)";

/** Images decoded and preprocessed ahead of the one being encoded: the next part is prepared while this one runs. */
const IMAGES_PER_PART = 32;

interface NativeClipEncodeOptions {
  /** A Normalize module follows the CLIP module: whole rows, before truncateDim. */
  normalizeModule?: boolean;
  normalize: boolean;
  truncateDim: number;
}

/** The native CLIP model (native/napi/clip_model_binding.cc). */
export interface NativeClipModel {
  readonly dimension: number;
  readonly imageSize: number;
  encodeTexts(texts: string[] | PackedTexts, options: NativeClipEncodeOptions): Promise<Float32Array>;
  encodeImages(pixels: Float32Array, count: number, options: NativeClipEncodeOptions): Promise<Float32Array>;
  dispose(): Promise<void>;
}

interface ClipBinding {
  loadClipModel(options: { modelDir: string; tokenizerPath: string; maxLength: number; precision: 'int8' | 'bf16x3'; threads?: number }): Promise<NativeClipModel>;
}

export interface ClipFolder extends SentenceTransformerFolder {
  /** The CLIP module's folder: config.json, model.safetensors, the tokenizer and the image processor. */
  modelDir: string;
  imageProcessor: ImageProcessorConfig;
}

/** The CLIP module's folder when `root` is a CLIP model, else null (modules.json and config.json read; nothing else). */
export async function clipModuleDir(root: string): Promise<string | null> {
  const { entries } = await readModules(root);
  const first = entries[0];
  if (first === undefined) return null;
  const kind = kindOf(first);
  const dir = join(root, first.path);
  if (kind === 'CLIPModel') return dir;
  if (kind !== 'Transformer') return null;
  const config = await readJsonFile<Record<string, unknown>>(join(dir, 'config.json'), {});
  return config.model_type === 'clip' ? dir : null;
}

/** Reads a CLIP folder; only Normalize may follow the CLIP module. */
export async function readClipFolder(root: string): Promise<ClipFolder> {
  const { file: modulesFile, entries } = await readModules(root);
  const modelDir = await clipModuleDir(root);
  if (modelDir === null) throw loadError(`${modulesFile} has no CLIP module first`);
  let normalize = false;
  for (const entry of entries.slice(1)) {
    if (kindOf(entry) !== 'Normalize') throw unsupportedModule(modulesFile, entry);
    normalize = true;
  }
  const weightsPath = join(modelDir, 'model.safetensors');
  if (!(await exists(weightsPath))) {
    const torchWeights = join(modelDir, 'pytorch_model.bin');
    throw loadError(await exists(torchWeights)
      ? `${torchWeights}: CLIP weights saved as pytorch_model.bin are not read yet; convert them to model.safetensors (transformers' save_pretrained does)`
      : `${weightsPath} not found (the CLIP towers' weights)`);
  }
  const tokenizerPath = join(modelDir, 'tokenizer.json');
  if (!(await exists(tokenizerPath))) {
    throw loadError(`${tokenizerPath} not found (sentencekit reads CLIP's tokenizer from tokenizer.json; save it with a fast CLIPTokenizer)`);
  }
  const config = await readJsonFile<Record<string, unknown>>(join(modelDir, 'config.json'));
  const textConfig = (config.text_config ?? {}) as Record<string, unknown>;
  const positions = typeof textConfig.max_position_embeddings === 'number' ? textConfig.max_position_embeddings : 77;
  return {
    root,
    ...(await readModelConfig(root)),
    transformerDir: modelDir,
    onnxPath: weightsPath,
    tokenizerPath,
    maxSeqLength: positions,
    doLowerCase: false,
    paddingSide: undefined,
    truncationSide: undefined,
    padToken: undefined,
    pooling: { modes: ['cls'], includePrompt: true, embeddingDimension: undefined },
    dense: [],
    normalize,
    modelDir,
    imageProcessor: await loadImageProcessorConfig(modelDir),
  };
}

/**
 * Loads a CLIP folder natively, on the CPU wherever `device` asked, at `precision`: bf16x3
 * (float32-accurate) unless the int8 engine is asked for.
 */
export async function loadClipModel(root: string, device: Device, precision: 'int8' | 'bf16x3'): Promise<{ native: NativeClipModel; folder: ClipFolder; placement: DevicePlacement }> {
  const placement = placeModel(device, CPU_ONLY);
  const folder = await readClipFolder(root);
  const binding = nativeBinding() as unknown as ClipBinding;
  const native = await binding.loadClipModel({ modelDir: folder.modelDir, tokenizerPath: folder.tokenizerPath, maxLength: folder.maxSeqLength, precision });
  return { native, folder, placement };
}

function clipOptions(options: NativeEncodeOptions, normalizeModule: boolean): NativeClipEncodeOptions {
  return { normalizeModule, normalize: options.normalize, truncateDim: options.truncateDim };
}

/**
 * The text tower behind the sentence encoder's surface, so SentenceTransformer schedules CLIP
 * texts as it does every model's.
 */
export function clipTextEncoder(native: NativeClipModel, normalizeModule: boolean): NativeSentenceEncoder {
  const refuse = (what: string) => (): Promise<never> =>
    Promise.reject(new TypeError(`${what} is not served for a CLIP model yet`));
  return {
    dimension: native.dimension,
    hiddenSize: native.dimension,
    encode: (texts: string[] | PackedTexts, options: NativeEncodeOptions) => native.encodeTexts(texts, clipOptions(options, normalizeModule)),
    promptLength: () => 0,
    tokenize: refuse('tokenize()'),
    encodeTokens: refuse('encodeTokens()'),
    decode: refuse('decode()'),
    ioStats: () => ({ runs: 0, tensorsCreated: 0, bufferGrowths: 0 }),
    dispose: () => native.dispose(),
  } as unknown as NativeSentenceEncoder;
}

/** An image of one encode() call with its index in that call's array (errors name it). */
export interface IndexedImage {
  image: ImageInput;
  index: number;
}

/**
 * Encodes images: each part of IMAGES_PER_PART decoded and preprocessed (sharp and the native
 * preprocessor, off the event loop) while the part before it runs through the vision tower.
 * The first bad image rejects the run with its typed error (its `index` the caller's).
 */
export function clipImageRunner(native: NativeClipModel, processor: ImageProcessorConfig, normalizeModule: boolean) {
  const { height, width } = outputSize(processor);
  if (height !== native.imageSize || width !== native.imageSize) {
    throw loadError(`the image processor makes ${height}x${width} pixel tensors but the vision tower takes ${native.imageSize}x${native.imageSize}`);
  }
  return async (items: IndexedImage[], options: NativeEncodeOptions): Promise<Float32Array> => {
    const prepare = (start: number) => {
      const part = items.slice(start, start + IMAGES_PER_PART);
      return preprocessImages(part.map((item) => item.image), processor, { inputIndexes: part.map((item) => item.index) });
    };
    let result: Float32Array | undefined;
    let next = prepare(0);
    for (let start = 0; start < items.length; start += IMAGES_PER_PART) {
      const { batch, errors } = await next;
      if (start + IMAGES_PER_PART < items.length) next = prepare(start + IMAGES_PER_PART);
      const failed = errors.find((error) => error !== undefined);
      if (failed !== undefined) {
        // Let the part being prepared settle before failing, so no work outlives the call.
        if (start + IMAGES_PER_PART < items.length) await next;
        throw failed;
      }
      const rows = await native.encodeImages(batch.pixels, batch.count, clipOptions(options, normalizeModule));
      if (result === undefined) result = new Float32Array(items.length * (rows.length / batch.count));
      result.set(rows, start * (rows.length / batch.count));
    }
    return result ?? new Float32Array(0);
  };
}
