/**
 * Typed arrays that native code reads off the JavaScript thread (semantic search, quantized
 * search and its rescoring, similarityAsync, DeviceCorpus uploads). The caller's code keeps
 * running while the worker reads, and could detach the buffer meanwhile (structuredClone or
 * postMessage with a transfer list, ArrayBuffer.prototype.transfer) or shrink a resizable one:
 * V8 then frees or moves the memory under the worker. Node-API keeps the JavaScript object
 * alive but cannot keep its buffer attached, so a caller's array is copied here, on the
 * JavaScript thread, before the call. Two kinds need no copy: arrays made by this call itself
 * (nobody else holds them) and arrays over a SharedArrayBuffer (never detached, never shrunk).
 * An array already detached or shrunk before the call is a TypeError, not a short read.
 * Internal: not exported from the package entry point.
 */

type Rows = Float32Array | Int8Array | Uint8Array | Int32Array;

/**
 * Throws a TypeError unless `view` still holds the `length` elements its owner promises (an
 * Embeddings' rows × dimension): a detached buffer reads as length 0, a shrunk resizable one
 * as shorter.
 */
export function checkAttached(view: Rows, length: number, what: string): void {
  if (view.length >= length) return;
  const buffer = view.buffer as ArrayBuffer & { detached?: boolean; resizable?: boolean };
  const why = buffer.detached === true || (view.byteLength === 0 && length > 0) ? 'its buffer was detached (transferred)'
    : buffer.resizable === true ? 'its resizable buffer was shrunk' : `it holds ${view.length}`;
  throw new TypeError(`expected ${what} to hold ${length} values but ${why}`);
}

/**
 * `view` as native code may read it off the JavaScript thread: itself when `owned` (made by the
 * calling function) or over a SharedArrayBuffer, else a copy of its first `length` elements.
 */
export function forOffThreadRead<T extends Rows>(view: T, length: number, owned: boolean, what: string): T {
  checkAttached(view, length, what);
  if (owned || (typeof SharedArrayBuffer !== 'undefined' && view.buffer instanceof SharedArrayBuffer)) return view;
  return view.slice(0, length) as T;
}
