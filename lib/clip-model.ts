/**
 * sentence-transformers' CLIP models (clip-ViT-B-32, clip-ViT-B-16, clip-ViT-L-14 and models
 * saved by sentence-transformers 6 around transformers' CLIPModel): a text tower and a vision
 * tower into one space. Reads the folder in both layouts — the Hub's (modules.json →
 * sentence_transformers.models.CLIPModel at 0_CLIPModel/, preprocessor_config.json) and
 * sentence-transformers 6's (the Transformer module at the root over a config.json whose
 * model_type is "clip", processor_config.json) — and loads the native model, whose towers run on
 * sentencekit's CPU engine from model.safetensors or, as the Hub's CLIP folders ship them,
 * pytorch_model.bin, or through ONNX Runtime on an export in the module's onnx/ folder (see
 * clipOnnxFiles); a folder without tokenizer.json gets CLIP's tokenizer built from vocab.json +
 * merges.txt (legacy-tokenizer.ts).
 * Internal: SentenceTransformer.fromPretrained() loads these folders.
 */
import { basename, dirname, join } from 'node:path';

import { nativeBinding, type NativeEncodeOptions, type NativeSentenceEncoder } from './binding.js';
import { type CpuEngine, isOwnCpuEngine, type OwnCpuEngine, placeModel, type Device, type DevicePlacement } from './device.js';
import { exists, loadError, readJsonFile } from './json-files.js';
import { loadImageProcessorConfig, type ImageProcessorConfig } from './image-processor-config.js';
import { outputSize, preprocessImages } from './image-preprocess.js';
import type { ImageInput } from './image-input.js';
import { kindOf, readModelConfig, readModules, readPadding, resolveTokenizer, type SentenceTransformerFolder, unsupportedModule } from './model-folder.js';
import type { PackedTexts } from './packed-texts.js';
import { torchSafetensorsTable } from './torch-checkpoint.js';

/** Why a CLIP model never goes to the GPU: device 'cuda' is refused with it, 'auto' reports it. */
const CPU_ONLY = "a CLIP model runs on the CPU, on sentencekit's CPU engine or ONNX Runtime (its CUDA engine has no CLIP towers yet)";

/** The weights files the CPU engine reads, in transformers' order of preference. */
const SAFETENSORS_WEIGHTS = 'model.safetensors';
const TORCH_WEIGHTS = 'pytorch_model.bin';

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
  /** What runs the towers, as the backend option names it. */
  readonly backend: 'onnx' | 'sentencekit-int8' | 'sentencekit-bf16x3';
  /** Threads one call runs on: the CPU engine's lanes, or ONNX Runtime's intra-op threads. */
  readonly threads: number;
  /** The export's graph normalizes its rows (optimum's single CLIPModel graph). */
  readonly normalizesOutputs: boolean;
  encodeTexts(texts: string[] | PackedTexts, options: NativeClipEncodeOptions): Promise<Float32Array>;
  encodeImages(pixels: Float32Array, count: number, options: NativeClipEncodeOptions): Promise<Float32Array>;
  tokenize: NativeSentenceEncoder['tokenize'];
  decode: NativeSentenceEncoder['decode'];
  dispose(): Promise<void>;
}

/** An ONNX export of the towers: transformers.js's two graphs, or optimum's one. */
export type ClipOnnxFiles = { textModel: string; visionModel: string } | { model: string };

interface ClipBinding {
  loadClipModel(options: {
    modelDir: string;
    tokenizerPath: string;
    tokenizerJson?: string | undefined;
    padToken?: string | undefined;
    /** pytorch_model.bin, read through weightsTable (a safetensors header over the file's bytes). */
    weightsPath?: string;
    weightsTable?: string;
    maxLength: number;
    precision: 'int8' | 'bf16x3';
    intraOpThreads: number;
    allowSpinning: boolean;
    onnx?: ClipOnnxFiles;
  }): Promise<NativeClipModel>;
}

export interface ClipFolder extends SentenceTransformerFolder {
  /** The CLIP module's folder: config.json, the weights, the tokenizer and the image processor. */
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

/** The weights file the CPU engine reads (model.safetensors, else pytorch_model.bin), or null. */
async function clipWeightsFile(modelDir: string): Promise<string | null> {
  for (const name of [SAFETENSORS_WEIGHTS, TORCH_WEIGHTS]) {
    if (await exists(join(modelDir, name))) return join(modelDir, name);
  }
  return null;
}

/** The CPU engine's weights: ERR_MODEL_LOAD when the module's folder has none it reads. */
async function checkClipWeights(modelDir: string): Promise<void> {
  if ((await clipWeightsFile(modelDir)) === null) {
    throw loadError(`${join(modelDir, SAFETENSORS_WEIGHTS)} not found, nor ${join(modelDir, TORCH_WEIGHTS)} (the CLIP towers' weights)`);
  }
}

/** What fromPretrained() asked for about the engine, beyond device. */
export interface ClipEngineRequest {
  /** Options named a backend (or cpuEngine): false leaves the choice to the folder. */
  explicit: boolean;
  cpuEngine: CpuEngine;
  /** options.fileName: an ONNX file of the module folder. */
  fileName?: string | undefined;
  quantized: boolean;
  intraOpThreads: number;
  allowSpinning: boolean;
}

const TEXT_TOWER = 'text_model';
const VISION_TOWER = 'vision_model';

/**
 * The ONNX export to run from a CLIP module's folder, or null when it has none. transformers.js
 * (Xenova's repositories) ships the towers as onnx/text_model.onnx + onnx/vision_model.onnx
 * (int8: *_quantized.onnx) and often optimum's whole-model onnx/model.onnx beside them; optimum
 * alone writes model.onnx. The towers come first: they return get_text_features /
 * get_image_features as sentence-transformers does, where model.onnx (CLIPModel.forward)
 * normalizes its rows. `fileName` names one file: a tower (its sibling is the same name with
 * the other tower's) or a whole-model graph; ERR_MODEL_LOAD when it or its sibling is missing.
 */
export async function clipOnnxFiles(modelDir: string, choice: { fileName?: string | undefined; quantized?: boolean }): Promise<ClipOnnxFiles | null> {
  const at = (name: string) => join(modelDir, name);
  if (choice.fileName !== undefined) {
    const base = basename(choice.fileName);
    const tower = base.startsWith(TEXT_TOWER) ? TEXT_TOWER : base.startsWith(VISION_TOWER) ? VISION_TOWER : null;
    const files: ClipOnnxFiles = tower === null
      ? { model: at(choice.fileName) }
      : {
          textModel: at(join(dirname(choice.fileName), TEXT_TOWER + base.slice(tower.length))),
          visionModel: at(join(dirname(choice.fileName), VISION_TOWER + base.slice(tower.length))),
        };
    for (const path of Object.values(files) as string[]) {
      if (!(await exists(path))) throw loadError(`ONNX model not found: ${path}${tower === null ? '' : " (a CLIP export's towers come in pairs: text_model*.onnx and vision_model*.onnx)"}`);
    }
    return files;
  }
  const suffix = choice.quantized ? '_quantized' : '';
  const textModel = at(join('onnx', `${TEXT_TOWER}${suffix}.onnx`));
  const visionModel = at(join('onnx', `${VISION_TOWER}${suffix}.onnx`));
  if ((await exists(textModel)) && (await exists(visionModel))) return { textModel, visionModel };
  const model = at(join('onnx', `model${suffix}.onnx`));
  return (await exists(model)) ? { model } : null;
}

/**
 * What runs the towers: the CPU engine when asked for; ONNX Runtime when asked for (backend
 * 'onnx', or a fileName / quantized choice of ONNX file); otherwise the CPU engine where the
 * folder has model.safetensors or pytorch_model.bin (all the Hub's CLIP folders) and ONNX
 * Runtime where it has only an export (transformers.js's and optimum's folders).
 */
async function chooseClipEngine(modelDir: string, request: ClipEngineRequest): Promise<OwnCpuEngine | ClipOnnxFiles> {
  if (isOwnCpuEngine(request.cpuEngine)) {
    await checkClipWeights(modelDir);
    return request.cpuEngine;
  }
  const asked = request.explicit || request.fileName !== undefined || request.quantized;
  if (!asked && (await clipWeightsFile(modelDir)) !== null) return 'bf16x3';
  const files = await clipOnnxFiles(modelDir, request);
  if (files !== null) return files;
  if (!asked) {
    await checkClipWeights(modelDir);
    return 'bf16x3';
  }
  const suffix = request.quantized ? '_quantized' : '';
  throw loadError(`${modelDir} has no ONNX export of CLIP (looked for onnx/${TEXT_TOWER}${suffix}.onnx with onnx/${VISION_TOWER}${suffix}.onnx, then onnx/model${suffix}.onnx); backend 'sentencekit-bf16x3' runs the towers from model.safetensors or pytorch_model.bin`);
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
  // The CPU engine's weights file (an export-only folder has none; ONNX Runtime reads onnx/).
  const weightsPath = (await clipWeightsFile(modelDir)) ?? join(modelDir, SAFETENSORS_WEIGHTS);
  const config = await readJsonFile<Record<string, unknown>>(join(modelDir, 'config.json'));
  const textConfig = (config.text_config ?? {}) as Record<string, unknown>;
  const positions = typeof textConfig.max_position_embeddings === 'number' ? textConfig.max_position_embeddings : 77;
  return {
    root,
    ...(await readModelConfig(root)),
    transformerDir: modelDir,
    onnxPath: weightsPath,
    ...(await resolveTokenizer(modelDir)),
    maxSeqLength: positions,
    doLowerCase: false,
    ...(await readPadding(modelDir)),
    pooling: { modes: ['cls'], includePrompt: true, embeddingDimension: undefined },
    dense: [],
    normalize,
    modelDir,
    imageProcessor: await loadImageProcessorConfig(modelDir),
  };
}

/**
 * Loads a CLIP folder natively, on the CPU wherever `device` asked: on the CPU engine (bf16x3,
 * float32-accurate, unless int8 is asked for) or through ONNX Runtime, as chooseClipEngine
 * decides; `engine` as a precision alone asks for the CPU engine at it.
 */
export async function loadClipModel(root: string, device: Device, engine: ClipEngineRequest | OwnCpuEngine): Promise<{ native: NativeClipModel; folder: ClipFolder; placement: DevicePlacement }> {
  const request: ClipEngineRequest = typeof engine === 'string'
    ? { explicit: true, cpuEngine: engine, quantized: false, intraOpThreads: 0, allowSpinning: true }
    : engine;
  const placement = placeModel(device, CPU_ONLY);
  const folder = await readClipFolder(root);
  const chosen = await chooseClipEngine(folder.modelDir, request);
  const binding = nativeBinding() as unknown as ClipBinding;
  // pytorch_model.bin: the native side reads the file itself through the table of its tensors.
  const torchWeights = typeof chosen === 'string' && folder.onnxPath.endsWith(TORCH_WEIGHTS)
    ? { weightsPath: folder.onnxPath, weightsTable: await torchSafetensorsTable(folder.onnxPath) }
    : {};
  const native = await binding.loadClipModel({
    modelDir: folder.modelDir,
    tokenizerPath: folder.tokenizerPath,
    tokenizerJson: folder.tokenizerJson,
    padToken: folder.padToken,
    ...torchWeights,
    maxLength: folder.maxSeqLength,
    precision: typeof chosen === 'string' ? chosen : 'bf16x3',
    intraOpThreads: request.intraOpThreads,
    allowSpinning: request.allowSpinning,
    ...(typeof chosen === 'string' ? {} : { onnx: chosen }),
  });
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
    tokenize: native.tokenize.bind(native),
    encodeTokens: refuse('encodeTokens()'),
    decode: native.decode.bind(native),
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
