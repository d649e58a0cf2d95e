// cpu-level-independent: the levels stage does not run this file again.
// Typed arrays that native code reads off the JavaScript thread (semanticSearch, quantized
// search and its rescoring, similarityAsync, DeviceCorpus) while the caller detaches, moves or
// shrinks their buffer mid-call: the result must be the one the arrays held when the call was
// made (the library copies the caller's arrays first; lib/off-thread-input.ts). Without the
// copy, the worker read memory the caller no longer owned: after a structuredClone transfer it
// scored the new owner's writes (every hit 1792 = 7 × 256), after a resizable buffer shrank it
// read zeros. An array already detached or shrunk before the call is a TypeError.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { DeviceCorpus, Embeddings, quantizeEmbeddings, quantizedSemanticSearch, semanticSearch, semanticSearchFlat, similarity, similarityAsync } from '../../lib/index.js';
import { throwsError, rejectsError } from '../helpers/errors.js';
import { testIf } from '../helpers/skip.js';

// Large enough that the scan is still running when the caller's next statement executes.
const ROWS = 60_000;
const DIM = 256;

type Detach = (buffer: ArrayBuffer) => void;

const hasTransfer = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function';

// Each way a caller can take a buffer away mid-call, and then scribble where it was.
const DETACHES: Record<string, Detach> = {
  'structuredClone with transfer': (buffer) => {
    const moved = structuredClone(buffer, { transfer: [buffer] });
    new Uint8Array(moved).fill(0x40);
  },
  'postMessage with transfer': (buffer) => {
    const { port1, port2 } = new MessageChannel();
    port2.on('message', (moved: ArrayBuffer) => new Uint8Array(moved).fill(0x40));
    port1.postMessage(buffer, [buffer]);
    setTimeout(() => (port1.close(), port2.close()), 50);
  },
  'resizable buffer shrunk and regrown': (buffer) => {
    const resizable = buffer as ArrayBuffer & { resize(length: number): void; maxByteLength: number };
    resizable.resize(0);
    resizable.resize(resizable.maxByteLength);
    new Uint8Array(resizable).fill(0x40);
  },
  'resizable buffer shrunk to half': (buffer) => {
    const resizable = buffer as ArrayBuffer & { resize(length: number): void };
    resizable.resize(Math.floor(buffer.byteLength / 8) * 4);
    new Uint8Array(resizable).fill(0x40);
  },
};
const TRANSFER = 'ArrayBuffer.prototype.transfer';
if (hasTransfer) {
  DETACHES[TRANSFER] = (buffer) => {
    const moved = (buffer as ArrayBuffer & { transfer(): ArrayBuffer }).transfer();
    new Uint8Array(moved).fill(0x40);
  };
}
// Set in the child below: it runs only the transfer cases.
const only = process.env.SENTENCEKIT_DETACH_ONLY;

// ArrayBuffer's ES2024 constructor options, which this TypeScript lib does not declare yet.
const ResizableArrayBuffer = ArrayBuffer as unknown as new (length: number, options?: { maxByteLength: number }) => ArrayBuffer;

// Values computed once; each call's rows start `seed` rows into them.
const TEMPLATE = Float32Array.from({ length: (ROWS + 16) * DIM }, (_, i) => Math.sin(i * 0.37) + (i % 7) / 10);

/** Rows over a buffer of their own: resizable for the shrinking case. */
function rows(count: number, seed: number, resizable: boolean): Float32Array {
  const bytes = count * DIM * 4;
  const data = new Float32Array(resizable ? new ResizableArrayBuffer(bytes, { maxByteLength: bytes }) : new ArrayBuffer(bytes));
  data.set(TEMPLATE.subarray(seed * DIM, (seed + count) * DIM));
  return data;
}

function sameHits(actual: unknown, expected: unknown, what: string): void {
  assert.equal(JSON.stringify(actual), JSON.stringify(expected), `${what}: the result changed when the buffer was taken away mid-call`);
}

for (const [how, detach] of Object.entries(DETACHES)) {
  if (only !== undefined && how !== only) continue;
  const resizable = how.startsWith('resizable');

  test(`semanticSearch reads the corpus and queries as they were (${how})`, async () => {
    const expected = await semanticSearchFlat(new Embeddings(rows(3, 2, false), 3, DIM), new Embeddings(rows(ROWS, 1, false), ROWS, DIM), { topK: 5 });
    const corpus = rows(ROWS, 1, resizable);
    const queries = rows(3, 2, resizable);
    const pending = semanticSearchFlat(new Embeddings(queries, 3, DIM), new Embeddings(corpus, ROWS, DIM), { topK: 5 });
    detach(corpus.buffer as ArrayBuffer);
    detach(queries.buffer as ArrayBuffer);
    sameHits(await pending, expected, 'semanticSearch');
  });

  test(`quantizedSemanticSearch reads an int8 and a ubinary corpus as they were (${how})`, async () => {
    const source = new Embeddings(rows(ROWS, 3, false), ROWS, DIM);
    const queries = new Embeddings(rows(2, 4, false), 2, DIM);
    for (const precision of ['int8', 'ubinary'] as const) {
      const quantized = quantizeEmbeddings(source, precision);
      const expected = await quantizedSemanticSearch(queries, { ...quantized, data: quantized.data.slice() }, { topK: 4 });
      // The caller's copy on a buffer of the kind under test.
      const own = new Uint8Array(resizable ? new ResizableArrayBuffer(quantized.data.byteLength, { maxByteLength: quantized.data.byteLength }) : new ArrayBuffer(quantized.data.byteLength));
      own.set(new Uint8Array(quantized.data.buffer, quantized.data.byteOffset, quantized.data.byteLength));
      const data = precision === 'int8' ? new Int8Array(own.buffer) : own;
      const pending = quantizedSemanticSearch(queries, { ...quantized, data }, { topK: 4 });
      detach(own.buffer as ArrayBuffer);
      sameHits(await pending, expected, precision);
    }
  });

  test(`similarityAsync reads both operands as they were (${how})`, async () => {
    const a = rows(8, 5, resizable);
    const b = rows(ROWS / 4, 6, resizable);
    const expected = similarity(new Embeddings(a.slice(), 8, DIM), new Embeddings(b.slice(), ROWS / 4, DIM), 'dot');
    const pending = similarityAsync(new Embeddings(a, 8, DIM), new Embeddings(b, ROWS / 4, DIM), 'dot');
    detach(b.buffer as ArrayBuffer);
    detach(a.buffer as ArrayBuffer);
    const scores = await pending;
    assert.ok(scores.data.every((value, i) => value === expected.data[i]), 'similarityAsync scored memory the caller no longer held');
  });

  test(`a DeviceCorpus keeps its rows when the caller's buffer goes (${how})`, async () => {
    const corpus = rows(ROWS, 7, resizable);
    const queries = new Embeddings(rows(2, 8, false), 2, DIM);
    const expected = await semanticSearch(queries, new Embeddings(corpus.slice(), ROWS, DIM), { topK: 3 });
    const uploading = DeviceCorpus.upload(new Embeddings(corpus, ROWS, DIM), { device: 'cpu' });
    detach(corpus.buffer as ArrayBuffer);
    const onDevice = await uploading;
    try {
      sameHits(await onDevice.search(queries, { topK: 3 }), expected, 'DeviceCorpus');
    } finally {
      onDevice.dispose();
    }
  });
}

// Node 20 has ArrayBuffer.prototype.transfer behind a V8 flag (it ships in 21): a child node
// with the flag runs this file's four transfer cases there.
if (only === undefined) {
  testIf(!hasTransfer, 'Node has ArrayBuffer.prototype.transfer: the cases above ran it')('ArrayBuffer.prototype.transfer mid-call, in a node with --harmony-rab-gsab-transfer', () => {
    const child = spawnSync(
      process.execPath,
      ['--harmony-rab-gsab-transfer', join(process.cwd(), 'node_modules', 'uvu', 'bin.js'), join('test', 'unit'), '^detached-buffers\\.test\\.ts$', '-r', 'tsx/cjs'],
      { env: { ...process.env, SENTENCEKIT_DETACH_ONLY: TRANSFER, FORCE_COLOR: '0' }, encoding: 'utf8', timeout: 120_000 },
    );
    const output = `${child.stdout}${child.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
    assert.is(child.status, 0, `the transfer cases failed:\n${output}`);
    assert.match(output, /Total:\s+4\s+Passed:\s+4\s+Skipped:\s+0/, `expected the four transfer cases to pass:\n${output}`);
  });

  test('arrays over a SharedArrayBuffer are read in place and give the same results', async () => {
    const shared = new Float32Array(new SharedArrayBuffer(ROWS * DIM * 4));
    shared.set(rows(ROWS, 9, false));
    const queries = new Embeddings(rows(2, 10, false), 2, DIM);
    const expected = await semanticSearch(queries, new Embeddings(shared.slice(), ROWS, DIM), { topK: 3 });
    sameHits(await semanticSearch(queries, new Embeddings(shared, ROWS, DIM), { topK: 3 }), expected, 'SharedArrayBuffer corpus');
    // structuredClone cannot take a SharedArrayBuffer away: it refuses to transfer one.
    throwsError(() => structuredClone(shared.buffer, { transfer: [shared.buffer as unknown as ArrayBuffer] }), Error);
  });

  test('embeddings whose buffer was detached or shrunk before the call are a TypeError naming why', async () => {
    const detached = (): Embeddings => {
      const data = rows(4, 11, false);
      const embeddings = new Embeddings(data, 4, DIM);
      structuredClone(data.buffer, { transfer: [data.buffer as ArrayBuffer] });
      return embeddings;
    };
    const shrunk = (): Embeddings => {
      const data = rows(4, 12, true);
      const embeddings = new Embeddings(data, 4, DIM);
      (data.buffer as ArrayBuffer & { resize(length: number): void }).resize(DIM * 4);
      return embeddings;
    };
    const fine = new Embeddings(rows(4, 13, false), 4, DIM);
    for (const [make, why] of [[detached, /buffer was detached \(transferred\)/], [shrunk, /resizable buffer was shrunk/]] as const) {
      throwsError(() => similarity(make(), fine), TypeError, why, 'similarity');
      throwsError(() => similarity(fine, make()), TypeError, why, 'similarity b');
      throwsError(() => quantizeEmbeddings(make(), 'int8'), TypeError, why, 'quantizeEmbeddings');
      await rejectsError(() => similarityAsync(make(), fine), TypeError, why, 'similarityAsync');
      await rejectsError(() => semanticSearch(fine, make()), TypeError, why, 'semanticSearch');
      await rejectsError(() => DeviceCorpus.upload(make(), { device: 'cpu' }), TypeError, why, 'DeviceCorpus.upload');
    }
    const quantized = quantizeEmbeddings(fine, 'int8');
    structuredClone(quantized.data.buffer, { transfer: [quantized.data.buffer as ArrayBuffer] });
    await rejectsError(() => quantizedSemanticSearch(fine, quantized), TypeError, /corpus\.data to hold 1024 values but its buffer was detached/, 'quantizedSemanticSearch');
  });
}

test.run();
