/**
 * encode()'s inputs when they may hold images as well as texts (a CLIP model's): split into the
 * texts and the images, each remembering its place, and the two sets of rows put back in the
 * caller's order, as Python's encode() returns a mixed list.
 * Internal.
 */
import type { IndexedImage } from './clip-model.js';
import { isImageInput, type ImageInput } from './image-input.js';
import { validateTexts } from './validate.js';

export interface SplitInputs {
  texts: string[];
  /** Where each text sits in the caller's array. */
  textIndexes: number[];
  images: IndexedImage[];
  count: number;
}

/** One string, one image, or an array of both; anything else is validateTexts' TypeError. */
export function splitInputs(inputs: unknown): SplitInputs {
  if (isImageInput(inputs)) return { texts: [], textIndexes: [], images: [{ image: inputs, index: 0 }], count: 1 };
  if (!Array.isArray(inputs) || !inputs.some(isImageInput)) {
    const { texts } = validateTexts(inputs);
    return { texts, textIndexes: texts.map((_, i) => i), images: [], count: texts.length };
  }
  const texts: string[] = [];
  const textIndexes: number[] = [];
  const images: IndexedImage[] = [];
  inputs.forEach((input: unknown, index) => {
    if (isImageInput(input)) {
      images.push({ image: input as ImageInput, index });
    } else {
      texts.push(input as string);
      textIndexes.push(index);
    }
  });
  // The texts' own checks, naming each by its place in the caller's array.
  texts.forEach((text, i) => validateTexts(text, `texts[${textIndexes[i]}]`));
  return { texts, textIndexes, images, count: inputs.length };
}

/** The text rows and image rows, each [n × width], into one [count × width] array in the caller's order. */
export function mergeRows(split: SplitInputs, textRows: Float32Array, imageRows: Float32Array, width: number): Float32Array {
  if (split.images.length === 0) return textRows;
  if (split.texts.length === 0) return imageRows;
  const out = new Float32Array(split.count * width);
  split.textIndexes.forEach((index, i) => out.set(textRows.subarray(i * width, (i + 1) * width), index * width));
  split.images.forEach(({ index }, i) => out.set(imageRows.subarray(i * width, (i + 1) * width), index * width));
  return out;
}
