/**
 * The three ways the example reaches PostgreSQL, each as a `Query` function: PGlite in this
 * process (PostgreSQL compiled to WebAssembly, with its pgvector extension), PGlite served over
 * the PostgreSQL wire protocol by pglite-socket and read with the ordinary `pg` client, and any
 * PostgreSQL server with pgvector installed (a `postgres://` URL) through `pg`.
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';

import type { Query } from './store.js';

export interface Connection {
  query: Query;
  close(): Promise<void>;
}

/** An in-memory PGlite with pgvector. */
export async function openPGlite(): Promise<Connection & { db: PGlite }> {
  const db = await PGlite.create({ extensions: { vector } });
  return { db, query: (sql, params) => db.query(sql, params), close: () => db.close() };
}

/** A `pg` client on a PostgreSQL server (a real one, or PGlite behind pglite-socket). */
export async function connectPg(connectionString: string): Promise<Connection> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  return { query: (sql, params) => client.query(sql, params), close: () => client.end() };
}

/** Serves `db` over the wire protocol on a free local port; returns its postgres:// URL. */
export async function serveOverWire(db: PGlite): Promise<{ url: string; stop(): Promise<void> }> {
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const address = server.getServerConn();
  return { url: `postgres://postgres@${address}/postgres?sslmode=disable`, stop: () => server.stop() };
}
