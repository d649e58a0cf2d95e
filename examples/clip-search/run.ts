/**
 * Indexes a folder of images with a CLIP model and searches it by text, and texts by image:
 *
 *   node --import tsx examples/clip-search/run.ts --model sentence-transformers/clip-ViT-B-32 --images ./photos "a dog in the snow" "a red car"
 *
 * Defaults: the tiny random-weight CLIP test fixture and the test images (the scores then mean
 * nothing; the code path is the real one).
 */
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';

import { SentenceTransformer } from '../../lib/index.js';
import { crossModalSearch } from './search.js';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures');

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string', default: join(FIXTURES, 'tiny-clip-hub') },
      images: { type: 'string', default: join(FIXTURES, 'images', 'files') },
      top: { type: 'string', default: '3' },
    },
  });
  const texts = positionals.length > 0 ? positionals : ['a photo of a dog', 'a grey square', 'a colourful picture'];
  const model = await SentenceTransformer.fromPretrained(values.model);
  try {
    const results = await crossModalSearch(model, values.images, texts, Number(values.top));
    console.log(`indexed ${results.files.length} images from ${values.images}`);
    results.imagesByText.forEach((hits, t) => {
      console.log(`"${texts[t]}": ${hits.map((hit) => `${basename(hit.file)} (${hit.score.toFixed(3)})`).join(', ')}`);
    });
    results.textsByImage.slice(0, 3).forEach((hits, i) => {
      console.log(`${basename(results.files[i] as string)}: ${hits.map((hit) => `"${hit.text}" (${hit.score.toFixed(3)})`).join(', ')}`);
    });
  } finally {
    await model.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
