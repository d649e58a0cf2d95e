/**
 * sentencekit embeddings in PostgreSQL with pgvector, through one code path that takes a query
 * function: PGlite's `db.query`, a `pg` Client's or Pool's `query`, or anything else that runs
 * parameterized SQL and returns `{ rows }`. Each text is stored four ways: `vector` (float32),
 * `halfvec` (float16), `bit` (binary quantization, sentencekit's quantizeEmbeddings 'ubinary')
 * and `sparsevec` (a SPLADE SparseEncoder's weights), each with an HNSW index.
 */
import { SparseVector, toSql } from 'pgvector';

// In an application: from 'sentencekit'.
import type { Embeddings, QuantizedEmbeddings, SparseEmbeddings } from '../../lib/index.js';

/** Runs one parameterized statement: `(sql, params) => db.query(sql, params)` for PGlite and pg alike. */
export type Query = (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }>;

/** The four columns and how each is searched. */
export type Column = 'vector' | 'halfvec' | 'bit' | 'sparsevec';

/** Per column: its name, SQL type, distance operator and HNSW operator class. */
export const COLUMNS: Record<Column, { name: string; operator: string; opclass: string; metric: string }> = {
  vector: { name: 'embedding', operator: '<=>', opclass: 'vector_cosine_ops', metric: 'cosine distance' },
  halfvec: { name: 'embedding_half', operator: '<#>', opclass: 'halfvec_ip_ops', metric: 'negative inner product' },
  bit: { name: 'embedding_bits', operator: '<~>', opclass: 'bit_hamming_ops', metric: 'Hamming distance' },
  sparsevec: { name: 'embedding_sparse', operator: '<#>', opclass: 'sparsevec_ip_ops', metric: 'negative inner product' },
};

const TABLE = 'sentencekit_items';

/** Creates the extension and the table (dropping an older one) for `dimension`-d vectors over a `vocabulary`-sized sparse space. */
export async function createTable(query: Query, dimension: number, vocabulary: number): Promise<void> {
  await query('CREATE EXTENSION IF NOT EXISTS vector');
  await query(`DROP TABLE IF EXISTS ${TABLE}`);
  await query(`CREATE TABLE ${TABLE} (
    id integer PRIMARY KEY,
    body text NOT NULL,
    embedding vector(${dimension}) NOT NULL,
    embedding_half halfvec(${dimension}) NOT NULL,
    embedding_bits bit(${dimension}) NOT NULL,
    embedding_sparse sparsevec(${vocabulary}) NOT NULL
  )`);
}

/** One row of a 'ubinary' QuantizedEmbeddings as a bit string, most significant bit first as numpy's packbits. */
export function bitString(bits: QuantizedEmbeddings, row: number): string {
  let out = '';
  for (let i = 0; i < bits.dimension; i++) {
    const byte = bits.data[row * bits.bytesPerRow + (i >> 3)] as number;
    out += (byte >> (7 - (i & 7))) & 1 ? '1' : '0';
  }
  return out;
}

/** One row of SparseEmbeddings as pgvector's SparseVector. */
export function sparseVector(sparse: SparseEmbeddings, row: number): SparseVector {
  const { indices, values } = sparse.row(row);
  return new SparseVector(new Map(Array.from(indices, (index, i) => [index, values[i] as number])), sparse.dimension);
}

/** The texts and their four encodings, row i of each belonging to texts[i]. */
export interface Encoded {
  texts: string[];
  dense: Embeddings;
  bits: QuantizedEmbeddings;
  sparse: SparseEmbeddings;
}

/** Inserts every text (ids 0..n-1) with its encodings, `batch` rows per statement. */
export async function insertAll(query: Query, { texts, dense, bits, sparse }: Encoded, batch = 200): Promise<void> {
  for (let start = 0; start < texts.length; start += batch) {
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (let i = start; i < Math.min(start + batch, texts.length); i++) {
      const vector = toSql(Array.from(dense.row(i)));
      const p = params.length;
      tuples.push(`($${p + 1}, $${p + 2}, $${p + 3}::vector, $${p + 3}::vector::halfvec, $${p + 4}::bit(${bits.dimension}), $${p + 5})`);
      params.push(i, texts[i], vector, bitString(bits, i), toSql(sparseVector(sparse, i)));
    }
    await query(`INSERT INTO ${TABLE} (id, body, embedding, embedding_half, embedding_bits, embedding_sparse) VALUES ${tuples.join(', ')}`, params);
  }
}

/** Builds an HNSW index on each column (pgvector's defaults: m 16, ef_construction 64). */
export async function createIndexes(query: Query): Promise<void> {
  for (const { name, opclass } of Object.values(COLUMNS)) {
    await query(`CREATE INDEX IF NOT EXISTS ${TABLE}_${name}_hnsw ON ${TABLE} USING hnsw (${name} ${opclass})`);
  }
}

/** A query vector in the column's SQL text form. */
export type QueryValue = { dense: Float32Array } | { bits: string } | { sparse: SparseVector };

/** One hit: the row id and pgvector's distance (smaller is closer). */
export interface Hit {
  id: number;
  distance: number;
}

/**
 * The `k` nearest rows by the column's distance, through its HNSW index; `exact: true` turns
 * index scans off instead, so PostgreSQL scans every row (the reference the index is measured
 * against). The planner settings are per session: pass a query function on one connection
 * (PGlite, a pg Client, or a client checked out of a Pool).
 */
export async function nearest(query: Query, column: Column, value: QueryValue, k: number, exact = false): Promise<Hit[]> {
  const { rows } = await withPlanner(query, exact, () => query(nearestSql(column, value, k).sql, nearestSql(column, value, k).params));
  return (rows as Array<{ id: number; distance: number | string }>).map((row) => ({ id: Number(row.id), distance: Number(row.distance) }));
}

/** PostgreSQL's plan for nearest(): an Index Scan on the HNSW index, or a Seq Scan when exact. */
export async function plan(query: Query, column: Column, value: QueryValue, k: number, exact = false): Promise<string> {
  const { sql, params } = nearestSql(column, value, k);
  const { rows } = await withPlanner(query, exact, () => query(`EXPLAIN ${sql}`, params));
  return (rows as Array<Record<string, string>>).map((row) => row['QUERY PLAN']).join('\n');
}

function nearestSql(column: Column, value: QueryValue, k: number): { sql: string; params: unknown[] } {
  const { name, operator } = COLUMNS[column];
  const param = 'dense' in value ? toSql(Array.from(value.dense)) : 'bits' in value ? value.bits : toSql(value.sparse);
  const cast = column === 'bit' ? `bit(${(param as string).length})` : column;
  return { sql: `SELECT id, ${name} ${operator} $1::${cast} AS distance FROM ${TABLE} ORDER BY ${name} ${operator} $1::${cast} LIMIT ${Number(k)}`, params: [param] };
}

// A small table may be planned as a sequential scan and a sort, which is exact: the index
// search turns sequential scans off so the HNSW index is what answers.
async function withPlanner<T>(query: Query, exact: boolean, run: () => Promise<T>): Promise<T> {
  const setting = exact ? 'enable_indexscan' : 'enable_seqscan';
  await query(`SET ${setting} = off`);
  try {
    return await run();
  } finally {
    await query(`RESET ${setting}`);
  }
}
