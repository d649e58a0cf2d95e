/**
 * A restricted pickle machine for what torch.save writes for a state dict (pickle protocol
 * 2): an OrderedDict of tensors built by torch._utils._rebuild_tensor_v2 over persistent
 * storages ('storage', torch.FloatStorage, key, location, numel[, None]), plus the small
 * header pickles (magic number, protocol, sys_info, storage keys) of the pre-1.6 format. It
 * runs no code: only those globals are known, and any other global or opcode is refused with
 * its name, so a malicious or unexpected pickle cannot do more than fail.
 * Internal: not exported from the package entry point.
 */

/** Thrown with a reason; the caller adds the file name and the error code. */
export class PickleFormatError extends Error {}

export type StorageDtype = 'float32' | 'float16' | 'bfloat16' | 'int64';

export interface StorageRef {
  kind: 'storage';
  dtype: StorageDtype;
  /** The name of the raw storage under <archive>/data/. */
  key: string;
  /** Elements in the storage. */
  numel: number;
}

export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  /** In elements. */
  offset: number;
  shape: number[];
  stride: number[];
}

interface GlobalRef {
  kind: 'global';
  name: string;
}

interface DictValue {
  kind: 'dict';
  entries: Map<string, Value>;
}

/** An integer too wide for a double (the pre-1.6 magic number), as little-endian hex. */
export interface LongValue {
  kind: 'long';
  hex: string;
}

interface ListValue {
  kind: 'list';
  items: Value[];
}

export type Value = string | number | boolean | null | Value[] | GlobalRef | DictValue | ListValue | LongValue | StorageRef | TensorRef;

const STORAGE_TYPES: Record<string, StorageDtype> = {
  'torch FloatStorage': 'float32',
  'torch HalfStorage': 'float16',
  'torch BFloat16Storage': 'bfloat16',
  // transformers < 4.31 saved position_ids buffers (int64) in CLIP's and BERT's state dicts.
  'torch LongStorage': 'int64',
};
const KNOWN_GLOBALS = new Set(['collections OrderedDict', 'torch._utils _rebuild_tensor_v2', ...Object.keys(STORAGE_TYPES)]);

const MARK = Symbol('mark');

function isGlobal(value: unknown, name: string): value is GlobalRef {
  return typeof value === 'object' && value !== null && (value as GlobalRef).kind === 'global' && (value as GlobalRef).name === name;
}

function isIntegerTuple(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0);
}

function rebuildTensor(args: Value): TensorRef {
  // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
  if (!Array.isArray(args) || args.length < 6) throw new PickleFormatError('_rebuild_tensor_v2 called with unexpected arguments');
  const [storage, offset, shape, stride] = args;
  if (typeof storage !== 'object' || storage === null || (storage as StorageRef).kind !== 'storage') {
    throw new PickleFormatError('_rebuild_tensor_v2 expects a persistent storage');
  }
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || !isIntegerTuple(shape) || !isIntegerTuple(stride) || shape.length !== stride.length) {
    throw new PickleFormatError('_rebuild_tensor_v2 has a malformed offset, size or stride');
  }
  return { kind: 'tensor', storage: storage as StorageRef, offset, shape, stride };
}

function persistentStorage(pid: Value): StorageRef {
  // The pre-1.6 format adds view_metadata, None unless the tensor views part of a storage.
  if (!Array.isArray(pid) || !(pid.length === 5 || (pid.length === 6 && pid[5] === null)) || pid[0] !== 'storage') {
    throw new PickleFormatError('unsupported persistent id (expected a storage)');
  }
  const [, type, key, , numel] = pid;
  const dtype = typeof type === 'object' && type !== null && (type as GlobalRef).kind === 'global' ? STORAGE_TYPES[(type as GlobalRef).name] : undefined;
  if (dtype === undefined) throw new PickleFormatError('unsupported storage type in persistent id');
  if (typeof key !== 'string' || !/^[0-9A-Za-z_]+$/.test(key)) throw new PickleFormatError('malformed storage key in persistent id');
  if (typeof numel !== 'number' || !Number.isInteger(numel) || numel < 0) throw new PickleFormatError('malformed storage size in persistent id');
  return { kind: 'storage', dtype, key, numel };
}

/** The state dict a pickle's result holds: parameter name → tensor reference. */
export function asStateDict(result: Value): Map<string, TensorRef> {
  if (typeof result !== 'object' || result === null || (result as DictValue).kind !== 'dict') {
    throw new PickleFormatError('the pickle does not hold a state dict');
  }
  const tensors = new Map<string, TensorRef>();
  for (const [name, value] of (result as DictValue).entries) {
    if (typeof value !== 'object' || value === null || (value as TensorRef).kind !== 'tensor') {
      throw new PickleFormatError(`state dict entry ${JSON.stringify(name)} is not a tensor`);
    }
    tensors.set(name, value as TensorRef);
  }
  return tensors;
}

/** The strings of a pickled list (the pre-1.6 format's storage keys, in file order). */
export function asStringList(result: Value): string[] {
  const items = typeof result === 'object' && result !== null && (result as ListValue).kind === 'list' ? (result as ListValue).items : undefined;
  if (items === undefined || !items.every((item): item is string => typeof item === 'string')) throw new PickleFormatError('expected a list of storage keys');
  return items;
}

/** A plain dict's entries (the pre-1.6 format's sys_info). */
export function asDict(result: Value): Map<string, Value> {
  if (typeof result !== 'object' || result === null || (result as DictValue).kind !== 'dict') throw new PickleFormatError('expected a dict');
  return (result as DictValue).entries;
}

/** Runs data.pkl (the zip format) and returns its state dict. */
export function readStateDictPickle(bytes: Buffer): Map<string, TensorRef> {
  return asStateDict(runPickle(bytes, 0).value);
}

/** Runs one pickle starting at byte `start`; returns its value and the byte after STOP. */
export function runPickle(bytes: Buffer, start: number): { value: Value; end: number } {
  const stack: Array<Value | typeof MARK> = [];
  const memo = new Map<number, Value>();
  let at = start;

  const need = (n: number): void => {
    if (at + n > bytes.length) throw new PickleFormatError('the pickle ends early (truncated?)');
  };
  const pop = (): Value => {
    const value = stack.pop();
    if (value === undefined || value === MARK) throw new PickleFormatError('stack underflow');
    return value;
  };
  const top = (): Value => {
    const value = stack[stack.length - 1];
    if (value === undefined || value === MARK) throw new PickleFormatError('stack underflow');
    return value;
  };
  const popToMark = (): Value[] => {
    const mark = stack.lastIndexOf(MARK);
    if (mark < 0) throw new PickleFormatError('no MARK on the stack');
    const items = stack.splice(mark) as Array<Value | typeof MARK>;
    return items.slice(1) as Value[];
  };
  const setItems = (dict: Value, items: Value[]): void => {
    if (typeof dict !== 'object' || dict === null || (dict as DictValue).kind !== 'dict') throw new PickleFormatError('SETITEM on a non-dict');
    if (items.length % 2 !== 0) throw new PickleFormatError('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if (typeof key !== 'string') throw new PickleFormatError('dictionary keys must be strings');
      (dict as DictValue).entries.set(key, items[i + 1] as Value);
    }
  };
  const readLine = (): string => {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0) throw new PickleFormatError('the pickle ends early (truncated?)');
    const line = bytes.toString('utf8', at, end);
    at = end + 1;
    return line;
  };

  for (;;) {
    need(1);
    const opcode = bytes[at] as number;
    at += 1;
    switch (opcode) {
      case 0x80: // PROTO
        need(1);
        if ((bytes[at] as number) > 2) throw new PickleFormatError(`pickle protocol ${bytes[at]} (torch.save writes protocol 2)`);
        at += 1;
        break;
      case 0x2e: // STOP
        return { value: pop(), end: at };
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: // TUPLE
        stack.push(popToMark());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: { // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push({ kind: 'dict', entries: new Map() });
        break;
      case 0x5d: // EMPTY_LIST
        stack.push({ kind: 'list', items: [] });
        break;
      case 0x61: // APPEND
      case 0x65: { // APPENDS
        const items = opcode === 0x61 ? [pop()] : popToMark();
        const list = top();
        if (typeof list !== 'object' || list === null || (list as ListValue).kind !== 'list') throw new PickleFormatError('APPEND to a non-list');
        // One push per item: spreading a long APPENDS into push() overflows the call stack.
        for (const item of items) (list as ListValue).items.push(item);
        break;
      }
      case 0x73: { // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popToMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        need(1);
        memo.set(bytes[at] as number, top());
        at += 1;
        break;
      case 0x72: // LONG_BINPUT
        need(4);
        memo.set(bytes.readUInt32LE(at), top());
        at += 4;
        break;
      case 0x68: // BINGET
      case 0x6a: { // LONG_BINGET
        const width = opcode === 0x68 ? 1 : 4;
        need(width);
        const index = width === 1 ? (bytes[at] as number) : bytes.readUInt32LE(at);
        at += width;
        const value = memo.get(index);
        if (value === undefined) throw new PickleFormatError(`memo ${index} used before it was set`);
        stack.push(value);
        break;
      }
      case 0x4a: // BININT
        need(4);
        stack.push(bytes.readInt32LE(at));
        at += 4;
        break;
      case 0x4b: // BININT1
        need(1);
        stack.push(bytes[at] as number);
        at += 1;
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(bytes.readUInt16LE(at));
        at += 2;
        break;
      case 0x8a: { // LONG1: little-endian two's complement; wider than 6 bytes stays opaque
        need(1);
        const length = bytes[at] as number;
        at += 1;
        need(length);
        if (length > 6) {
          stack.push({ kind: 'long', hex: bytes.toString('hex', at, at + length) });
          at += length;
          break;
        }
        let value = 0;
        for (let i = length - 1; i >= 0; i -= 1) value = value * 256 + (bytes[at + i] as number);
        if (length > 0 && ((bytes[at + length - 1] as number) & 0x80) !== 0) value -= 2 ** (8 * length);
        at += length;
        stack.push(value);
        break;
      }
      case 0x58: { // BINUNICODE
        need(4);
        const length = bytes.readUInt32LE(at);
        at += 4;
        need(length);
        stack.push(bytes.toString('utf8', at, at + length));
        at += length;
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x63: { // GLOBAL
        const name = `${readLine()} ${readLine()}`;
        if (!KNOWN_GLOBALS.has(name)) throw new PickleFormatError(`refusing unknown global ${name.replace(' ', '.')}`);
        stack.push({ kind: 'global', name });
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const callable = pop();
        if (isGlobal(callable, 'collections OrderedDict')) {
          if (!Array.isArray(args) || args.length !== 0) throw new PickleFormatError('OrderedDict called with arguments');
          stack.push({ kind: 'dict', entries: new Map() });
        } else if (isGlobal(callable, 'torch._utils _rebuild_tensor_v2')) {
          stack.push(rebuildTensor(args));
        } else {
          throw new PickleFormatError('REDUCE of something other than OrderedDict or _rebuild_tensor_v2');
        }
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistentStorage(pop()));
        break;
      case 0x62: { // BUILD: a state dict's _metadata (module versions) is set as its attribute
        const state = pop();
        const target = top();
        if (typeof target !== 'object' || target === null || (target as DictValue).kind !== 'dict' ||
            typeof state !== 'object' || state === null || (state as DictValue).kind !== 'dict') {
          throw new PickleFormatError('BUILD on something other than a state dict');
        }
        break;
      }
      default:
        throw new PickleFormatError(`unsupported pickle opcode 0x${opcode.toString(16).padStart(2, '0')} at byte ${at - 1}`);
    }
  }
}
