// cpu-level-independent: the levels stage does not run this file again.
// The cache shared with Python sentence-transformers 6.0.1 itself (through transformers and
// huggingface_hub), not only with huggingface_hub: what it downloads (file by file, with its
// .no_exist entries) serves sentencekit offline, and what sentencekit downloads for its own CPU
// engine (model.safetensors and the module configs) serves sentence-transformers offline.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { resolveModelFolder, SentenceTransformer } from '../../lib/index.js';
import { maxAbsDiff } from '../helpers/fixtures.js';
import { withHubEnv } from '../helpers/hub-env.js';
import { HAS_PYTHON_HUB, PYTHON, python } from '../helpers/hub-python.js';
import { REPO, shared } from '../helpers/hub-scenario.js';
import { testIf } from '../helpers/skip.js';

const HAS_ST = HAS_PYTHON_HUB && existsSync(join(PYTHON, '..', '..', 'lib', 'python3.11', 'site-packages', 'sentence_transformers'));

// One interpreter (importing torch takes most of this test's time): first offline from the
// cache sentencekit wrote, then online into a cache of its own.
const ST_BOTH_WAYS = `
import json, sys
from sentence_transformers import SentenceTransformer
repo, written_by_node, own = sys.argv[1:4]
offline = SentenceTransformer(repo, cache_folder=written_by_node, local_files_only=True)
online = SentenceTransformer(repo, cache_folder=own)
print(json.dumps({"offline": offline.encode(["one cache"])[0].tolist(), "online": online.encode(["one cache"])[0].tolist()}))
`;

testIf(HAS_ST, 'test/tools/.venv has no sentence-transformers (npm run setup:python)')('sentence-transformers and sentencekit load each other\'s downloads offline', () => shared(async ({ hub, dir, env }) => {
  const nodeCache = join(dir, 'written-by-sentencekit');
  const stCache = join(dir, 'written-by-sentence-transformers');
  await withHubEnv({ ...env, HF_HUB_CACHE: nodeCache }, () => resolveModelFolder(REPO, { onnxFile: 'model.safetensors' }));
  // local_files_only: a file missing from sentencekit's download would fail the load.
  const st = JSON.parse(await python(ST_BOTH_WAYS, env, [REPO, nodeCache, stCache])) as { offline: number[]; online: number[] };
  assert.equal(st.offline, st.online, "sentence-transformers reads sentencekit's download as its own");
  assert.ok(existsSync(join(stCache, 'models--org--tiny-bert', '.no_exist')), 'a cache as sentence-transformers leaves it');

  const before = hub.requests.length;
  await withHubEnv({ ...env, HF_HUB_CACHE: stCache, HF_HUB_OFFLINE: '1' }, async () => {
    const model = await SentenceTransformer.fromPretrained(REPO, { cpuEngine: 'bf16x3' });
    try {
      const ours = (await model.encode('one cache')).data;
      assert.ok(maxAbsDiff(ours, st.online) <= 1e-4, `sentencekit on sentence-transformers' download: max |diff| ${maxAbsDiff(ours, st.online)}`);
    } finally {
      await model.dispose();
    }
  });
  assert.is(hub.requests.length, before, 'offline: not one request');
}));

test.run();
