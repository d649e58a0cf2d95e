// cpu-level-independent: the levels stage does not run this file again.
// Reading model folders: both pooling config schemas, defaults, and errors naming files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceKitError } from '../../lib/errors.js';
import { parsePoolingConfig, readSentenceTransformerFolder } from '../../lib/model-folder.js';

test('old boolean pooling schema, concatenated in sentence-transformers order', () => {
  const config = {
    word_embedding_dimension: 384,
    pooling_mode_cls_token: false,
    pooling_mode_mean_tokens: true,
    pooling_mode_max_tokens: true,
    pooling_mode_mean_sqrt_len_tokens: false,
    include_prompt: true,
  };
  assert.equal(parsePoolingConfig(config, 'x'), { modes: ['max', 'mean'], includePrompt: true, embeddingDimension: 384 });
});

test('old schema with no mode set falls back to mean', () => {
  assert.equal(parsePoolingConfig({ word_embedding_dimension: 8 }, 'x').modes, ['mean']);
});

test('new schema: a string or a list, in the given order', () => {
  assert.equal(parsePoolingConfig({ embedding_dimension: 32, pooling_mode: 'cls', include_prompt: false }, 'x'), {
    modes: ['cls'],
    includePrompt: false,
    embeddingDimension: 32,
  });
  assert.equal(parsePoolingConfig({ pooling_mode: ['mean', 'cls'] }, 'x').modes, ['mean', 'cls']);
});

test('unknown or duplicated modes are ERR_MODEL_LOAD naming the file', () => {
  for (const config of [{ pooling_mode: 'median' }, { pooling_mode: ['mean', 'mean'] }, { pooling_mode: [] }, []]) {
    try {
      parsePoolingConfig(config, '/m/1_Pooling/config.json');
      assert.unreachable('should throw');
    } catch (error) {
      assert.instance(error, SentenceKitError);
      assert.is((error as SentenceKitError).code, 'ERR_MODEL_LOAD');
      assert.match((error as Error).message, '/m/1_Pooling/config.json');
    }
  }
});

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sentencekit-folder-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

test('a plain Hugging Face folder gets mean pooling and the model/tokenizer length limit', async () => {
  const dir = folder({
    'config.json': JSON.stringify({ max_position_embeddings: 512 }),
    'tokenizer_config.json': JSON.stringify({ model_max_length: 128 }),
    'tokenizer.json': '{}',
    'onnx/model.onnx': '',
  });
  const read = await readSentenceTransformerFolder(dir);
  assert.equal(read.pooling.modes, ['mean']);
  assert.is(read.maxSeqLength, 128);
  assert.is(read.normalize, false);
  assert.is(read.similarityFnName, 'cosine');
  rmSync(dir, { recursive: true });
});

test('modules, prompts, similarity and a chosen ONNX file', async () => {
  const dir = folder({
    'modules.json': JSON.stringify([
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
    ]),
    '1_Pooling/config.json': JSON.stringify({ embedding_dimension: 4, pooling_mode: 'cls' }),
    'sentence_bert_config.json': JSON.stringify({ max_seq_length: 64, do_lower_case: true }),
    'config_sentence_transformers.json': JSON.stringify({
      prompts: { query: 'query: ', document: '' },
      default_prompt_name: 'query',
      similarity_fn_name: 'dot',
    }),
    'tokenizer.json': '{}',
    'onnx/model_qint8_avx512_vnni.onnx': '',
  });
  const read = await readSentenceTransformerFolder(dir, { fileName: 'onnx/model_qint8_avx512_vnni.onnx' });
  assert.equal(read.pooling.modes, ['cls']);
  assert.is(read.normalize, true);
  assert.is(read.maxSeqLength, 64);
  assert.is(read.doLowerCase, true);
  assert.equal(read.prompts, { query: 'query: ', document: '' });
  assert.is(read.defaultPromptName, 'query');
  assert.is(read.similarityFnName, 'dot');
  assert.match(read.onnxPath, /model_qint8_avx512_vnni\.onnx$/);
  rmSync(dir, { recursive: true });
});

test('an unsupported module refuses to load instead of giving different vectors', async () => {
  const dir = folder({
    'modules.json': JSON.stringify([
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Foo', type: 'sentence_transformers.models.Foo' },
    ]),
    'tokenizer.json': '{}',
    'onnx/model.onnx': '',
  });
  try {
    await readSentenceTransformerFolder(dir);
    assert.unreachable('should throw');
  } catch (error) {
    assert.is((error as SentenceKitError).code, 'ERR_MODEL_LOAD');
    assert.match((error as Error).message, 'sentence_transformers.models.Foo');
  }
  rmSync(dir, { recursive: true });
});

test.run();
