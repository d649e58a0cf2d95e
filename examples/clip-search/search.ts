/**
 * Cross-modal search with a CLIP model: a folder of images is indexed (each file embedded
 * through the vision tower), texts find the images closest to them, and an image finds the
 * texts closest to it — both with semanticSearch, since texts and images share one space.
 */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';

import { Embeddings, semanticSearch, type SentenceTransformer } from '../../lib/index.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif']);

export interface CrossModalResults {
  files: string[];
  /** Per text, the image files best first, with their scores. */
  imagesByText: Array<Array<{ file: string; score: number }>>;
  /** Per image file, the texts best first, with their scores. */
  textsByImage: Array<Array<{ text: string; score: number }>>;
}

/** Every image file of `folder` (by extension), sorted by name. */
export async function imageFiles(folder: string): Promise<string[]> {
  const names = await readdir(folder);
  return names.filter((name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase())).sort().map((name) => join(folder, name));
}

export async function crossModalSearch(model: SentenceTransformer, folder: string, texts: string[], topK = 3): Promise<CrossModalResults> {
  const files = await imageFiles(folder);
  // Images and texts in one call: rows come back in the array's order.
  const embeddings = await model.encode([...files.map((path) => ({ path })), ...texts], { normalizeEmbeddings: true });
  const width = embeddings.dimension;
  const images = new Embeddings(embeddings.data.subarray(0, files.length * width), files.length, width);
  const queries = new Embeddings(embeddings.data.subarray(files.length * width), texts.length, width);
  const imageHits = await semanticSearch(queries, images, { topK });
  const textHits = await semanticSearch(images, queries, { topK });
  return {
    files,
    imagesByText: imageHits.map((hits) => hits.map(({ corpusId, score }) => ({ file: files[corpusId] as string, score }))),
    textsByImage: textHits.map((hits) => hits.map(({ corpusId, score }) => ({ text: texts[corpusId] as string, score }))),
  };
}
