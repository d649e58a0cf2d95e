/**
 * A CLIP folder's image processor settings, read as transformers reads them into
 * CLIPImageProcessor: from processor_config.json's "image_processor" (what sentence-transformers
 * 6 saves) or preprocessor_config.json (the Hub's folders, whose size and crop_size are plain
 * integers: get_size_dict makes size a shortest edge and crop_size a square). Missing keys take
 * CLIPImageProcessor's defaults.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { SentenceKitError } from './errors.js';

/** The resize target: the shortest edge (aspect kept) or an exact size. */
export type ImageResizeTarget = { shortestEdge: number } | { height: number; width: number };

export interface ImageProcessorConfig {
  doResize: boolean;
  size: ImageResizeTarget;
  /** PIL's filter number: 0 nearest, 1 Lanczos, 2 bilinear, 3 bicubic, 4 box, 5 Hamming. */
  resample: 0 | 1 | 2 | 3 | 4 | 5;
  doCenterCrop: boolean;
  cropSize: { height: number; width: number };
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  imageMean: [number, number, number];
  imageStd: [number, number, number];
}

const OPENAI_CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
const OPENAI_CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

function invalid(source: string, message: string): SentenceKitError {
  return new SentenceKitError('ERR_MODEL_LOAD', `${source}: ${message}`);
}

function positiveInteger(value: unknown, source: string, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65536) {
    throw invalid(source, `${what} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function flag(value: unknown, fallback: boolean, source: string, what: string): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw invalid(source, `${what} must be true or false`);
  return value;
}

/** get_size_dict: an integer, a [height, width] pair, or a dict of height/width or shortest_edge. */
function sizeDict(value: unknown, squareInteger: boolean, source: string, what: string): Record<string, number> {
  if (typeof value === 'number') {
    const edge = positiveInteger(value, source, what);
    return squareInteger ? { height: edge, width: edge } : { shortest_edge: edge };
  }
  if (Array.isArray(value) && value.length === 2) {
    return { height: positiveInteger(value[0], source, what), width: positiveInteger(value[1], source, what) };
  }
  if (typeof value === 'object' && value !== null) {
    const dict: Record<string, number> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== null && item !== undefined) dict[key] = positiveInteger(item, source, `${what}.${key}`);
    }
    return dict;
  }
  throw invalid(source, `${what} must be an integer, a [height, width] pair or an object`);
}

function resizeTarget(value: unknown, source: string): ImageResizeTarget {
  const dict = sizeDict(value ?? { shortest_edge: 224 }, false, source, 'size');
  const keys = Object.keys(dict).sort().join(',');
  if (keys === 'shortest_edge') return { shortestEdge: dict.shortest_edge! };
  if (keys === 'height,width') return { height: dict.height!, width: dict.width! };
  throw invalid(source, `size ${JSON.stringify(value)} is not supported (shortest_edge, or height and width)`);
}

function triple(value: unknown, fallback: [number, number, number], source: string, what: string): [number, number, number] {
  if (value === undefined || value === null) return fallback;
  const items = typeof value === 'number' ? [value, value, value] : value;
  if (!Array.isArray(items) || items.length !== 3 || !items.every((item) => typeof item === 'number' && Number.isFinite(item))) {
    throw invalid(source, `${what} must be a number or 3 numbers`);
  }
  return items as [number, number, number];
}

/** The settings in one image processor JSON object (the contents of preprocessor_config.json). */
export function parseImageProcessorConfig(json: unknown, source: string): ImageProcessorConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid(source, 'expected a JSON object');
  const raw = json as Record<string, unknown>;
  const resample = raw.resample ?? 3;
  if (resample !== 0 && resample !== 1 && resample !== 2 && resample !== 3 && resample !== 4 && resample !== 5) {
    throw invalid(source, `resample ${JSON.stringify(resample)} is not one of PIL's filters (0 nearest, 1 Lanczos, 2 bilinear, 3 bicubic, 4 box, 5 Hamming)`);
  }
  const crop = sizeDict(raw.crop_size ?? { height: 224, width: 224 }, true, source, 'crop_size');
  if (crop.height === undefined || crop.width === undefined) throw invalid(source, 'crop_size needs a height and a width');
  const rescaleFactor = raw.rescale_factor ?? 1 / 255;
  if (typeof rescaleFactor !== 'number' || !Number.isFinite(rescaleFactor)) throw invalid(source, 'rescale_factor must be a number');
  const imageStd = triple(raw.image_std, OPENAI_CLIP_STD, source, 'image_std');
  if (imageStd.some((value) => value === 0)) throw invalid(source, 'image_std must not be 0');
  const config: ImageProcessorConfig = {
    doResize: flag(raw.do_resize, true, source, 'do_resize'),
    size: resizeTarget(raw.size, source),
    resample,
    doCenterCrop: flag(raw.do_center_crop, true, source, 'do_center_crop'),
    cropSize: { height: crop.height, width: crop.width },
    doRescale: flag(raw.do_rescale, true, source, 'do_rescale'),
    rescaleFactor,
    doNormalize: flag(raw.do_normalize, true, source, 'do_normalize'),
    imageMean: triple(raw.image_mean, OPENAI_CLIP_MEAN, source, 'image_mean'),
    imageStd,
  };
  if (!config.doCenterCrop && (!config.doResize || 'shortestEdge' in config.size)) {
    throw invalid(source, 'images of different sizes cannot be batched: the processor neither center crops nor resizes to a fixed height and width');
  }
  return config;
}

/**
 * The image processor of a CLIP folder (the module folder: the root in sentence-transformers 6's
 * layout, 0_CLIPModel/ in the Hub's): processor_config.json's image_processor, else
 * preprocessor_config.json. ERR_MODEL_LOAD when neither is there or they cannot be used.
 */
export async function loadImageProcessorConfig(dir: string): Promise<ImageProcessorConfig> {
  for (const [name, nested] of [['processor_config.json', true], ['preprocessor_config.json', false]] as const) {
    const path = join(dir, name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new SentenceKitError('ERR_MODEL_LOAD', `cannot read ${path}`, { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new SentenceKitError('ERR_MODEL_LOAD', `${path} is not valid JSON`, { cause: error });
    }
    if (nested) {
      const inner = (json as Record<string, unknown> | null)?.image_processor;
      if (inner === undefined) continue;
      return parseImageProcessorConfig(inner, `${path} (image_processor)`);
    }
    return parseImageProcessorConfig(json, path);
  }
  throw new SentenceKitError('ERR_MODEL_LOAD', `${dir} has no image processor config (processor_config.json or preprocessor_config.json)`);
}
