// cpu-level-independent: the levels stage does not run this file again.
// CLIP models from the Hub (issue 23): the download fetches what the engine choice can take —
// the Hub's layout (0_CLIPModel/, weights only) its model.safetensors, else its pytorch_model.bin
// with vocab.json + merges.txt (clip-ViT-B-32 as it ships); a transformers.js-style
// repository (no weights) its two towers, or their *_quantized.onnx with quantized: true, and
// neither Optimum's model.onnx nor the other variants — and the loaded model encodes as the
// local folder does.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceKitError, SentenceTransformer, type SentenceTransformerOptions } from '../../lib/index.js';
import { rejectsError } from '../helpers/errors.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { withFakeHubCache } from '../helpers/hub-env.js';
import { SHA } from '../helpers/hub-server.js';

const TEXTS = ['a photo of a cat', 'A man is playing guitar.'];
const PHOTO = { path: join(FIXTURES, 'images', 'files', 'rgb-35x50.png') };

interface Case {
  fixture: string;
  options: SentenceTransformerOptions;
  fetched: string[];
  notFetched: string[];
}

const CASES: Case[] = [
  { fixture: 'tiny-clip-hub', options: {}, fetched: ['modules.json', '0_CLIPModel/model.safetensors', '0_CLIPModel/tokenizer.json', '0_CLIPModel/preprocessor_config.json'], notFetched: [] },
  // The Hub's clip-ViT-B-32 exactly: pytorch_model.bin and vocab.json + merges.txt, no tokenizer.json.
  { fixture: 'tiny-clip-hub-bin', options: {}, fetched: ['modules.json', '0_CLIPModel/pytorch_model.bin', '0_CLIPModel/vocab.json', '0_CLIPModel/merges.txt', '0_CLIPModel/tokenizer_config.json'], notFetched: [] },
  { fixture: 'tiny-clip-hub-bin', options: { backend: 'sentencekit-int8' }, fetched: ['0_CLIPModel/pytorch_model.bin'], notFetched: [] },
  { fixture: 'tiny-clip-onnx', options: {}, fetched: ['onnx/text_model.onnx', 'onnx/vision_model.onnx', 'processor_config.json'], notFetched: ['onnx/model.onnx', 'onnx/text_model_quantized.onnx'] },
  { fixture: 'tiny-clip-onnx', options: { quantized: true }, fetched: ['onnx/text_model_quantized.onnx', 'onnx/vision_model_quantized.onnx'], notFetched: ['onnx/text_model.onnx', 'onnx/model.onnx'] },
];

for (const { fixture, options, fetched, notFetched } of CASES) {
  test(`${fixture} ${JSON.stringify(options)}: downloaded from the Hub, it fetches only what runs and encodes as the local folder does`, async () => {
    await withFakeHubCache({ [`org/${fixture}`]: join(FIXTURES, fixture) }, async (endpoint, cacheDir) => {
      const model = await SentenceTransformer.fromPretrained(`org/${fixture}`, { endpoint, cacheDir, ...options });
      const local = await SentenceTransformer.fromPretrained(join(FIXTURES, fixture), options);
      try {
        const [a, b] = [await model.encode([...TEXTS, PHOTO]), await local.encode([...TEXTS, PHOTO])];
        assert.equal(Array.from(a.data), Array.from(b.data));
      } finally {
        await Promise.all([model.dispose(), local.dispose()]);
      }
      const snapshot = join(cacheDir, `models--org--${fixture}`, 'snapshots', SHA);
      for (const file of fetched) assert.ok(existsSync(join(snapshot, file)), `${file} downloaded`);
      for (const file of notFetched) assert.not.ok(existsSync(join(snapshot, file)), `${file} not downloaded`);
      if (fixture === 'tiny-clip-onnx' && options.quantized !== true) {
        await rejectsError(() => SentenceTransformer.fromPretrained(`org/${fixture}`, { endpoint, cacheDir, backend: 'sentencekit-bf16x3' }),
          SentenceKitError, /org\/tiny-clip-onnx has no CLIP weights \(model\.safetensors or pytorch_model\.bin\)/);
      }
    });
  });
}

test('the multilingual student saved as pytorch_model.bin only downloads it for the own engine and encodes as the local folder does', async () => {
  const fixture = 'tiny-clip-multilingual-bin';
  await withFakeHubCache({ [`org/${fixture}`]: join(FIXTURES, fixture) }, async (endpoint, cacheDir) => {
    const options: SentenceTransformerOptions = { backend: 'sentencekit-bf16x3' };
    const model = await SentenceTransformer.fromPretrained(`org/${fixture}`, { endpoint, cacheDir, ...options });
    const local = await SentenceTransformer.fromPretrained(join(FIXTURES, fixture), options);
    try {
      assert.equal(Array.from((await model.encode(TEXTS)).data), Array.from((await local.encode(TEXTS)).data));
    } finally {
      await Promise.all([model.dispose(), local.dispose()]);
    }
    const snapshot = join(cacheDir, `models--org--${fixture}`, 'snapshots', SHA);
    for (const file of ['pytorch_model.bin', '2_Dense/pytorch_model.bin', 'tokenizer.json']) assert.ok(existsSync(join(snapshot, file)), `${file} downloaded`);
  });
});

test.run();
