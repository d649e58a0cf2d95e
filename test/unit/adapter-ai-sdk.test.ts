// cpu-level-independent: the levels stage does not run this file again.
// sentencekit/ai-sdk through the `ai` package's own embed, embedMany, cosineSimilarity and
// rerank (ai 6: embedding model v3 and v2, reranking model v3) and ai 5's embed / embedMany
// (embedding model v2): vectors equal in-process encode (prompts included) and
// sentence-transformers' own; usage counts the tokens the model read; rankings are
// sentence-transformers' CrossEncoder.rank().
import type { EmbeddingModelV2, EmbeddingModelV3, RerankingModelV3 } from '@ai-sdk/provider';
import { cosineSimilarity, embed, embedMany, rerank } from 'ai';
import { embed as embedV5, embedMany as embedManyV5 } from 'ai-v5';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { sentencekit, SentenceKitEmbeddingModel, SentenceKitRerankingModel } from '../../lib/ai-sdk.js';
import { loadAdapterModels, maxDiff, rankReferences, tinyBertVectors, type AdapterModels } from '../helpers/adapter-models.js';
import { rejectsError, throwsError } from '../helpers/errors.js';

let models: AdapterModels;
test.before(async () => {
  models = await loadAdapterModels();
});
test.after(async () => {
  await models.dispose();
});

const DOCS = ['The cat sits outside.', 'A man is playing guitar.', 'How do I install a package with npm?', 'Node.js backends need fast embeddings.'];

/** The tokens the model reads for these inputs (special tokens included, cut at maxSeqLength). */
async function tokensRead(texts: string[]): Promise<number> {
  const { attentionMask } = await models.prompted.tokenize(texts);
  return attentionMask.reduce((sum, m) => sum + m, 0);
}

test('the models satisfy the AI SDK\'s own specification types', () => {
  const v3: EmbeddingModelV3 = sentencekit.embeddingModel(models.plain);
  const v2: EmbeddingModelV2<string> = sentencekit.embeddingModel(models.plain, { specificationVersion: 'v2' });
  const reranking: RerankingModelV3 = sentencekit.rerankingModel(models.reranker);
  assert.is(v3.specificationVersion, 'v3');
  assert.is(v2.specificationVersion, 'v2');
  assert.is(reranking.specificationVersion, 'v3');
  assert.equal([v3.provider, v3.modelId, v3.maxEmbeddingsPerCall, v3.supportsParallelCalls], ['sentencekit', 'sentencekit', Infinity, true]);
  assert.ok(v3 instanceof SentenceKitEmbeddingModel && reranking instanceof SentenceKitRerankingModel);
});

test('embedMany and embed (ai 6, v3): encode() vectors, sentence-transformers\' vectors, usage', async () => {
  const { texts, vectors } = tinyBertVectors();
  const { embeddings, usage } = await embedMany({ model: sentencekit.embeddingModel(models.plain, { modelId: 'tiny-bert' }), values: texts });
  const diff = maxDiff(embeddings, vectors);
  assert.ok(diff <= 1e-5, `max |diff| ${diff} over ${texts.length} texts`);
  assert.equal(embeddings, (await models.plain.encode(texts)).toArray());
  const { attentionMask } = await models.plain.tokenize(texts);
  assert.is(usage.tokens, attentionMask.reduce((sum, m) => sum + m, 0));
  assert.ok(usage.tokens > texts.length * 2);

  const { embedding, usage: one } = await embed({ model: sentencekit.embeddingModel(models.plain), value: texts[3] as string });
  assert.equal(embedding, embeddings[3]);
  assert.ok(Math.abs(cosineSimilarity(embedding, embeddings[3] as number[]) - 1) < 1e-6);
  assert.ok(one.tokens > 0);
});

test('task and prompts: settings, providerOptions, and the default prompt', async () => {
  const query = sentencekit.embeddingModel(models.prompted, { task: 'query' });
  const { embedding } = await embed({ model: query, value: 'a cat outside' });
  assert.equal(embedding, (await models.prompted.encodeQuery('a cat outside')).toArray()[0]);
  assert.equal(embedding, (await models.prompted.encode('query: a cat outside')).toArray()[0]);
  const { usage } = await embed({ model: query, value: 'a cat outside' });
  assert.is(usage.tokens, await tokensRead(['query: a cat outside']), 'usage counts the prompt\'s tokens');

  const plain = sentencekit.embeddingModel(models.prompted);
  const { embeddings } = await embedMany({ model: plain, values: DOCS, providerOptions: { sentencekit: { task: 'document' } } });
  assert.equal(embeddings, (await models.prompted.encodeDocument(DOCS)).toArray());
  const { embeddings: none } = await embedMany({ model: plain, values: DOCS });
  assert.equal(none, (await models.prompted.encode(DOCS)).toArray(), 'no task: encode() and the model\'s default prompt (none here)');
  assert.ok(maxDiff(none, embeddings) > 1e-3, 'the document prompt changed the vectors');
  const { embeddings: custom } = await embedMany({ model: plain, values: DOCS, providerOptions: { sentencekit: { prompt: 'search_document: ' } } });
  assert.equal(custom, (await models.prompted.encode(DOCS, { prompt: 'search_document: ' })).toArray());
  const { embeddings: named } = await embedMany({ model: plain, values: DOCS, providerOptions: { sentencekit: { promptName: 'query' } } });
  assert.equal(named, (await models.prompted.encodeQuery(DOCS)).toArray());
});

test('embedMany splits by maxEmbeddingsPerCall and runs the parts in parallel; the rows stay in order', async () => {
  const model = sentencekit.embeddingModel(models.prompted, { maxEmbeddingsPerCall: 3, task: 'document', truncateDim: 16, normalizeEmbeddings: true });
  let calls = 0;
  const doEmbed = model.doEmbed.bind(model);
  model.doEmbed = async (options) => { calls += 1; return doEmbed(options); };
  const values = Array.from({ length: 10 }, (_, i) => `text number ${i} ${'x'.repeat(i)}`);
  const { embeddings, usage } = await embedMany({ model, values, maxParallelCalls: 4 });
  assert.is(calls, 4);
  assert.equal(embeddings, (await models.prompted.encodeDocument(values, { truncateDim: 16, normalizeEmbeddings: true })).toArray());
  assert.is(usage.tokens, await tokensRead(values.map((v) => `passage: ${v}`)));
  await rejectsError(model.doEmbed({ values: ['a', 'b', 'c', 'd'] }), RangeError, /at most 3 values/);
});

test('ai 5 (embedding model v2): embed and embedMany', async () => {
  const model = sentencekit.embeddingModel(models.prompted, { specificationVersion: 'v2', task: 'document' });
  const { embeddings, usage } = await embedManyV5({ model, values: DOCS });
  assert.equal(embeddings, (await models.prompted.encodeDocument(DOCS)).toArray());
  assert.is(usage.tokens, await tokensRead(DOCS.map((d) => `passage: ${d}`)));
  const { embedding } = await embedV5({ model, value: DOCS[1] as string });
  assert.equal(embedding, embeddings[1]);
  // ai 6 takes v2 models too.
  const { embedding: again } = await embed({ model, value: DOCS[1] as string });
  assert.equal(again, embedding);
});

test('rerank (ai 6, reranking model v3) ranks as sentence-transformers\' CrossEncoder.rank()', async () => {
  const model = sentencekit.rerankingModel(models.reranker, { modelId: 'tiny-ce' });
  for (const reference of rankReferences()) {
    const result = await rerank({ model, query: reference.query, documents: reference.documents, topN: 5 });
    assert.equal(result.ranking.map((r) => r.originalIndex), reference.results.slice(0, 5).map((r) => r.corpus_id));
    result.ranking.forEach((r, i) => assert.ok(Math.abs(r.score - reference.results[i]!.score) <= 1e-5, `${r.score} vs ${reference.results[i]!.score}`));
    assert.equal(result.rerankedDocuments, reference.results.slice(0, 5).map((r) => reference.documents[r.corpus_id]));
    const all = await rerank({ model, query: reference.query, documents: reference.documents });
    assert.is(all.ranking.length, reference.documents.length);
  }
  // Object documents are scored as their JSON text.
  const objects = [{ title: 'cats', text: 'The cat sits outside.' }, { title: 'music', text: 'A man is playing guitar.' }];
  const { ranking } = await rerank({ model, query: 'a cat outside', documents: objects });
  const expected = await models.reranker.rank('a cat outside', objects.map((o) => JSON.stringify(o)));
  assert.equal(ranking.map((r) => [r.originalIndex, r.score]), expected.map((r) => [r.corpusId, r.score]));
});

test('abort signals, bad settings and bad calls are typed errors', async () => {
  const model = sentencekit.embeddingModel(models.plain);
  const controller = new AbortController();
  controller.abort(new Error('stopped'));
  await rejectsError(model.doEmbed({ values: ['a'], abortSignal: controller.signal }), Error, /stopped/);
  await rejectsError(model.doEmbed({ values: ['a'], providerOptions: { sentencekit: { task: 'search' } } }), TypeError, /'query' or 'document'/);
  await rejectsError(model.doEmbed({ values: ['a'], providerOptions: { sentencekit: { tsk: 'query' } } }), TypeError, /task/);
  await rejectsError(model.doEmbed({ values: ['a'], providerOptions: { sentencekit: { promptName: 'nope' } } }), RangeError, /promptName/);
  await rejectsError(model.doEmbed({ values: [3 as never] }), TypeError, /texts\[0\]/);
  assert.equal((await model.doEmbed({ values: ['a'], headers: { 'x-trace': '1' } })).warnings, []);
  assert.equal((await model.doEmbed({ values: [] })).embeddings, []);
  throwsError(() => sentencekit.embeddingModel(models.plain, { specificationVersion: 'v1' as never }), TypeError, /specificationVersion/);
  throwsError(() => sentencekit.embeddingModel(models.plain, { maxEmbeddingsPerCall: 0 }), RangeError, /maxEmbeddingsPerCall/);
  throwsError(() => sentencekit.embeddingModel(models.reranker as never), TypeError, /SentenceTransformer/);
  throwsError(() => sentencekit.rerankingModel(models.plain as never), TypeError, /CrossEncoder/);
  const reranking = sentencekit.rerankingModel(models.reranker);
  await rejectsError(reranking.doRerank({ documents: ['a'] as never, query: 'q' }), TypeError, /documents/);
  await rejectsError(reranking.doRerank({ documents: { type: 'text', values: ['a'] }, query: 'q', topN: 0 }), RangeError, /topN/);
  await rejectsError(reranking.doRerank({ documents: { type: 'text', values: ['a'] }, query: 'q', abortSignal: controller.signal }), Error, /stopped/);
});

test.run();
