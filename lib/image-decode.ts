/**
 * Decoding image files to pixels with sharp (libvips), the way PIL opens them for
 * transformers: the first frame, no colour management (PIL ignores ICC profiles), EXIF
 * orientation only when asked (files, as transformers' load_image does), and the pixel layout
 * PIL's convert('RGB') starts from. sharp runs on its own threads, off the event loop.
 * sharp is an optional peer dependency: only decoding needs it, raw pixels do not.
 * Internal: not exported from the package entry point.
 */
import { readFile } from 'node:fs/promises';

import type { Sharp, SharpOptions } from 'sharp';

import { ImageInputError } from './image-errors.js';
import { gifTransparentColour, paintTransparent } from './image-gif.js';
import type { ImageSource } from './image-input.js';

/** Pixels as the native preprocessing reads them (native/image/image_processor.h PixelFormat). */
export type PixelFormat = 'gray8' | 'gray-alpha8' | 'rgb8' | 'rgba8' | 'gray16' | 'cmyk8';

export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  format: PixelFormat;
}

/**
 * The most pixels an image may have: PIL refuses an image over twice Image.MAX_IMAGE_PIXELS
 * (89,478,485) with DecompressionBombError, and so do we, from the header, before decoding.
 */
export const MAX_IMAGE_PIXELS = 2 * 89_478_485;

/** The formats both PIL and sharp open (sharp would rasterise an SVG or PDF, which PIL refuses). */
const FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif', 'avif']);

type SharpFactory = (input?: string | Uint8Array, options?: SharpOptions) => Sharp;
let sharpFactory: SharpFactory | undefined;

function loadSharp(index: number): SharpFactory {
  if (sharpFactory) return sharpFactory;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require('sharp') as SharpFactory | { default: SharpFactory };
    sharpFactory = typeof loaded === 'function' ? loaded : loaded.default;
    return sharpFactory;
  } catch (error) {
    throw new ImageInputError('ERR_IMAGE_DECODER_MISSING', index,
      'decoding images needs sharp, an optional peer dependency: npm install sharp (raw pixels need nothing)', { cause: error });
  }
}

function decodeError(index: number, error: unknown): ImageInputError {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) {
    return new ImageInputError('ERR_IMAGE_TOO_LARGE', index, `more than ${MAX_IMAGE_PIXELS} pixels`, { cause: error });
  }
  return new ImageInputError('ERR_IMAGE_DECODE', index, `cannot decode the image: ${message}`, { cause: error });
}

const FORMAT_BY_CHANNELS: Record<number, PixelFormat> = { 1: 'gray8', 2: 'gray-alpha8', 3: 'rgb8', 4: 'rgba8' };

/** Decodes one file or encoded buffer; rejects with an {@link ImageInputError} naming `index`. */
export async function decodeImage(source: Exclude<ImageSource, { kind: 'raw' }>, index: number): Promise<DecodedImage> {
  const sharp = loadSharp(index);
  let input: Uint8Array;
  if (source.kind === 'file') {
    // Read once: the header pass and the decode below then parse memory, not the disk twice.
    try {
      input = await readFile(source.path);
    } catch (error) {
      throw new ImageInputError('ERR_IMAGE_DECODE', index, `cannot read the file ${source.path}: ${(error as Error).message}`, { cause: error });
    }
  } else {
    input = source.data;
  }
  if (input.length === 0) throw new ImageInputError('ERR_IMAGE_DECODE', index, 'the image is empty (0 bytes)');
  // failOn 'error': a truncated or corrupt image fails, as in PIL; libjpeg's warnings about
  // extraneous bytes, which PIL ignores, do not.
  const options: SharpOptions = {
    failOn: 'error', limitInputPixels: MAX_IMAGE_PIXELS, ignoreIcc: true, pages: 1, page: 0,
    autoOrient: source.applyExifOrientation,
  };
  try {
    // The header alone (no pixel limit here, so a bomb is reported with its size, below).
    const header = await sharp(input, { ...options, autoOrient: false, limitInputPixels: false }).metadata();
    const width = header.width ?? 0, height = header.height ?? 0;
    if (width * height > MAX_IMAGE_PIXELS) {
      throw new ImageInputError('ERR_IMAGE_TOO_LARGE', index, `${width} x ${height} is more than ${MAX_IMAGE_PIXELS} pixels`);
    }
    if (!header.format || !FORMATS.has(header.format)) {
      throw new ImageInputError('ERR_IMAGE_DECODE', index, `unsupported image format ${header.format ?? 'unknown'} (JPEG, PNG, WebP, GIF, TIFF, AVIF are read)`);
    }
    if (header.space === 'grey16' && !header.hasAlpha) {
      // PIL opens a 16-bit grey PNG as I;16, and convert('RGB') clips each value to 255
      // rather than scaling: keep the 16-bit values for native to clip the same way.
      const { data, info } = await sharp(input, options).toColourspace('grey16').raw({ depth: 'ushort' })
        .toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height, format: 'gray16' };
    }
    if (header.space === 'cmyk') {
      // PIL converts CMYK with plain arithmetic (cmyk2rgb), not a colour profile: take the
      // CMYK values themselves (sharp's CMYK pipeline leaves them untouched) to native.
      const { data, info } = await sharp(input, options).pipelineColourspace('cmyk').toColourspace('cmyk').raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 4) throw new ImageInputError('ERR_IMAGE_DECODE', index, `CMYK decoded to ${info.channels} channels`);
      return { data, width: info.width, height: info.height, format: 'cmyk8' };
    }
    const { data, info } = await sharp(input, options).raw().toBuffer({ resolveWithObject: true });
    const format = FORMAT_BY_CHANNELS[info.channels];
    if (!format) throw new ImageInputError('ERR_IMAGE_DECODE', index, `decoded to ${info.channels} channels`);
    if (header.format === 'gif' && format === 'rgba8') {
      const colour = gifTransparentColour(input);
      if (colour) paintTransparent(data, colour);
    }
    return { data, width: info.width, height: info.height, format };
  } catch (error) {
    throw error instanceof ImageInputError ? error : decodeError(index, error);
  }
}
