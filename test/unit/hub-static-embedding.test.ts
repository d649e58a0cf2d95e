// cpu-level-independent: the levels stage does not run this file again.
// StaticEmbedding models from the Hub: the download fetches the module's tokenizer.json and
// model.safetensors (its table: no ONNX file exists or is asked for), and the loaded model
// encodes as the local folder does, in model2vec's layout (path ".") and static-retrieval's
// (0_StaticEmbedding/).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceTransformer } from '../../lib/index.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { withFakeHubCache } from '../helpers/hub-env.js';
import { SHA } from '../helpers/hub-server.js';

const TEXTS = ['The cat sits outside.', '', 'Zürich, Kraków, São Paulo'];

for (const [name, module] of [['static-xlmr-m2v', ''], ['static-roberta-mrl', '0_StaticEmbedding']] as const) {
  test(`${name}: downloaded from the Hub, it encodes as the local folder does`, async () => {
    await withFakeHubCache({ [`org/${name}`]: join(FIXTURES, name) }, async (endpoint, cacheDir) => {
      const model = await SentenceTransformer.fromPretrained(`org/${name}`, { endpoint, cacheDir });
      const local = await SentenceTransformer.fromPretrained(join(FIXTURES, name));
      try {
        const [a, b] = [await model.encode(TEXTS), await local.encode(TEXTS)];
        assert.equal(Array.from(a.data), Array.from(b.data));
        assert.ok(a.data.some((value) => value !== 0));
      } finally {
        await Promise.all([model.dispose(), local.dispose()]);
      }
      const snapshot = join(cacheDir, `models--org--${name}`, 'snapshots', SHA);
      for (const file of ['modules.json', join(module, 'tokenizer.json'), join(module, 'model.safetensors')]) {
        assert.ok(existsSync(join(snapshot, file)), `${file} downloaded`);
      }
    });
  });
}

test.run();
