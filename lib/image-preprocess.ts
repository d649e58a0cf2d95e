/**
 * CLIP's image preprocessing for a batch: each image decoded (sharp) and preprocessed (native,
 * native/image: PIL's resize, center crop, rescale, normalise) into one float32 [n, 3, H, W]
 * tensor, exactly as transformers' CLIPImageProcessor (its PIL backend) makes pixel_values.
 * Images move through a few lanes at once, each decoding and then preprocessing one image on
 * the libuv pool, so decoded pixels are released as soon as they are used and at most one
 * decoded image per lane is held. One bad image fails alone: its error is returned in its slot.
 */
import { availableParallelism } from 'node:os';

import { nativeBinding } from './binding.js';
import { decodeImage, type DecodedImage } from './image-decode.js';
import { ImageInputError } from './image-errors.js';
import { imageSource, type ImageInput } from './image-input.js';
import type { ImageProcessorConfig } from './image-processor-config.js';

/** Preprocessed images, channels-first: pixels[((i * 3 + c) * height + y) * width + x]. */
export interface PixelBatch {
  pixels: Float32Array;
  count: number;
  channels: 3;
  height: number;
  width: number;
}

export interface PreprocessResult {
  batch: PixelBatch;
  /** Per image: undefined, or why it failed (its rows are zeros). */
  errors: (Error | undefined)[];
}

export interface PreprocessOptions {
  signal?: AbortSignal;
  /** images[i]'s index in the caller's array, for error messages and `.index` (default i). */
  inputIndexes?: readonly number[];
}

/** The native entry point (native/napi/image_preprocess_binding.cc). */
interface ImagePreprocessBinding {
  preprocessImages(
    images: { data: Uint8Array; width: number; height: number; format: DecodedImage['format'] }[],
    config: Record<string, unknown>,
    outHeight: number,
    outWidth: number,
    out: Float32Array,
  ): Promise<(string | null)[]>;
}

/** The height and width every image of a batch comes out at. */
export function outputSize(config: ImageProcessorConfig): { height: number; width: number } {
  if (config.doCenterCrop) return config.cropSize;
  if ('height' in config.size) return config.size;
  throw new RangeError('the image processor neither center crops nor resizes to a fixed size');
}

function nativeConfig(config: ImageProcessorConfig): Record<string, unknown> {
  const shortestEdge = 'shortestEdge' in config.size ? config.size.shortestEdge : 0;
  return {
    doResize: config.doResize,
    shortestEdge,
    resizeHeight: 'height' in config.size ? config.size.height : 0,
    resizeWidth: 'width' in config.size ? config.size.width : 0,
    resample: config.resample,
    doCenterCrop: config.doCenterCrop,
    cropHeight: config.cropSize.height,
    cropWidth: config.cropSize.width,
    doRescale: config.doRescale,
    rescaleFactor: config.rescaleFactor,
    doNormalize: config.doNormalize,
    imageMean: config.imageMean,
    imageStd: config.imageStd,
  };
}

/** How native/image/image_processor.h's kTooLargePrefix starts a message. */
const TOO_LARGE = 'too large: ';

const RAW_FORMATS = { 1: 'gray8', 2: 'gray-alpha8', 3: 'rgb8', 4: 'rgba8' } as const;

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Decodes and preprocesses `images` into one tensor. Resolves with every image's slot filled or
 * its error; rejects only when `signal` aborts.
 */
export async function preprocessImages(
  images: readonly ImageInput[],
  config: ImageProcessorConfig,
  options: PreprocessOptions = {},
): Promise<PreprocessResult> {
  const { signal, inputIndexes } = options;
  if (inputIndexes !== undefined && inputIndexes.length !== images.length) {
    throw new RangeError(`inputIndexes has ${inputIndexes.length} entries for ${images.length} images`);
  }
  signal?.throwIfAborted();
  const { height, width } = outputSize(config);
  const imageFloats = 3 * height * width;
  const pixels = new Float32Array(images.length * imageFloats);
  const errors: (Error | undefined)[] = new Array(images.length).fill(undefined);
  const binding = nativeBinding() as unknown as ImagePreprocessBinding;
  const settings = nativeConfig(config);

  const processOne = async (i: number): Promise<void> => {
    const index = inputIndexes?.[i] ?? i;
    try {
      const source = imageSource(images[i], index);
      const decoded: DecodedImage = source.kind === 'raw'
        ? { data: source.pixels, width: source.width, height: source.height, format: RAW_FORMATS[source.channels] }
        : await decodeImage(source, index);
      signal?.throwIfAborted();
      const [message] = await binding.preprocessImages([decoded], settings, height, width,
        pixels.subarray(i * imageFloats, (i + 1) * imageFloats));
      if (message?.startsWith(TOO_LARGE)) throw new ImageInputError('ERR_IMAGE_TOO_LARGE', index, message.slice(TOO_LARGE.length));
      if (message) throw new ImageInputError('ERR_IMAGE_DECODE', index, message);
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      errors[i] = error instanceof Error ? error : new Error(String(error));
    }
  };

  let next = 0;
  // A few more lanes than cores: a lane waiting on its file or on sharp leaves the CPU to the others.
  const lanes = Math.min(images.length, Math.max(4, availableParallelism()));
  const lane = async (): Promise<void> => {
    while (next < images.length) {
      if (signal?.aborted) throw abortError(signal);
      await processOne(next++);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return { batch: { pixels, count: images.length, channels: 3, height, width }, errors };
}
