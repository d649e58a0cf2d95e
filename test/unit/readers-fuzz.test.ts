// cpu-level-independent: the levels stage does not run this file again.
// Property-based fuzzing (fast-check) of the TypeScript readers of downloaded files: torch
// checkpoints (lib/zip-stored.ts + lib/torch-pickle.ts), Dense weights (lib/safetensors.ts) and
// every JSON file a model folder brings (modules.json, the module configs, tokenizer_config,
// router_config). Each property holds for any input: the reader returns what the file says or
// fails with ERR_MODEL_LOAD (ZipFormatError / PickleFormatError inside the checkpoint reader),
// never a TypeError, a RangeError, a stack overflow or a hang. Inputs are the committed
// fixtures mutated (bytes set, inserted, deleted, truncated, lengths replaced by extremes) and
// structured ones (pickle opcode sequences, safetensors headers, zip directories, JSON values).
// FUZZ_RUNS sets the runs per property (CI: the default below; RELIABILITY.md records longer
// runs), FUZZ_SEED replays a run; a failure prints its seed and the shrunk counterexample.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { readCrossEncoderFolder } from '../../lib/cross-encoder-folder.js';
import { SentenceKitError } from '../../lib/errors.js';
import { detectModelClass } from '../../lib/model-class.js';
import { parsePoolingConfig, readSentenceTransformerFolder } from '../../lib/model-folder.js';
import { parseSafetensors } from '../../lib/safetensors.js';
import { readSparseEncoderFolder } from '../../lib/sparse-encoder-folder.js';
import { parseTorchStateDict } from '../../lib/torch-checkpoint.js';
import { PickleFormatError, runPickle } from '../../lib/torch-pickle.js';
import { readStoredZip, ZipFormatError } from '../../lib/zip-stored.js';
import { rejectsError } from '../helpers/errors.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { checkpoint, floats, global, int1, op, statePickle, storedZip, unicode } from '../helpers/torch-files.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };
const params = { numRuns: RUNS, ...SEED };
// Async properties write a model folder per run: fewer of them in the same time.
const folderParams = { numRuns: Math.max(1, Math.round(RUNS / 3)), ...SEED };

/** A failure is only allowed as ERR_MODEL_LOAD; any other throw fails the property. */
function loadsOrRefuses<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch (error) {
    if (error instanceof SentenceKitError && error.code === 'ERR_MODEL_LOAD') return undefined;
    throw error;
  }
}

async function loadsOrRefusesAsync(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof SentenceKitError && error.code === 'ERR_MODEL_LOAD') return;
    throw error;
  }
}

// --- Byte mutations of a real file ---------------------------------------------------------

type Edit =
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'u32'; at: number; value: number }
  | { kind: 'u64'; at: number; value: bigint };

const EXTREME_U32 = [0, 1, 2, 0x7f, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const EXTREME_U64 = [0n, 1n, 7n, 2n ** 31n, 2n ** 32n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 64n - 1n];

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }) },
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.constantFrom(...EXTREME_U32) }) },
  fc.record({ kind: fc.constant('u64' as const), at: fc.nat(), value: fc.constantFrom(...EXTREME_U64) }),
);

function mutate(original: Buffer, edits: Edit[]): Buffer {
  let bytes = Buffer.from(original);
  for (const edit of edits) {
    const at = bytes.length === 0 ? 0 : edit.at % bytes.length;
    switch (edit.kind) {
      case 'set':
        if (bytes.length > 0) bytes[at] = edit.byte;
        break;
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(edit.bytes), bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + edit.length)]);
        break;
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
      case 'u32':
        if (at + 4 <= bytes.length) bytes.writeUInt32LE(edit.value, at);
        break;
      case 'u64':
        if (at + 8 <= bytes.length) bytes.writeBigUInt64LE(edit.value, at);
        break;
    }
  }
  return bytes;
}

const edits = fc.array(editArb, { minLength: 1, maxLength: 6 });

// --- Torch checkpoints ------------------------------------------------------------------------

const LEGACY = join(FIXTURES, 'tiny-bert-dense-legacy');
const CHECKPOINTS = [
  readFileSync(join(LEGACY, '2_Dense', 'pytorch_model.bin')), // pre-1.6 stream, float32
  readFileSync(join(LEGACY, '3_Dense', 'pytorch_model.bin')), // zip, float16
  checkpoint(statePickle({ numel: 6, offset: 0, size: [2, 3], stride: [3, 1] }), floats([1, 2, 3, 4, 5, 6])),
  checkpoint(statePickle({ storageType: 'BFloat16Storage', numel: 4, offset: 1, size: [3], stride: [1] }), Buffer.alloc(8, 0x3f)),
];

test('a mutated torch checkpoint parses or is ERR_MODEL_LOAD', () => {
  fc.assert(
    fc.property(fc.constantFrom(...CHECKPOINTS.keys()), edits, (which, changes) => {
      const tensors = loadsOrRefuses(() => parseTorchStateDict(mutate(CHECKPOINTS[which] as Buffer, changes), 'x.bin'));
      for (const tensor of tensors?.values() ?? []) {
        assert.is(tensor.data.length, tensor.shape.reduce((a, b) => a * b, 1), 'a tensor holds what its shape says');
      }
    }),
    params,
  );
});

// One pickle instruction; `banned` marks a GLOBAL outside the allow-list.
interface Token {
  bytes: Buffer;
  banned?: boolean;
}

const ALLOWED_GLOBALS: Array<[string, string]> = [['collections', 'OrderedDict'], ['torch._utils', '_rebuild_tensor_v2'], ['torch', 'FloatStorage'], ['torch', 'HalfStorage'], ['torch', 'BFloat16Storage'], ['torch', 'LongStorage']];
const BANNED_GLOBALS: Array<[string, string]> = [['posix', 'system'], ['os', 'system'], ['builtins', 'eval'], ['builtins', 'exec'], ['subprocess', 'Popen'], ['torch', 'IntStorage'], ['torch._utils', '_rebuild_parameter'], ['collections', 'defaultdict'], ['numpy.core.multiarray', '_reconstruct']];

const u32 = (value: number): Buffer => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value >>> 0, 0);
  return bytes;
};

// Whole instructions: each is one opcode with its own arguments, so the machine reaches them in turn.
const instructionArb: fc.Arbitrary<Token> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...'()t\x85\x86\x87}]aeusRQbN\x88\x89'.split('')).map((code) => ({ bytes: op(code) })) },
  { weight: 2, arbitrary: fc.constantFrom(...ALLOWED_GLOBALS).map(([module, name]) => ({ bytes: global(module, name) })) },
  fc.constantFrom(...BANNED_GLOBALS).map(([module, name]) => ({ bytes: global(module, name), banned: true })),
  fc.string({ maxLength: 12 }).map((text) => ({ bytes: unicode(text) })),
  fc.constantFrom('storage', 'cpu', '0', '1', 'w', 'little_endian').map((text) => ({ bytes: unicode(text) })),
  fc.integer({ min: 0, max: 255 }).map((n) => ({ bytes: int1(n) })),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => ({ bytes: Buffer.concat([op('J'), u32(n)]) })),
  fc.integer({ min: 0, max: 0xffff }).map((n) => ({ bytes: Buffer.concat([op('M'), Buffer.from([n & 0xff, n >> 8])]) })),
  fc.uint8Array({ maxLength: 12 }).map((bytes) => ({ bytes: Buffer.concat([op('\x8a'), Buffer.from([bytes.length]), Buffer.from(bytes)]) })),
  fc.integer({ min: 0, max: 4 }).map((n) => ({ bytes: Buffer.from([0x71, n]) })), // BINPUT
  fc.integer({ min: 0, max: 4 }).map((n) => ({ bytes: Buffer.from([0x68, n]) })), // BINGET
  fc.constantFrom(0, 1, 0xffffffff).map((n) => ({ bytes: Buffer.concat([op('r'), u32(n)]) })), // LONG_BINPUT
  fc.constantFrom(0, 1, 0xffffffff).map((n) => ({ bytes: Buffer.concat([op('j'), u32(n)]) })), // LONG_BINGET
  fc.constantFrom(0x7fffffff, 0xffffffff).map((n) => ({ bytes: Buffer.concat([op('X'), u32(n)]) })), // a string longer than the file
);
// And any bytes at all, whose length prefixes may swallow the next instructions as data.
const tokenArb: fc.Arbitrary<Token> = fc.oneof({ weight: 12, arbitrary: instructionArb }, fc.uint8Array({ minLength: 1, maxLength: 3 }).map((bytes) => ({ bytes: Buffer.from(bytes) })));


/** Every global a pickle's value refers to (cycles, made with the memo, are walked once). */
function globalsIn(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  const node = value as { kind?: string; name?: string; items?: unknown[]; entries?: Map<string, unknown>; storage?: unknown };
  if (node.kind === 'global') return [node.name as string];
  const children = Array.isArray(value) ? value : node.items ?? (node.entries ? [...node.entries.values()] : node.storage ? [node.storage] : []);
  return children.flatMap((child) => globalsIn(child, seen));
}

const ALLOWED_NAMES = new Set(ALLOWED_GLOBALS.map(([module, name]) => `${module} ${name}`));

test('a pickle of any opcodes and bytes is read or refused with PickleFormatError, holding no global outside the allow-list', () => {
  fc.assert(
    fc.property(fc.array(tokenArb, { maxLength: 40 }), fc.boolean(), (tokens, withStop) => {
      const bytes = Buffer.concat([op('\x80\x02'), ...tokens.map((token) => token.bytes), ...(withStop ? [op('.')] : [])]);
      let value: unknown;
      try {
        value = runPickle(bytes, 0).value;
      } catch (error) {
        if (!(error instanceof PickleFormatError)) throw error;
        return;
      }
      const unknown = globalsIn(value).filter((name) => !ALLOWED_NAMES.has(name));
      assert.equal(unknown, [], 'a global outside the allow-list got into the result');
    }),
    params,
  );
});

test('a banned GLOBAL is refused when the machine reaches it: no pickle runs past one', () => {
  fc.assert(
    // Whole instructions only, so where each banned GLOBAL starts is an instruction the machine reaches.
    fc.property(fc.array(instructionArb, { maxLength: 40 }), fc.boolean(), (tokens, withStop) => {
      const bytes = Buffer.concat([op('\x80\x02'), ...tokens.map((token) => token.bytes), ...(withStop ? [op('.')] : [])]);
      const banned: number[] = [];
      let at = 2;
      for (const token of tokens) {
        if (token.banned) banned.push(at);
        at += token.bytes.length;
      }
      let end: number;
      try {
        end = runPickle(bytes, 0).end;
      } catch (error) {
        if (!(error instanceof PickleFormatError)) throw error;
        return;
      }
      assert.ok(banned.every((start) => start >= end), `a pickle ran to byte ${end} past a banned GLOBAL at ${banned.join(', ')}`);
    }),
    params,
  );
});

test('a long APPENDS or TUPLE is read without overflowing the stack', () => {
  // Spread arguments past V8's limit throw a RangeError; the machine must take any length.
  const items = Buffer.concat(Array.from({ length: 200_000 }, () => op('N')));
  const list = runPickle(Buffer.concat([op('\x80\x02]('), items, op('e.')]), 0).value as { kind: string; items: unknown[] };
  assert.is(list.items.length, 200_000);
  const tuple = runPickle(Buffer.concat([op('\x80\x02('), items, op('t.')]), 0).value as unknown[];
  assert.is(tuple.length, 200_000);
});

// --- Zip archives -----------------------------------------------------------------------------

const SAFE_SEGMENT = fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/).filter((segment) => segment !== '..' && segment !== '.');
const nameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(SAFE_SEGMENT, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/')) },
  fc.array(fc.oneof(SAFE_SEGMENT, fc.constant('..')), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')),
  SAFE_SEGMENT.map((name) => `/${name}`),
  fc.tuple(fc.constantFrom('C', 'c', 'Z'), SAFE_SEGMENT).map(([drive, name]) => `${drive}:${name}`),
  fc.array(SAFE_SEGMENT, { minLength: 2, maxLength: 3 }).map((parts) => parts.join('\\')),
  fc.string({ maxLength: 10 }),
);

function isSafeName(name: string): boolean {
  return name.length > 0 && !name.includes('\0') && !name.includes('\\') && !name.startsWith('/') && !/^[A-Za-z]:/.test(name) && !name.split('/').includes('..');
}

test('a zip directory with any names is read only when every name is a plain relative path, once', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(nameArb, fc.uint8Array({ maxLength: 8 })), { maxLength: 6 }), (entries) => {
      const bytes = storedZip(entries.map(([name, data]) => [name, Buffer.from(data)]));
      const names = entries.map(([name]) => name);
      const acceptable = names.every(isSafeName) && new Set(names).size === names.length;
      let read: Map<string, Buffer>;
      try {
        read = readStoredZip(bytes);
      } catch (error) {
        if (!(error instanceof ZipFormatError)) throw error;
        assert.not.ok(acceptable, `refused a plain archive: ${(error as Error).message}`);
        return;
      }
      assert.ok(acceptable, `accepted ${JSON.stringify(names)}`);
      assert.equal([...read.keys()], names);
      entries.forEach(([name, data]) => assert.equal([...(read.get(name) as Buffer)], [...data]));
    }),
    params,
  );
});

test('a mutated zip is read (with plain names only) or refused with ZipFormatError', () => {
  const archive = CHECKPOINTS[1] as Buffer;
  fc.assert(
    fc.property(edits, (changes) => {
      try {
        const read = readStoredZip(mutate(archive, changes));
        assert.ok([...read.keys()].every(isSafeName), JSON.stringify([...read.keys()]));
      } catch (error) {
        if (!(error instanceof ZipFormatError)) throw error;
      }
    }),
    params,
  );
});

// --- Safetensors --------------------------------------------------------------------------------

function safetensors(header: unknown, data: Buffer): Buffer {
  const text = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length), 0);
  return Buffer.concat([length, text, data]);
}

const DIM = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 4 }) },
  fc.constantFrom<unknown>(-1, 1.5, 2 ** 31, 2 ** 53, 2 ** 64, Number.MAX_VALUE, '3', null, true, [2]),
);
const OFFSET = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 80 }) }, fc.constantFrom<unknown>(-8, 0.5, 2 ** 53, 2 ** 64, '0', null));
const entryArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    dtype: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('F32', 'F16', 'BF16') }, fc.constantFrom<unknown>('I64', 'U8', 'F64', 'F8_E4M3', 'X', 7, null)),
    shape: fc.oneof({ weight: 5, arbitrary: fc.array(DIM, { maxLength: 4 }) }, fc.constantFrom<unknown>(null, 3, 'shape', {})),
    data_offsets: fc.oneof({ weight: 5, arbitrary: fc.tuple(OFFSET, OFFSET) }, fc.array(OFFSET, { maxLength: 3 }), fc.constantFrom<unknown>(null, 'x')),
  }, { requiredKeys: [] }) },
  fc.jsonValue({ maxDepth: 2 }),
);

test('a safetensors file with any header is read as its shapes say, or is ERR_MODEL_LOAD', () => {
  fc.assert(
    fc.property(
      fc.oneof({ weight: 5, arbitrary: fc.dictionary(fc.constantFrom('a', 'b', 'linear.weight', '__metadata__', '__proto__', 'constructor'), entryArb, { maxKeys: 4 }) }, fc.jsonValue({ maxDepth: 2 })),
      fc.integer({ min: 0, max: 96 }),
      (header, dataLength) => {
        const tensors = loadsOrRefuses(() => parseSafetensors(safetensors(header, Buffer.alloc(dataLength, 0x3c)), 'x.safetensors'));
        for (const tensor of tensors?.values() ?? []) assert.is(tensor.data.length, tensor.shape.reduce((a, b) => a * b, 1));
      },
    ),
    params,
  );
});

test('a mutated Dense model.safetensors is read or is ERR_MODEL_LOAD', () => {
  const original = readFileSync(join(FIXTURES, 'tiny-bert-dense', '2_Dense', 'model.safetensors'));
  fc.assert(fc.property(edits, (changes) => void loadsOrRefuses(() => parseSafetensors(mutate(original, changes), 'x.safetensors'))), params);
});

// --- The JSON files of model folders ----------------------------------------------------------

/**
 * A scratch copy of a fixture model folder, with the ONNX exports, tokenizer.json and
 * vocab.txt (which these readers only look for) as empty files.
 */
function scratchModel(name: string): string {
  const source = join(FIXTURES, name);
  const target = mkdtempSync(join(tmpdir(), `sentencekit-readers-fuzz-${name}-`));
  cpSync(source, target, {
    recursive: true,
    filter: (from) => {
      if (statSync(from).isDirectory()) return true;
      if (!/(\.onnx|tokenizer\.json|vocab\.txt)$/.test(from)) return true;
      const to = join(target, relative(source, from));
      mkdirSync(join(to, '..'), { recursive: true });
      writeFileSync(to, '');
      return false;
    },
  });
  return target;
}

// Each folder, the reader of its model class, and the JSON files it reads.
const FOLDERS: Array<{ fixture: string; read: (root: string) => Promise<unknown>; files: string[] }> = [
  {
    fixture: 'tiny-bert-dense',
    read: (root) => readSentenceTransformerFolder(root),
    files: ['modules.json', 'config_sentence_transformers.json', 'sentence_bert_config.json', 'config.json', 'tokenizer_config.json', '1_Pooling/config.json', '2_Dense/config.json', 'special_tokens_map.json'],
  },
  { fixture: 'tiny-ce-1label', read: (root) => readCrossEncoderFolder(root, undefined), files: ['modules.json', 'config.json', 'config_sentence_transformers.json', 'sentence_bert_config.json', 'tokenizer_config.json'] },
  { fixture: 'tiny-splade', read: (root) => readSparseEncoderFolder(root, undefined), files: ['modules.json', 'config.json', '1_SpladePooling/config.json', 'sentence_bert_config.json', 'config_sentence_transformers.json'] },
  {
    fixture: 'tiny-sparse-router',
    read: (root) => readSparseEncoderFolder(root, undefined),
    files: ['modules.json', 'router_config.json', 'query_0_SparseStaticEmbedding/config.json', 'query_0_SparseStaticEmbedding/tokenizer_config.json', 'document_1_SpladePooling/config.json', 'config_sentence_transformers.json'],
  },
];

// Keys the readers look for in some config, and values at the edges of what each could take.
const CONFIG_KEYS = [
  'num_labels', 'id2label', 'max_seq_length', 'do_lower_case', 'pooling_mode', 'include_prompt', 'embedding_dimension', 'truncate_dim',
  'prompts', 'default_prompt_name', 'similarity_fn_name', 'activation_fn', 'sentence_transformers', 'sbert_ce_default_activation_function',
  'in_features', 'out_features', 'bias', 'activation_function', 'use_residual', 'model_max_length', 'padding_side', 'pad_token',
  'types', 'structure', 'parameters', 'max_position_embeddings', 'transformer_task', 'pooling_strategy', 'path', 'model_type',
];
const EXTREME_VALUE = fc.oneof(
  fc.constantFrom<unknown>(-1, 0, 0.5, 1, 3, 2 ** 31, 1e9, 1e300, -1e300, '', '..', '../../x', '/etc', 'cls', [], {}, null, true, ['mean', 'mean'], { 0: 'x' }),
  fc.jsonValue({ maxDepth: 1 }),
);

/** The original JSON object with `key` set (added) at the top level. */
function addKey(original: string, key: string, value: unknown): string {
  const document = JSON.parse(original) as unknown;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return JSON.stringify({ [key]: value });
  return JSON.stringify({ ...document, [key]: value });
}

// A JSON file's new content: any JSON value, the original with a value swapped, or broken text.
const jsonContentArb = (original: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
    { weight: 3, arbitrary: fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })).map(([at, value]) => swapValue(original, at, value)) },
    { weight: 3, arbitrary: fc.tuple(fc.nat(), EXTREME_VALUE).map(([at, value]) => swapValue(original, at, value)) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...CONFIG_KEYS), EXTREME_VALUE).map(([key, value]) => addKey(original, key, value)) },
    fc.constantFrom('null', '[]', '{}', '"text"', '0', '-1', '1e400', '[null]', '[{"idx": 0}]', '{"__proto__": {"x": 1}}'),
    fc.tuple(fc.nat(), fc.string({ maxLength: 4 })).map(([at, text]) => original.slice(0, at % (original.length + 1)) + text),
  );

/** The original JSON with one of its values (chosen by `at`) replaced by `value`. */
function swapValue(original: string, at: number, value: unknown): string {
  const document = JSON.parse(original) as unknown;
  const holders: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach((item, i) => (holders.push([node, i]), walk(item)));
    else if (typeof node === 'object' && node !== null) for (const [key, item] of Object.entries(node)) holders.push([node as Record<string, unknown>, key]), walk(item);
  };
  walk(document);
  if (holders.length === 0) return JSON.stringify(value);
  const [holder, key] = holders[at % holders.length] as [Record<string, unknown>, string];
  holder[key] = value;
  return JSON.stringify(document);
}

for (const folder of FOLDERS) {
  test(`${folder.fixture}: any content in any of its JSON files loads or is ERR_MODEL_LOAD`, async () => {
    const root = scratchModel(folder.fixture);
    // A file the fixture lacks (special_tokens_map.json) is fuzzed too, and removed again after.
    const originals = new Map(folder.files.map((file) => [file, existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8') : undefined]));
    try {
      await folder.read(root); // the untouched copy loads
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...folder.files).chain((file) => fc.tuple(fc.constant(file), jsonContentArb(originals.get(file) ?? '{}'))),
          async ([file, content]) => {
            writeFileSync(join(root, file), content);
            try {
              await loadsOrRefusesAsync(() => folder.read(root));
              await loadsOrRefusesAsync(() => detectModelClass(root));
            } finally {
              const original = originals.get(file);
              if (original === undefined) rmSync(join(root, file));
              else writeFileSync(join(root, file), original);
            }
          },
        ),
        folderParams,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

// Found by the properties above, kept as plain cases: a config holding null (a TypeError where
// a key was read) and a cross-encoder's num_labels of 1e9 (a label name made per id: the
// process died out of memory after 45 s), -1 or 1.5 (a head with no labels).
test('found by fuzzing: null configs and hostile num_labels are ERR_MODEL_LOAD', async () => {
  const cases: Array<[string, string, (root: string) => Promise<unknown>, string, RegExp]> = [
    ['tiny-bert-dense', 'config_sentence_transformers.json', (root) => readSentenceTransformerFolder(root), 'null', /must hold a JSON object/],
    ['tiny-bert-dense', 'sentence_bert_config.json', (root) => readSentenceTransformerFolder(root), '[1]', /must hold a JSON object/],
    ['tiny-bert-dense', '2_Dense/config.json', (root) => readSentenceTransformerFolder(root), 'null', /must hold a JSON object/],
    ['tiny-splade', 'config.json', (root) => readSparseEncoderFolder(root, undefined), 'null', /must hold a JSON object/],
    ['tiny-ce-1label', 'config.json', (root) => readCrossEncoderFolder(root, undefined), 'null', /must hold a JSON object/],
  ];
  for (const value of [-1, 1.5, 1e9, '2']) {
    const config = JSON.parse(readFileSync(join(FIXTURES, 'tiny-ce-1label', 'config.json'), 'utf8')) as Record<string, unknown>;
    cases.push(['tiny-ce-1label', 'config.json', (root) => readCrossEncoderFolder(root, undefined), JSON.stringify({ ...config, num_labels: value }), /num_labels must be an integer from 1 to 1048576/]);
  }
  for (const [fixture, file, read, content, message] of cases) {
    const root = scratchModel(fixture);
    try {
      writeFileSync(join(root, file), content);
      await rejectsError(() => read(root), SentenceKitError, message, `${fixture}/${file} = ${content.slice(0, 40)}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});

test('a pooling config of any JSON value is read or is ERR_MODEL_LOAD', () => {
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 2 }), (value) => void loadsOrRefuses(() => parsePoolingConfig(value, 'config.json'))), params);
});

test.run();
