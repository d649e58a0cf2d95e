/**
 * What encode() accepts as an image, and telling it apart from a text. Python's
 * sentence-transformers takes a string as an image when it ends in an image extension and names
 * an existing file; here a string is always a text and a file is marked `{ path }`.
 */
import { fileURLToPath } from 'node:url';

import { imageArgumentError } from './image-errors.js';

/**
 * An image for a CLIP model:
 * - `{ path }`: a JPEG, PNG, WebP, GIF, TIFF or AVIF file. Its EXIF orientation is applied, as
 *   Python does for a file name (transformers' load_image: ImageOps.exif_transpose).
 * - a `Uint8Array` (a `Buffer` is one) of such a file's bytes: decoded as Python's
 *   `Image.open(BytesIO(bytes))` passed to encode(), which is not EXIF-rotated.
 * - `{ data, applyExifOrientation }`: the same bytes, choosing whether to apply EXIF orientation.
 * - `{ pixels, width, height, channels }`: raw 8-bit pixels, interleaved, rows packed, 1 (grey),
 *   2 (grey + alpha), 3 (RGB) or 4 (RGBA) channels; `channels` is inferred from the length when
 *   left out.
 * Alpha is dropped without compositing and grey is replicated, as PIL's convert('RGB') does.
 */
export type ImageInput =
  | {
      /** The image file: a path, or a `file:` URL. */
      path: string | URL;
    }
  | Uint8Array
  | {
      /** The bytes of a JPEG, PNG, WebP, GIF, TIFF or AVIF file. */
      data: Uint8Array;
      /** Rotate by the file's EXIF orientation, as Python does for a file name (default false, as for a PIL image). */
      applyExifOrientation?: boolean;
    }
  | {
      /** 8-bit pixels, channels interleaved, rows packed. */
      pixels: Uint8Array | Uint8ClampedArray;
      /** Width in pixels. */
      width: number;
      /** Height in pixels. */
      height: number;
      /** 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA); inferred from the length when left out. */
      channels?: 1 | 2 | 3 | 4;
    };

/** An image input checked and reduced to what the decoder needs. */
export type ImageSource =
  | { kind: 'file'; path: string; applyExifOrientation: true }
  | { kind: 'encoded'; data: Uint8Array; applyExifOrientation: boolean }
  | { kind: 'raw'; pixels: Uint8Array; width: number; height: number; channels: 1 | 2 | 3 | 4 };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Whether `value` is meant as an image (strings never are); a malformed one is still reported by {@link imageSource}. */
export function isImageInput(value: unknown): value is ImageInput {
  if (value instanceof Uint8Array) return true;
  if (!isObject(value) || Array.isArray(value)) return false;
  return 'path' in value || 'data' in value || 'pixels' in value;
}

function dimension(value: unknown, name: string, index: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw imageArgumentError(TypeError, index, `${name} must be an integer, got ${String(value)}`);
  }
  if (value < 1 || value > 0x7fffffff) throw imageArgumentError(RangeError, index, `${name} must be in [1, 2^31), got ${value}`);
  return value;
}

function rawSource(input: Record<string, unknown>, index: number): ImageSource {
  const { pixels } = input;
  if (!(pixels instanceof Uint8Array || pixels instanceof Uint8ClampedArray)) {
    throw imageArgumentError(TypeError, index, 'pixels must be a Uint8Array or Uint8ClampedArray');
  }
  const width = dimension(input.width, 'width', index);
  const height = dimension(input.height, 'height', index);
  const area = width * height;
  let channels = input.channels;
  if (channels === undefined) {
    channels = pixels.length % area === 0 ? pixels.length / area : undefined;
    if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
      throw imageArgumentError(RangeError, index, `${pixels.length} bytes are not ${width} x ${height} pixels of 1, 2, 3 or 4 channels`);
    }
  } else if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw imageArgumentError(RangeError, index, `channels must be 1, 2, 3 or 4, got ${String(channels)}`);
  }
  if (pixels.length !== area * (channels as number)) {
    throw imageArgumentError(RangeError, index,
      `${pixels.length} bytes do not match ${width} x ${height} x ${String(channels)} = ${area * (channels as number)}`);
  }
  // A copy: the native job reads it off the main thread, and the caller may reuse or transfer theirs.
  const copy = new Uint8Array(pixels.length);
  copy.set(pixels);
  return { kind: 'raw', pixels: copy, width, height, channels: channels as 1 | 2 | 3 | 4 };
}

/** Checks one image input; TypeError / RangeError (with `index`) when it is malformed. */
export function imageSource(input: unknown, index: number): ImageSource {
  if (input instanceof Uint8Array) return { kind: 'encoded', data: input, applyExifOrientation: false };
  if (!isObject(input)) throw imageArgumentError(TypeError, index, `expected an image input, got ${input === null ? 'null' : typeof input}`);
  if ('pixels' in input) return rawSource(input, index);
  if ('data' in input) {
    if (!(input.data instanceof Uint8Array)) throw imageArgumentError(TypeError, index, 'data must be a Uint8Array or Buffer');
    const apply = input.applyExifOrientation ?? false;
    if (typeof apply !== 'boolean') throw imageArgumentError(TypeError, index, 'applyExifOrientation must be a boolean');
    return { kind: 'encoded', data: input.data, applyExifOrientation: apply };
  }
  if ('path' in input) {
    const { path } = input;
    if (path instanceof URL) {
      if (path.protocol !== 'file:') throw imageArgumentError(TypeError, index, `only file: URLs are read, got ${path.protocol}`);
      return { kind: 'file', path: fileURLToPath(path), applyExifOrientation: true };
    }
    if (typeof path !== 'string' || path.length === 0) throw imageArgumentError(TypeError, index, 'path must be a non-empty string or a file: URL');
    return { kind: 'file', path, applyExifOrientation: true };
  }
  throw imageArgumentError(TypeError, index, 'expected { path }, { data }, { pixels, width, height } or a Uint8Array');
}
