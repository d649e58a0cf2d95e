// cpu-level-independent: the levels stage does not run this file again.
// Hub downloads against a local server that answers the way the Hugging Face Hub does.
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { wantedFile } from '../../lib/hub.js';
import { RETRY_POLICY } from '../../lib/hub-http.js';
import { resolveModelFolder, SentenceKitError, SentenceTransformer, SparseEncoder } from '../../lib/index.js';
import { rejectsError } from '../helpers/errors.js';
import { copyFixture, FIXTURES, maxAbsDiff, TINY_BERT } from '../helpers/fixtures.js';
import { withHubEnv, withTempDir } from '../helpers/hub-env.js';
import { type FakeHub, GATED_TOKEN, SHA, startFakeHub } from '../helpers/hub-server.js';

interface Scenario {
  hub: FakeHub;
  cacheDir: string;
  /** $HF_HOME: empty unless the test writes a token there. */
  home: string;
  options: { endpoint: string; cacheDir: string };
}

/** A fake Hub serving `repos`, an empty cache and HF_HOME, and no other HF_* variable set. */
async function scenario(repos: Record<string, string>, body: (s: Scenario) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const hub = await startFakeHub(repos);
  try {
    await withTempDir(async (dir) => {
      const cacheDir = join(dir, 'hub');
      const home = join(dir, 'home');
      mkdirSync(home);
      await withHubEnv({ HF_HOME: home, ...env }, () => body({ hub, cacheDir, home, options: { endpoint: hub.endpoint, cacheDir } }));
    });
  } finally {
    await hub.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<SentenceKitError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, SentenceKitError);
    return error as SentenceKitError;
  }
  throw new Error('expected a rejection');
}

const fileRequests = (hub: FakeHub): number => hub.requests.filter((r) => r.path !== '').length;

test('downloads what an ONNX model needs into the huggingface_hub cache layout, then encodes', () => scenario({ 'org/tiny-bert': TINY_BERT }, async ({ hub, cacheDir, options }) => {
  const model = await SentenceTransformer.fromPretrained('org/tiny-bert', options);
  const local = await SentenceTransformer.fromPretrained(TINY_BERT);
  const [a, b] = [await model.encode('hello hub'), await local.encode('hello hub')];
  assert.ok(maxAbsDiff(a.data, b.data) === 0, 'same files, same vectors');
  await Promise.all([model.dispose(), local.dispose()]);

  const repoDir = join(cacheDir, 'models--org--tiny-bert');
  const snapshot = join(repoDir, 'snapshots', SHA);
  assert.is(readFileSync(join(repoDir, 'refs', 'main'), 'utf8'), SHA, 'refs/main holds the commit, no newline');
  assert.is(readlinkSync(join(snapshot, 'onnx', 'model.onnx')).split('/').slice(0, 4).join('/'), '../../../blobs', 'relative link into blobs/');
  for (const needed of ['modules.json', 'tokenizer.json', '1_Pooling/config.json', 'config.json']) {
    assert.ok(lstatSync(join(snapshot, needed)).isSymbolicLink(), needed);
  }
  assert.not.ok(existsSync(join(snapshot, 'model.safetensors')), 'top-level torch weights are not downloaded');
  assert.equal(readdirSync(snapshot).filter((name) => name.startsWith('.')), [], 'nothing of ours inside the snapshot');

  // Blob names as huggingface_hub gives them: the sha256 from the 302's X-Linked-Etag for LFS
  // files (not the CDN's ETag, not the pointer's sha1), the git blob sha1 ETag for the others.
  const downloaded = hub.files('org/tiny-bert').filter((file) => existsSync(join(snapshot, file.path)));
  assert.equal(readdirSync(join(repoDir, 'blobs')).sort(), [...new Set(downloaded.map((file) => (file.lfs ? file.sha256 : file.oid)))].sort());
  const onnx = downloaded.find((file) => file.path === 'onnx/model.onnx');
  assert.is(readlinkSync(join(snapshot, 'onnx', 'model.onnx')), `../../../blobs/${onnx?.sha256}`);
  assert.ok(existsSync(join(cacheDir, '.locks', 'models--org--tiny-bert', `${onnx?.sha256}.lock`)), 'the lock huggingface_hub takes');
  assert.ok(existsSync(join(cacheDir, 'CACHEDIR.TAG')));
  const tree = JSON.parse(readFileSync(join(repoDir, 'trees', `${SHA}.json`), 'utf8')) as { format_version: number; files: Record<string, { lfs_sha256?: string }> };
  assert.is(tree.format_version, 1);
  assert.is(tree.files['onnx/model.onnx']?.lfs_sha256, onnx?.sha256, "the commit's listing, kept where huggingface_hub keeps it");
  assert.ok(hub.requests.every((r) => r.server === 'hub' || r.method === 'GET'), 'the CDN is only asked for content');
}));

test("cpuEngine 'int8' and 'bf16x3' download model.safetensors and no ONNX file, then encode", async () => {
  const fixture = copyFixture();
  rmSync(join(fixture.dir, 'onnx'), { recursive: true }); // as most Hub repositories: no export
  try {
    await scenario({ 'org/no-onnx': fixture.dir }, async ({ cacheDir, options }) => {
      const model = await SentenceTransformer.fromPretrained('org/no-onnx', { ...options, cpuEngine: 'int8' });
      const local = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine: 'int8' });
      assert.ok(maxAbsDiff((await model.encode('hello hub')).data, (await local.encode('hello hub')).data) === 0, 'same weights, same vectors');
      await Promise.all([model.dispose(), local.dispose()]);
      const bf16x3 = await SentenceTransformer.fromPretrained('org/no-onnx', { ...options, cpuEngine: 'bf16x3' });
      const localBf16x3 = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine: 'bf16x3' });
      assert.ok(maxAbsDiff((await bf16x3.encode('hello hub')).data, (await localBf16x3.encode('hello hub')).data) === 0, 'bf16x3 too');
      await Promise.all([bf16x3.dispose(), localBf16x3.dispose()]);
      const snapshot = join(cacheDir, 'models--org--no-onnx', 'snapshots', SHA);
      assert.ok(existsSync(join(snapshot, 'model.safetensors')) && existsSync(join(snapshot, 'config.json')));
      const error = await rejection(SentenceTransformer.fromPretrained('org/no-onnx', options));
      assert.is(error.code, 'ERR_MODEL_NOT_FOUND');
      assert.match(error.message, /cpuEngine: 'int8'/);
      // Offline, the cached listing still knows the repository has no ONNX export.
      const offline = await rejection(SentenceTransformer.fromPretrained('org/no-onnx', { ...options, localFilesOnly: true }));
      assert.match(offline.message, /has no onnx\/model\.onnx/);
    });
  } finally {
    fixture.cleanup();
  }
});

test('a cached snapshot costs one request (the revision), a commit sha none; offline reads the cache only', () => scenario({ 'org/tiny-bert': TINY_BERT }, async ({ hub, options }) => {
  const first = await resolveModelFolder('org/tiny-bert', options);
  let seen = hub.requests.length;
  assert.is(await resolveModelFolder('org/tiny-bert', options), first);
  assert.equal(hub.requests.slice(seen).map((r) => r.url), ['/api/models/org/tiny-bert/revision/main'], 'only the branch is resolved: no file is asked for');
  seen = hub.requests.length;
  assert.is(await resolveModelFolder('org/tiny-bert', { ...options, revision: SHA }), first);
  assert.is(await resolveModelFolder('org/tiny-bert', { ...options, localFilesOnly: true }), first);
  assert.is(hub.requests.length, seen, 'a commit sha, or offline: no request at all');
  const missing = await rejection(resolveModelFolder('org/other', { ...options, localFilesOnly: true }));
  assert.is(missing.code, 'ERR_MODEL_NOT_FOUND');
  assert.match(missing.message, /not in the cache .*localFilesOnly/);
}));

test('HF_HUB_OFFLINE is on for 1/ON/YES/TRUE in any case (and TRANSFORMERS_OFFLINE when it is unset), off otherwise', () => scenario({ 'org/tiny-bert': TINY_BERT }, async ({ hub, options }) => {
  const dir = await resolveModelFolder('org/tiny-bert', options);
  for (const value of ['1', 'true', 'TRUE', 'True', 'on', 'YES']) {
    const seen = hub.requests.length;
    await withHubEnv({ HF_HUB_OFFLINE: value }, async () => {
      assert.is(await resolveModelFolder('org/tiny-bert', options), dir, value);
      const error = await rejection(resolveModelFolder('org/absent', options));
      assert.is(error.code, 'ERR_MODEL_NOT_FOUND');
      assert.match(error.message, `HF_HUB_OFFLINE=${value}`);
    });
    assert.is(hub.requests.length, seen, `HF_HUB_OFFLINE=${value} sends nothing`);
  }
  await withHubEnv({ TRANSFORMERS_OFFLINE: '1' }, async () => {
    assert.match((await rejection(resolveModelFolder('org/absent', options))).message, 'TRANSFORMERS_OFFLINE=1');
  });
  for (const value of ['0', 'false', 'no', '']) {
    const seen = hub.requests.length;
    await withHubEnv({ HF_HUB_OFFLINE: value }, () => resolveModelFolder('org/tiny-bert', options));
    assert.is(hub.requests.length, seen + 1, `HF_HUB_OFFLINE=${JSON.stringify(value)} is online`);
  }
}));

test('with the Hub unreachable the cache answers; with nothing cached the error says both', () => scenario({ 'org/tiny-bert': TINY_BERT }, async ({ hub, cacheDir, options }) => {
  const dir = await resolveModelFolder('org/tiny-bert', options);
  await hub.close();
  assert.is(await resolveModelFolder('org/tiny-bert', options), dir, 'no HF_HUB_OFFLINE needed');
  const saved = { ...RETRY_POLICY };
  Object.assign(RETRY_POLICY, { baseMs: 1, maxMs: 2 });
  try {
    const error = await rejection(resolveModelFolder('org/absent', options));
    assert.is(error.code, 'ERR_HUB');
    assert.match(error.message, 'could not be reached');
    assert.match(error.message, `not in the cache at ${cacheDir}`);
  } finally {
    Object.assign(RETRY_POLICY, saved);
  }
}));

test("a snapshot Python's huggingface_hub wrote file by file (no listing, no marker) is used offline", () => scenario({ 'org/tiny-bert': TINY_BERT }, async ({ cacheDir, options }) => {
  const dir = await resolveModelFolder('org/tiny-bert', options);
  // hf_hub_download per file (sentence-transformers' way) writes no trees/<commit>.json.
  rmSync(join(cacheDir, 'models--org--tiny-bert', 'trees'), { recursive: true });
  assert.is(await resolveModelFolder('org/tiny-bert', { ...options, localFilesOnly: true }), dir);
  rmSync(join(dir, 'onnx', 'model.onnx'));
  const error = await rejection(resolveModelFolder('org/tiny-bert', { ...options, localFilesOnly: true }));
  assert.match(error.message, /no onnx\/model\.onnx/, 'the weights file the load runs must be there');
}));

test('the marker earlier sentencekit builds left inside a snapshot is removed', () => scenario({ 'org/tiny-bert': TINY_BERT }, async ({ options }) => {
  const dir = await resolveModelFolder('org/tiny-bert', options);
  writeFileSync(join(dir, '.sentencekit-complete'), '{"onnx/model.onnx":["onnx/model.onnx"]}');
  assert.is(await resolveModelFolder('org/tiny-bert', { ...options, localFilesOnly: true }), dir);
  assert.not.ok(existsSync(join(dir, '.sentencekit-complete')));
}));

test('a moved branch gets a new snapshot whose files link to the blobs already there', () => scenario({ 'org/tiny-bert': TINY_BERT }, async ({ hub, cacheDir, options }) => {
  await resolveModelFolder('org/tiny-bert', options);
  const next = 'b'.repeat(40);
  hub.setCommit('org/tiny-bert', next);
  const seen = hub.requests.length;
  const dir = await resolveModelFolder('org/tiny-bert', options);
  assert.is(dir, join(cacheDir, 'models--org--tiny-bert', 'snapshots', next));
  assert.is(readFileSync(join(cacheDir, 'models--org--tiny-bert', 'refs', 'main'), 'utf8'), next);
  assert.ok(hub.requests.slice(seen).every((r) => r.method !== 'GET' || r.path === ''), 'metadata only: every blob was in the cache');
}));

test('errors carry the Hub\'s X-Error-Code and X-Error-Message: unknown repo, unknown revision, missing variant, gated repo, invalid token', () => scenario({ 'org/tiny-bert': TINY_BERT, 'gated/tiny-bert': TINY_BERT }, async ({ options }) => {
  const repo = await rejection(resolveModelFolder('org/nope', options));
  assert.is(repo.code, 'ERR_MODEL_NOT_FOUND');
  assert.match(repo.message, 'RepoNotFound: Repository not found');
  const revision = await rejection(resolveModelFolder('org/tiny-bert', { ...options, revision: 'v9' }));
  assert.is(revision.code, 'ERR_MODEL_NOT_FOUND');
  assert.match(revision.message, 'RevisionNotFound: Invalid rev id: v9');
  const variant = await rejection(resolveModelFolder('org/tiny-bert', { ...options, onnxFile: 'onnx/model_qint8_avx512_vnni.onnx' }));
  assert.is(variant.code, 'ERR_MODEL_NOT_FOUND');
  assert.match(variant.message, 'onnx/model.onnx', 'lists the ONNX files the repo has');
  const gated = await rejection(resolveModelFolder('gated/tiny-bert', options));
  assert.is(gated.code, 'ERR_HUB');
  assert.match(gated.message, 'GatedRepo: Access to model gated/tiny-bert is restricted');
  assert.match(gated.message, 'HF_TOKEN');
  const invalid = await rejection(resolveModelFolder('org/tiny-bert', { ...options, token: 'hf_not_a_token' }));
  assert.is(invalid.code, 'ERR_HUB');
  assert.match(invalid.message, 'Invalid credentials in Authorization header');
  assert.match(invalid.message, 'rejected the token from the token option');
  assert.not.match(invalid.message, /gated|license/i, 'an invalid token is not reported as a gated model');
}));

test('the token: the option, $HF_TOKEN, the file `hf auth login` saves, or $HF_TOKEN_PATH; never with HF_HUB_DISABLE_IMPLICIT_TOKEN or token: false', () => scenario({ 'gated/tiny-bert': TINY_BERT }, async ({ hub, home, cacheDir, options }) => {
  const sent = (): Set<string | undefined> => new Set(hub.requests.filter((r) => r.server === 'hub').map((r) => r.authorization));
  writeFileSync(join(home, 'token'), `${GATED_TOKEN}\n`);
  const dir = await resolveModelFolder('gated/tiny-bert', options);
  assert.ok(existsSync(join(dir, 'onnx', 'model.onnx')));
  assert.equal([...sent()], [`Bearer ${GATED_TOKEN}`], 'the saved token, trimmed');
  assert.ok(hub.requests.filter((r) => r.server === 'cdn').every((r) => r.authorization === undefined), 'never to the CDN');

  const other = { endpoint: hub.endpoint, cacheDir: join(cacheDir, 'again') };
  await withHubEnv({ HF_HOME: home, HF_HUB_DISABLE_IMPLICIT_TOKEN: '1' }, async () => {
    assert.match((await rejection(resolveModelFolder('gated/tiny-bert', other))).message, 'GatedRepo');
    await resolveModelFolder('gated/tiny-bert', { ...other, token: GATED_TOKEN });
  });
  await withHubEnv({ HF_HOME: home }, async () => {
    const error = await rejection(resolveModelFolder('gated/tiny-bert', { ...other, revision: SHA, token: false, onnxFile: 'model.safetensors' }));
    assert.match(error.message, 'GatedRepo', 'token: false sends none');
  });
  const elsewhere = join(home, 'elsewhere');
  writeFileSync(elsewhere, 'hf_wrong_one');
  await withHubEnv({ HF_HOME: home, HF_TOKEN_PATH: elsewhere }, async () => {
    const error = await rejection(resolveModelFolder('gated/tiny-bert', { ...other, onnxFile: 'model.safetensors' }));
    assert.match(error.message, `the token saved at ${elsewhere}`, 'HF_TOKEN_PATH wins over $HF_HOME/token, and the message says which token failed');
  });
  await withHubEnv({ HF_HOME: home, HF_TOKEN: 'hf_from_env' }, async () => {
    assert.match((await rejection(resolveModelFolder('gated/tiny-bert', { ...other, onnxFile: 'model.safetensors' }))).message, 'rejected the token from $HF_TOKEN');
  });
}));

test('the token goes to Hub hosts only, never to the redirected CDN; transient 5xx is retried', () => scenario({ 'gated/tiny-bert': TINY_BERT }, async ({ hub, options }) => {
  const saved = { ...RETRY_POLICY };
  Object.assign(RETRY_POLICY, { baseMs: 1, maxMs: 2 });
  try {
    hub.failOnce('/api/models/');
    const dir = await resolveModelFolder('gated/tiny-bert', { ...options, token: GATED_TOKEN });
    assert.ok(existsSync(join(dir, 'onnx', 'model.onnx')));
  } finally {
    Object.assign(RETRY_POLICY, saved);
  }
  assert.ok(hub.requests.filter((r) => r.server === 'hub').every((r) => r.authorization === `Bearer ${GATED_TOKEN}`), 'the Hub gets the token');
  const cdn = hub.requests.filter((r) => r.server === 'cdn');
  assert.ok(cdn.length > 0 && cdn.every((r) => r.authorization === undefined), 'the CDN never does');
  assert.is(hub.requests.filter((r) => r.url.includes('/revision/')).length, 2, 'the 503 was retried');
}));

test('concurrent calls share one download', () => scenario({ 'org/tiny-bert': TINY_BERT }, async ({ hub, options }) => {
  const dirs = await Promise.all([1, 2, 3].map(() => resolveModelFolder('org/tiny-bert', options)));
  assert.ok(dirs.every((d) => d === dirs[0]));
  assert.is(hub.requests.filter((r) => r.url.includes('/revision/')).length, 1);
  assert.is(hub.requests.filter((r) => r.method === 'GET' && r.path === 'onnx/model.onnx').length, 1, 'the CDN sent the ONNX file once');
  assert.ok(fileRequests(hub) > 0);
}));

test('bad options are TypeErrors naming the option', async () => {
  await rejectsError(() => resolveModelFolder('org/x', { token: 42 as unknown as string }), TypeError, /options\.token/);
  await rejectsError(() => resolveModelFolder('org/x', { localFilesOnly: 'yes' as unknown as boolean }), TypeError, /options\.localFilesOnly/);
  await rejectsError(() => resolveModelFolder('org/x', { endpoint: 'huggingface.co' }), TypeError, /options\.endpoint/);
  await rejectsError(() => resolveModelFolder('org/x', { revision: '../../etc' }), TypeError, /options\.revision/);
  await rejectsError(() => resolveModelFolder('org/x', { signal: {} as AbortSignal }), TypeError, /options\.signal/);
});

test('which files a download takes, by where the transformer modules live', () => {
  const onnx = 'onnx/model.onnx';
  // A transformer at the root: its chosen ONNX file, not its torch weights or other exports.
  assert.ok(wantedFile('onnx/model.onnx', onnx));
  assert.ok(wantedFile('onnx/model.onnx_data', onnx));
  assert.not.ok(wantedFile('onnx/model_qint8_avx512_vnni.onnx', onnx));
  assert.not.ok(wantedFile('openvino/openvino_model.xml', onnx));
  assert.not.ok(wantedFile('model.safetensors', onnx));
  assert.not.ok(wantedFile('README.md', onnx));
  assert.not.ok(wantedFile('.gitattributes', onnx));
  assert.ok(wantedFile('2_Dense/model.safetensors', onnx), "a Dense module's weights are read");
  // Transformers in module folders (0_Transformer/, a Router's routes).
  const dirs = ['0_Transformer', 'document_0_MLMTransformer'];
  assert.ok(wantedFile('document_0_MLMTransformer/onnx/model.onnx', onnx, dirs));
  assert.ok(wantedFile('0_Transformer/onnx/model.onnx', onnx, dirs));
  assert.ok(wantedFile('0_Transformer/tokenizer.json', onnx, dirs));
  assert.not.ok(wantedFile('document_0_MLMTransformer/model.safetensors', onnx, dirs));
  assert.not.ok(wantedFile('document_0_MLMTransformer/pytorch_model.bin', onnx, dirs));
  assert.not.ok(wantedFile('0_Transformer/onnx/model_O4.onnx', onnx, dirs));
  assert.not.ok(wantedFile('onnx/model.onnx', onnx, dirs), 'no transformer at the root');
  assert.ok(wantedFile('query_0_SparseStaticEmbedding/model.safetensors', onnx, dirs), 'idf weights are read');
  // sentencekit's own engines: each transformer's model.safetensors, and no ONNX file.
  assert.ok(wantedFile('model.safetensors', 'model.safetensors'));
  assert.not.ok(wantedFile('onnx/model.onnx', 'model.safetensors'));
  assert.not.ok(wantedFile('pytorch_model.bin', 'model.safetensors'));
  assert.ok(wantedFile('0_Transformer/model.safetensors', 'model.safetensors', dirs));
  assert.not.ok(wantedFile('model.safetensors', 'model.safetensors', dirs), 'no transformer at the root');
});

test('a Router model: the route folders\' ONNX file and idf weights come down, not the MLM\'s torch weights', async () => {
  const fixture = copyFixture(join(FIXTURES, 'tiny-sparse-router'));
  // What a real repository holds beside the ONNX export: torch weights and other variants.
  writeFileSync(join(fixture.dir, 'document_0_MLMTransformer', 'model.safetensors'), 'torch weights, never read');
  copyFileSync(join(fixture.dir, 'document_0_MLMTransformer', 'onnx', 'model.onnx'), join(fixture.dir, 'document_0_MLMTransformer', 'onnx', 'model_quantized.onnx'));
  try {
    await scenario({ 'org/tiny-sparse-router': fixture.dir }, async ({ cacheDir, options }) => {
      const model = await SparseEncoder.fromPretrained('org/tiny-sparse-router', options);
      const local = await SparseEncoder.fromPretrained(fixture.dir);
      for (const method of ['encodeQuery', 'encodeDocument'] as const) {
        const [a, b] = [await model[method]('a cat sits outside'), await local[method]('a cat sits outside')];
        assert.equal([...a.indices], [...b.indices], method);
        assert.equal([...a.values], [...b.values], method);
      }
      await Promise.all([model.dispose(), local.dispose()]);

      const snapshot = join(cacheDir, 'models--org--tiny-sparse-router', 'snapshots', SHA);
      for (const needed of ['router_config.json', 'document_0_MLMTransformer/onnx/model.onnx', 'document_0_MLMTransformer/tokenizer.json', 'query_0_SparseStaticEmbedding/model.safetensors', 'document_1_SpladePooling/config.json']) {
        assert.ok(existsSync(join(snapshot, needed)), needed);
      }
      assert.not.ok(existsSync(join(snapshot, 'document_0_MLMTransformer', 'model.safetensors')), "the MLM's torch weights stay on the Hub");
      assert.not.ok(existsSync(join(snapshot, 'document_0_MLMTransformer', 'onnx', 'model_quantized.onnx')), 'other variants too');

      // The cached snapshot answers offline; an int8 variant is found inside the route folder,
      // on the Hub and in a local folder.
      assert.is(await resolveModelFolder('org/tiny-sparse-router', { ...options, localFilesOnly: true }), snapshot);
      for (const source of ['org/tiny-sparse-router', fixture.dir]) {
        const int8 = await SparseEncoder.fromPretrained(source, { ...options, quantized: true });
        await int8.dispose();
      }
      assert.ok(existsSync(join(snapshot, 'document_0_MLMTransformer', 'onnx', 'model_quantized.onnx')), 'quantized: true fetched the route folder\'s variant');
    });
  } finally {
    fixture.cleanup();
  }
});

test('a path that is neither a folder nor a Hub id is ERR_MODEL_LOAD', async () => {
  assert.is((await rejection(resolveModelFolder('./no/such/folder/here'))).code, 'ERR_MODEL_LOAD');
});

test.run();
