// cpu-level-independent: the levels stage does not run this file again.
// No option silently ignored (issue 16): every options object the API takes refuses a key it
// does not know with a TypeError naming it and the nearest valid name, Python's snake_case
// names included.
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import {
  communityDetection,
  CrossEncoder,
  DeviceCorpus,
  Embeddings,
  paraphraseMining,
  quantizedSemanticSearch,
  quantizeEmbeddings,
  resolveModelFolder,
  semanticSearch,
  semanticSearchFlat,
  SentenceTransformer,
  SparseEncoder,
  util,
} from '../../lib/index.js';
import { nearestName } from '../../lib/options.js';
import { rejectsError, throwsError } from '../helpers/errors.js';
import { FIXTURES, TINY_BERT } from '../helpers/fixtures.js';

const TINY_CE = join(FIXTURES, 'tiny-ce-1label');
const TINY_SPLADE = join(FIXTURES, 'tiny-splade');
const rows = new Embeddings(new Float32Array([1, 0, 0, 1]), 2, 2);

test('nearestName maps snake_case, case slips, prefixes and typos to the valid name', () => {
  const encode = ['batchSize', 'normalizeEmbeddings', 'prompt', 'promptName', 'truncateDim', 'precision'];
  assert.is(nearestName('normalize_embeddings', encode), 'normalizeEmbeddings');
  assert.is(nearestName('batchsize', encode), 'batchSize');
  assert.is(nearestName('batch_size', encode), 'batchSize');
  assert.is(nearestName('normalize', encode), 'normalizeEmbeddings');
  assert.is(nearestName('prompt_name', encode), 'promptName');
  assert.is(nearestName('precison', encode), 'precision');
  assert.is(nearestName('truncate_dim', encode), 'truncateDim');
  assert.is(nearestName('activation_fn', ['batchSize', 'activation', 'applySoftmax']), 'activation');
  assert.is(nearestName('show_progress_bar', encode), null);
});

test('encode, encodeQuery, encodeDocument and encodeTokenEmbeddings refuse unknown options', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  try {
    await rejectsError(() => model.encode('x', { normalize: true } as never), TypeError, /unknown option 'normalize' — did you mean 'normalizeEmbeddings'\?/);
    await rejectsError(() => model.encode('x', { normalize_embeddings: true } as never), TypeError, /^unknown option 'normalize_embeddings' — did you mean 'normalizeEmbeddings'\?/);
    await rejectsError(() => model.encode('x', { batchsize: 8 } as never), TypeError, /unknown option 'batchsize' — did you mean 'batchSize'\?/);
    await rejectsError(() => model.encode('x', { show_progress_bar: false } as never), TypeError, /unknown option 'show_progress_bar' \(encode\(\) options takes batchSize/);
    await rejectsError(() => model.encodeQuery('x', { promptName: 'query' } as never), TypeError, /unknown option 'promptName'/);
    await rejectsError(() => model.encodeDocument('x', { truncate_dim: 4 } as never), TypeError, /did you mean 'truncateDim'/);
    await rejectsError(() => model.encodeTokenEmbeddings('x', { normalizeEmbeddings: true } as never), TypeError, /unknown option 'normalizeEmbeddings'/);
    // The valid names still work.
    const out = await model.encode(['x'], { batchSize: 8, normalizeEmbeddings: true });
    assert.is(out.rows, 1);
  } finally {
    await model.dispose();
  }
});

test('fromPretrained of every class refuses unknown options before loading anything', async () => {
  await rejectsError(() => SentenceTransformer.fromPretrained(TINY_BERT, { cpu_engine: 'int8' } as never), TypeError, /unknown option 'cpu_engine' — did you mean 'cpuEngine'\?/);
  await rejectsError(() => SentenceTransformer.fromPretrained(TINY_BERT, { max_batch_texts: 4 } as never), TypeError, /did you mean 'maxBatchTexts'/);
  await rejectsError(() => CrossEncoder.fromPretrained(TINY_CE, { file_name: 'onnx/model.onnx' } as never), TypeError, /did you mean 'fileName'/);
  // maxBatchTexts is SentenceTransformer's alone.
  await rejectsError(() => CrossEncoder.fromPretrained(TINY_CE, { maxBatchTexts: 4 } as never), TypeError, /unknown option 'maxBatchTexts'/);
  await rejectsError(() => SparseEncoder.fromPretrained(TINY_SPLADE, { local_files_only: true } as never), TypeError, /did you mean 'localFilesOnly'/);
  await rejectsError(() => resolveModelFolder(TINY_BERT, { cache_dir: '/tmp' } as never), TypeError, /did you mean 'cacheDir'/);
});

test('predict and rank refuse unknown options', async () => {
  const model = await CrossEncoder.fromPretrained(TINY_CE);
  try {
    await rejectsError(() => model.predict([['q', 'p']], { activation_fn: 'sigmoid' } as never), TypeError, /did you mean 'activation'/);
    await rejectsError(() => model.predict([['q', 'p']], { apply_softmax: true } as never), TypeError, /did you mean 'applySoftmax'/);
    await rejectsError(() => model.rank('q', ['p'], { top_k: 1, return_documents: true } as never), TypeError, /unknown option 'top_k' — did you mean 'topK'\?/);
    await rejectsError(() => model.rank('q', ['p'], { returnDocument: true } as never), TypeError, /did you mean 'returnDocuments'/);
  } finally {
    await model.dispose();
  }
});

test('SparseEncoder encode, encodeQuery and encodeDocument refuse unknown options', async () => {
  const model = await SparseEncoder.fromPretrained(TINY_SPLADE);
  try {
    await rejectsError(() => model.encode('x', { max_active_dims: 4 } as never), TypeError, /did you mean 'maxActiveDims'/);
    await rejectsError(() => model.encodeQuery('x', { task: 'document' } as never), TypeError, /unknown option 'task'/);
    await rejectsError(() => model.encodeDocument('x', { batch_size: 2 } as never), TypeError, /did you mean 'batchSize'/);
  } finally {
    await model.dispose();
  }
});

test('search, mining, clustering and quantization functions refuse unknown options', async () => {
  await rejectsError(() => semanticSearch(rows, rows, { top_k: 1 } as never), TypeError, /unknown option 'top_k' — did you mean 'topK'\?/);
  await rejectsError(() => semanticSearchFlat(rows, rows, { score_function: 'dot' } as never), TypeError, /did you mean 'scoreFunction'/);
  await rejectsError(() => util.semanticSearch(rows, rows, { query_chunk_size: 10 } as never), TypeError, /did you mean 'queryChunkSize'/);
  await rejectsError(() => paraphraseMining(rows, { max_pairs: 3 } as never), TypeError, /did you mean 'maxPairs'/);
  await rejectsError(() => communityDetection(rows, { min_community_size: 1 } as never), TypeError, /did you mean 'minCommunitySize'/);
  const int8 = quantizeEmbeddings(rows, 'int8');
  await rejectsError(() => quantizedSemanticSearch(rows, int8, { rescore_multiplier: 2 } as never), TypeError, /did you mean 'rescoreMultiplier'/);
  throwsError(() => quantizeEmbeddings(rows, 'int8', { calibration_embeddings: rows } as never), TypeError, /did you mean 'calibrationEmbeddings'/);
  await rejectsError(() => DeviceCorpus.upload(rows, { precison: 'float16' } as never), TypeError, /did you mean 'precision'/);
  const corpus = await DeviceCorpus.upload(rows);
  try {
    await rejectsError(() => corpus.search(rows, { top_k: 1 } as never), TypeError, /did you mean 'topK'/);
  } finally {
    corpus.dispose();
  }
  // An options value that is not an object is still a TypeError.
  await rejectsError(() => semanticSearch(rows, rows, 5 as never), TypeError, /expected semanticSearch\(\) options to be an options object/);
});

test.run();
