// cpu-level-independent: the levels stage does not run this file again.
// sentencekit/langchain against the real @langchain/core: the embeddings equal in-process
// encodeDocument / encodeQuery (prompts included) and sentence-transformers' vectors; a
// LangChain VectorStore and its retriever find what semanticSearch finds; the reranker orders
// documents as sentence-transformers' CrossEncoder.rank() did, scores in metadata.
import { Document } from '@langchain/core/documents';
import { Embeddings, type EmbeddingsInterface } from '@langchain/core/embeddings';
import { BaseDocumentCompressor } from '@langchain/core/retrievers/document_compressors';
import { VectorStore } from '@langchain/core/vectorstores';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CrossEncoder, semanticSearch } from '../../lib/index.js';
import { SentenceKitEmbeddings, SentenceKitReranker } from '../../lib/langchain.js';
import { loadAdapterModels, maxDiff, rankReferences, tinyBertVectors, type AdapterModels } from '../helpers/adapter-models.js';
import { rejectsError, throwsError } from '../helpers/errors.js';
import { FIXTURES } from '../helpers/fixtures.js';

let models: AdapterModels;
test.before(async () => {
  models = await loadAdapterModels();
});
test.after(async () => {
  await models.dispose();
});

const DOCS = ['The cat sits outside.', 'A man is playing guitar.', 'How do I install a package with npm?', 'Node.js backends need fast embeddings.', 'Paris is the capital of France.'];

/** The smallest VectorStore LangChain accepts: its fromTexts / asRetriever call the embeddings. */
class ArrayStore extends VectorStore {
  declare FilterType: string;
  rows: Array<{ vector: number[]; doc: Document }> = [];
  _vectorstoreType(): string {
    return 'array';
  }
  async addVectors(vectors: number[][], documents: Document[]): Promise<void> {
    vectors.forEach((vector, i) => this.rows.push({ vector, doc: documents[i] as Document }));
  }
  override async addDocuments(documents: Document[]): Promise<void> {
    await this.addVectors(await this.embeddings.embedDocuments(documents.map((d) => d.pageContent)), documents);
  }
  async similaritySearchVectorWithScore(query: number[], k: number): Promise<Array<[Document, number]>> {
    const cosine = (a: number[], b: number[]): number => {
      let dot = 0, na = 0, nb = 0;
      a.forEach((x, i) => { const y = b[i] as number; dot += x * y; na += x * x; nb += y * y; });
      return dot / Math.sqrt(na * nb);
    };
    return this.rows.map(({ vector, doc }) => [doc, cosine(query, vector)] as [Document, number]).sort((a, b) => b[1] - a[1]).slice(0, k);
  }
  static override async fromTexts(texts: string[], metadatas: object[], embeddings: EmbeddingsInterface): Promise<ArrayStore> {
    const store = new ArrayStore(embeddings, {});
    await store.addDocuments(texts.map((pageContent, i) => new Document({ pageContent, metadata: metadatas[i] ?? {} })));
    return store;
  }
}

test('embedDocuments is encodeDocument and embedQuery is encodeQuery, prompts applied', async () => {
  const embeddings = new SentenceKitEmbeddings({ model: models.prompted });
  assert.ok(embeddings instanceof Embeddings, 'a LangChain Embeddings');
  const docs = await embeddings.embedDocuments(DOCS);
  assert.equal(docs, (await models.prompted.encode(DOCS, { prompt: 'passage: ' })).toArray());
  const query = await embeddings.embedQuery('a cat outside');
  assert.equal(query, (await models.prompted.encode('query: a cat outside')).toArray()[0]);
  assert.ok(maxDiff([query], (await models.prompted.encode('a cat outside')).toArray()) > 1e-3, 'the query prompt changed the vector');
  assert.equal(await embeddings.embedDocuments([]), []);
});

test('the vectors are sentence-transformers\' (tiny-bert.reference.json)', async () => {
  const { texts, vectors } = tinyBertVectors();
  const embeddings = new SentenceKitEmbeddings({ model: models.plain });
  const diff = maxDiff(await embeddings.embedDocuments(texts), vectors);
  assert.ok(diff <= 1e-5, `max |diff| ${diff} over ${texts.length} texts`);
  const first = await embeddings.embedQuery(texts[0] as string);
  assert.ok(maxDiff([first], [vectors[0] as number[]]) <= 1e-5);
});

test('encode options pass through: truncateDim and normalizeEmbeddings', async () => {
  const embeddings = new SentenceKitEmbeddings({ model: models.prompted, truncateDim: 8, normalizeEmbeddings: true });
  const [row] = await embeddings.embedDocuments(['hello world']);
  assert.is(row?.length, 8);
  assert.ok(Math.abs(Math.hypot(...(row as number[])) - 1) < 1e-5, 'normalized after truncation');
  assert.equal(row, (await models.prompted.encodeDocument('hello world', { truncateDim: 8, normalizeEmbeddings: true })).toArray()[0]);
});

test('a LangChain VectorStore retriever finds what semanticSearch finds', async () => {
  const embeddings = new SentenceKitEmbeddings({ model: models.prompted });
  const store = await ArrayStore.fromTexts(DOCS, DOCS.map((_, id) => ({ id })), embeddings);
  const retriever = store.asRetriever({ k: 3 });
  for (const query of ['a cat outside', 'installing packages', 'French capital']) {
    const found = await retriever.invoke(query);
    const [hits] = await semanticSearch(await models.prompted.encodeQuery(query), await models.prompted.encodeDocument(DOCS), { topK: 3 });
    assert.equal(found.map((d) => d.metadata.id), hits!.map((h) => h.corpusId), query);
  }
});

test('the reranker orders documents as sentence-transformers\' CrossEncoder.rank(), score in metadata', async () => {
  for (const reference of rankReferences()) {
    const reranker = new SentenceKitReranker({ model: models.reranker, topN: 4 });
    assert.ok(BaseDocumentCompressor.isBaseDocumentCompressor(reranker) && reranker instanceof BaseDocumentCompressor);
    const documents = reference.documents.map((pageContent, i) => new Document({ pageContent, metadata: { source: `doc-${i}` }, id: `id-${i}` }));
    const best = await reranker.compressDocuments(documents, reference.query);
    assert.is(best.length, 4);
    best.forEach((doc, i) => {
      const expected = reference.results[i]!;
      assert.is(doc.pageContent, reference.documents[expected.corpus_id]);
      assert.is(doc.metadata.source, `doc-${expected.corpus_id}`, 'metadata kept');
      assert.is(doc.id, `id-${expected.corpus_id}`, 'id kept');
      assert.ok(Math.abs((doc.metadata.relevanceScore as number) - expected.score) <= 1e-5, `${reference.query} #${i}: ${doc.metadata.relevanceScore} vs ${expected.score}`);
    });
    assert.not.ok('relevanceScore' in documents[0]!.metadata, 'the documents passed in are not changed');
    const all = await reranker.rerank(reference.documents, reference.query);
    assert.equal(all.map((r) => r.index), reference.results.map((r) => r.corpus_id));
  }
  const defaults = new SentenceKitReranker({ model: models.reranker });
  assert.is(defaults.topN, 3);
  assert.equal(await defaults.compressDocuments([], 'q'), []);
});

test('bad arguments are typed errors', async () => {
  throwsError(() => new SentenceKitEmbeddings({ model: {} as never }), TypeError, /expected model to be a SentenceTransformer/);
  throwsError(() => new SentenceKitEmbeddings({ model: models.plain, batchSize: 0 }), RangeError, /batchSize/);
  throwsError(() => new SentenceKitReranker({ model: models.plain as never }), TypeError, /CrossEncoder/);
  throwsError(() => new SentenceKitReranker({ model: models.reranker, topN: 1.5 }), TypeError, /topN/);
  const threeLabels = await CrossEncoder.fromPretrained(`${FIXTURES}/tiny-ce-3label`);
  try {
    throwsError(() => new SentenceKitReranker({ model: threeLabels }), RangeError, /single-label/);
  } finally {
    await threeLabels.dispose();
  }
  const embeddings = new SentenceKitEmbeddings({ model: models.plain });
  await rejectsError(embeddings.embedDocuments([1 as never]), TypeError, /texts\[0\]/);
  await rejectsError(embeddings.embedQuery(undefined as never), TypeError, /query/);
  await rejectsError(new SentenceKitReranker({ model: models.reranker }).compressDocuments([{ pageContent: 3 } as never], 'q'), TypeError, /documents\[0\]/);
});

test.run();
