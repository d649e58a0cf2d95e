// cpu-level-independent: the levels stage does not run this file again.
// sentencekit/llamaindex against the real @llamaindex/core: text embeddings are
// encodeDocument, query embeddings encodeQuery (prompts included), equal to
// sentence-transformers' vectors; LlamaIndex's own node transform (what an IngestionPipeline
// calls), getTextEmbeddingsBatch and getTopKEmbeddings agree with in-process encode and
// semanticSearch.
import { BaseEmbedding, getTopKEmbeddings } from '@llamaindex/core/embeddings';
import { Settings } from '@llamaindex/core/global';
import { Document, MetadataMode, TextNode } from '@llamaindex/core/schema';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { semanticSearch } from '../../lib/index.js';
import { SentenceKitEmbedding } from '../../lib/llamaindex.js';
import { loadAdapterModels, maxDiff, tinyBertVectors, type AdapterModels } from '../helpers/adapter-models.js';
import { rejectsError, throwsError } from '../helpers/errors.js';

let models: AdapterModels;
test.before(async () => {
  models = await loadAdapterModels();
});
test.after(async () => {
  await models.dispose();
});

const DOCS = ['The cat sits outside.', 'A man is playing guitar.', 'How do I install a package with npm?', 'Node.js backends need fast embeddings.', 'Paris is the capital of France.'];

test('getTextEmbedding(s) are encodeDocument, getQueryEmbedding is encodeQuery', async () => {
  const embedModel = new SentenceKitEmbedding({ model: models.prompted });
  assert.ok(embedModel instanceof BaseEmbedding);
  const expected = (await models.prompted.encode(DOCS, { prompt: 'passage: ' })).toArray();
  assert.equal(await embedModel.getTextEmbeddings(DOCS), expected);
  assert.equal(await embedModel.getTextEmbedding(DOCS[2] as string), expected[2]);
  const query = (await models.prompted.encode('query: a cat outside')).toArray()[0];
  assert.equal(await embedModel.getQueryEmbedding({ type: 'text', text: 'a cat outside' }), query);
  assert.is(await embedModel.getQueryEmbedding({ type: 'image_url', image_url: { url: 'data:image/png;base64,' } }), null, 'no text, no embedding');
  assert.equal(embedModel.embedInfo, { dimensions: 32, maxTokens: models.prompted.maxSeqLength });
});

test('the vectors are sentence-transformers\' (tiny-bert.reference.json), through getTextEmbeddingsBatch in parts', async () => {
  const { texts, vectors } = tinyBertVectors();
  const embedModel = new SentenceKitEmbedding({ model: models.plain, embedBatchSize: 7 });
  const progress: number[] = [];
  const got = await embedModel.getTextEmbeddingsBatch(texts, { progressCallback: (done) => progress.push(done) });
  const diff = maxDiff(got, vectors);
  assert.ok(diff <= 1e-5, `max |diff| ${diff} over ${texts.length} texts`);
  assert.is(progress.length, Math.ceil(texts.length / 7), 'LlamaIndex cut the batch by embedBatchSize');
});

test('LlamaIndex\'s node transform embeds nodes; getTopKEmbeddings ranks as semanticSearch', async () => {
  const embedModel = new SentenceKitEmbedding({ model: models.prompted, truncateDim: 16, normalizeEmbeddings: true });
  Settings.embedModel = embedModel;
  const nodes = DOCS.map((text, i) => (i % 2 === 0 ? new Document({ text, id_: `doc-${i}` }) : new TextNode({ text, id_: `doc-${i}` })));
  const embedded = await Settings.embedModel(nodes);
  const contents = embedded.map((node) => node.getContent(MetadataMode.EMBED));
  const corpus = await models.prompted.encodeDocument(contents, { truncateDim: 16, normalizeEmbeddings: true });
  assert.equal(embedded.map((node) => node.embedding), corpus.toArray());
  assert.is(embedded[0]!.embedding!.length, 16);

  for (const query of ['a cat outside', 'installing packages', 'French capital']) {
    const vector = await embedModel.getQueryEmbedding({ type: 'text', text: query });
    const [, ids] = getTopKEmbeddings(vector as number[], embedded.map((node) => node.embedding as number[]), 3, embedded.map((node) => node.id_));
    const [hits] = await semanticSearch(await models.prompted.encodeQuery(query, { truncateDim: 16, normalizeEmbeddings: true }), corpus, { topK: 3 });
    assert.equal(ids, hits!.map((h) => `doc-${h.corpusId}`), query);
  }
});

test('bad arguments are typed errors', async () => {
  throwsError(() => new SentenceKitEmbedding({ model: null as never }), TypeError, /SentenceTransformer/);
  throwsError(() => new SentenceKitEmbedding({ model: models.plain, embedBatchSize: -1 }), RangeError, /embedBatchSize/);
  throwsError(() => new SentenceKitEmbedding({ model: models.plain, normalizeEmbeddings: 'yes' as never }), TypeError, /normalizeEmbeddings/);
  await rejectsError(new SentenceKitEmbedding({ model: models.plain }).getTextEmbeddings([null as never]), TypeError, /texts\[0\]/);
});

test.run();
