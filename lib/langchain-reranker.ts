import type { Callbacks } from '@langchain/core/callbacks/manager';
import { Document, type DocumentInterface } from '@langchain/core/documents';
import { BaseDocumentCompressor } from '@langchain/core/retrievers/document_compressors';

import { checkReranker, optionalCount } from './adapter-options.js';
import type { CrossEncoder } from './cross-encoder.js';
import { describeValue } from './validate.js';

/** SentenceKitReranker's fields. */
export interface SentenceKitRerankerParams {
  /** A loaded single-label CrossEncoder (a reranker); it stays yours to dispose(). */
  model: CrossEncoder;
  /** How many documents compressDocuments() keeps. Default 3, as LangChain's CohereRerank and Python's CrossEncoderReranker. */
  topN?: number;
  /** Pairs per model run. Default 32. */
  batchSize?: number;
}

/** One document's place in rerank()'s result. */
export interface SentenceKitRerankResult {
  /** The document's index in the list given to rerank(). */
  index: number;
  /** The CrossEncoder's score for (query, document), after its activation. */
  relevanceScore: number;
}

/**
 * A LangChain document compressor that reranks with a sentencekit CrossEncoder, as
 * @langchain/cohere's CohereRerank does with Cohere's API: compressDocuments() returns the
 * best `topN` documents, best first, each with its score in `metadata.relevanceScore`. Use it
 * as a ContextualCompressionRetriever's baseCompressor.
 *
 * @example
 * import { SentenceKitReranker } from 'sentencekit/langchain';
 * const reranker = new SentenceKitReranker({ model: crossEncoder, topN: 2 });
 * const best = await reranker.compressDocuments(documents, 'How many people live in Berlin?');
 */
export class SentenceKitReranker extends BaseDocumentCompressor {
  /** The CrossEncoder it runs (yours to dispose()). */
  readonly model: CrossEncoder;
  /** How many documents compressDocuments() keeps. */
  readonly topN: number;
  readonly #batchSize: number | undefined;

  constructor(fields: SentenceKitRerankerParams) {
    super();
    this.model = checkReranker(fields?.model);
    this.topN = optionalCount(fields.topN, 'SentenceKitReranker topN') ?? 3;
    this.#batchSize = optionalCount(fields.batchSize, 'SentenceKitReranker batchSize');
  }

  /**
   * Every document's index and score, best first (equal scores keep their order); at most
   * `topN` of them when given. Documents may be LangChain documents or strings.
   */
  async rerank(documents: Array<DocumentInterface | string>, query: string, options: { topN?: number } = {}): Promise<SentenceKitRerankResult[]> {
    if (!Array.isArray(documents)) throw new TypeError(`expected documents to be an array but received ${describeValue(documents)}`);
    const texts = documents.map((doc, i) => {
      if (typeof doc === 'string') return doc;
      if (typeof doc?.pageContent !== 'string') throw new TypeError(`expected documents[${i}] to be a string or a Document with a string pageContent but received ${describeValue(doc)}`);
      return doc.pageContent;
    });
    const topK = optionalCount(options.topN, 'rerank() topN');
    if (texts.length === 0) return [];
    const ranked = await this.model.rank(query, texts, {
      ...(topK === undefined ? {} : { topK }),
      ...(this.#batchSize === undefined ? {} : { batchSize: this.#batchSize }),
    });
    return ranked.map(({ corpusId, score }) => ({ index: corpusId, relevanceScore: score }));
  }

  /**
   * The best `topN` documents for `query`, best first, as new Documents whose metadata is the
   * original's plus `relevanceScore` (the documents passed in are not changed).
   */
  async compressDocuments(documents: DocumentInterface[], query: string, _callbacks?: Callbacks): Promise<DocumentInterface[]> {
    const ranked = await this.rerank(documents, query, { topN: this.topN });
    return ranked.map(({ index, relevanceScore }) => {
      const doc = documents[index] as DocumentInterface;
      return new Document({ pageContent: doc.pageContent, metadata: { ...doc.metadata, relevanceScore }, ...(doc.id === undefined ? {} : { id: doc.id }) });
    });
  }
}
