#!/usr/bin/env node
/**
 * The `sentencekit` command: `encode`, `rerank` and `sparse`, each printing one JSON line per
 * input text. Texts come from the arguments, else from stdin, one per line (empty lines
 * skipped), read as a stream: results are written as each chunk finishes, memory stays
 * bounded however long the input, and a progress bar is drawn on stderr when it is a
 * terminal. Flags are parsed strictly (node:util parseArgs): an unknown flag or a missing
 * value prints the usage and exits 2; `--help` prints it to stdout and exits 0.
 * Internal: the package's `bin`, not exported from its entry point.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

import type { ActivationName } from './activations.js';
import { LineQueue } from './cli-lines.js';
import { Progress } from './cli-progress.js';
import { choiceFlag, integerFlag, parseError, stringFlag, UsageError, type Values } from './cli-flags.js';
import { CrossEncoder } from './cross-encoder.js';
import type { CpuEngine, Device } from './device.js';
import { Embeddings } from './embeddings.js';
import type { LoadOptions } from './model-loading.js';
import { nearestName } from './options.js';
import { packageRoot } from './package-root.js';
import { type Precision, quantizeEmbeddings, type QuantizedEmbeddings } from './quantization.js';
import { type FloatEncodeOptions, SentenceTransformer } from './sentence-transformer.js';
import { type SparseEncodeOptions, SparseEncoder } from './sparse-encoder.js';

const COMMANDS = ['encode', 'rerank', 'sparse'] as const;
type Command = (typeof COMMANDS)[number];

const DEFAULT_MODELS: Record<Command, string> = {
  encode: 'sentence-transformers/all-MiniLM-L6-v2',
  rerank: 'cross-encoder/ms-marco-MiniLM-L6-v2',
  sparse: 'naver/splade-cocondenser-ensembledistil',
};

const USAGE = `usage: sentencekit <command> [options] [text ...]

commands:
  encode [text ...]            one JSON line per text: {"text", "dimension", "embedding"}
  rerank <query> [passage ...] one JSON line per passage, in input order: {"text", "score"}
  sparse [text ...]            one JSON line per text: {"text", "dimension", "indices", "values"}
  serve --model <folder|hub id>
                               an HTTP server with text-embeddings-inference's and OpenAI's
                               routes ('sentencekit serve --help' for its options)

Texts (rerank: passages) come from the arguments, else from stdin, one per line; empty lines
are skipped. Results are written as each batch finishes; with stderr on a terminal a progress
bar (texts/s, ETA) is drawn there.

options for every command:
  -m, --model <folder|hub id>   model folder or Hugging Face Hub id
                                (default: ${DEFAULT_MODELS.encode} for encode,
                                ${DEFAULT_MODELS.rerank} for rerank,
                                ${DEFAULT_MODELS.sparse} for sparse)
      --batch-size <n>          texts per model run (default 32)
      --max-seq-length <n>      truncate inputs to n tokens (default: the model's)
      --device <cpu|cuda|auto>  where the model runs (default cpu)
      --cpu-engine <onnxruntime|int8|bf16x3>
                                what runs the model on the CPU (default onnxruntime; int8 and
                                bf16x3 read model.safetensors, no ONNX export needed)
      --file-name <path>        the ONNX file in the model folder (default onnx/model.onnx)
      --quantized               load the model's int8 ONNX export for this CPU
  -h, --help                    print this help and exit
  -v, --version                 print the version and exit

encode:
      --normalize               L2-normalize the embeddings
      --precision <float32|int8|uint8|binary|ubinary>
                                quantize the embeddings (int8/uint8 take their ranges from the
                                whole input, so they print once the input ends)
      --prompt-name <name>      a prompt the model defines (e.g. query)
      --prompt <text>           a prompt to prepend to every text
      --truncate-dim <n>        keep the first n dimensions (Matryoshka models)

rerank:
      --activation <sigmoid|identity|tanh|relu|softmax>
                                the activation applied to the logits (default: the model's)

sparse:
      --max-active-dims <n>     keep the n largest weights per text
      --prompt-name <name>      a prompt the model defines
      --task <name>             the Router route to take (e.g. query, document)

exit status: 0 on success, 1 when the model fails, 2 on a usage error.`;

const SHORT_USAGE = `usage: sentencekit <encode|rerank|sparse|serve> [options] [text ...]
Try 'sentencekit --help' for the options.`;

const COMMON_OPTIONS = {
  model: { type: 'string', short: 'm' },
  'batch-size': { type: 'string' },
  'max-seq-length': { type: 'string' },
  device: { type: 'string' },
  'cpu-engine': { type: 'string' },
  'file-name': { type: 'string' },
  quantized: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies ParseArgsConfig['options'];

const COMMAND_OPTIONS = {
  encode: {
    normalize: { type: 'boolean' },
    precision: { type: 'string' },
    'prompt-name': { type: 'string' },
    prompt: { type: 'string' },
    'truncate-dim': { type: 'string' },
  },
  rerank: {
    activation: { type: 'string' },
  },
  sparse: {
    'max-active-dims': { type: 'string' },
    'prompt-name': { type: 'string' },
    task: { type: 'string' },
  },
} as const satisfies Record<Command, ParseArgsConfig['options']>;

interface Parsed {
  command: Command;
  values: Values;
  positionals: string[];
}

/** Parses argv (without node and the script); null when --help or --version was handled. */
function parse(argv: string[]): Parsed | null {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('a command is required');
  if (first === '-h' || first === '--help' || first === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return null;
  }
  if (first === '-v' || first === '--version') {
    process.stdout.write(`${version()}\n`);
    return null;
  }
  if (!COMMANDS.includes(first as Command)) {
    const nearest = nearestName(first, [...COMMANDS, 'serve']);
    throw new UsageError(`unknown command '${first}'${nearest === null ? '' : ` — did you mean '${nearest}'?`}`);
  }
  const command = first as Command;
  const options = { ...COMMON_OPTIONS, ...COMMAND_OPTIONS[command] };
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw parseError(error, Object.keys(options));
  }
  const values = parsed.values as Values;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return null;
  }
  if (values.version) {
    process.stdout.write(`${version()}\n`);
    return null;
  }
  return { command, values, positionals: parsed.positionals };
}

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function loadOptions(values: Values): LoadOptions {
  const options: LoadOptions = {};
  const maxSeqLength = integerFlag(values, 'max-seq-length');
  if (maxSeqLength !== undefined) options.maxSeqLength = maxSeqLength;
  const device = choiceFlag<Device>(values, 'device', ['cpu', 'cuda', 'auto']);
  if (device !== undefined) options.device = device;
  const cpuEngine = choiceFlag<CpuEngine>(values, 'cpu-engine', ['onnxruntime', 'int8', 'bf16x3']);
  if (cpuEngine !== undefined) options.cpuEngine = cpuEngine;
  const fileName = stringFlag(values, 'file-name');
  if (fileName !== undefined) options.fileName = fileName;
  if (values.quantized === true) options.quantized = true;
  return options;
}

/** Where texts come from: the arguments, or stdin line by line. */
interface TextSource {
  /** Up to `size` texts; null at the end. */
  next(size: number): Promise<string[] | null>;
  /** The fraction of the input consumed, when its size is known. */
  fraction(done: number): number | null;
  close(): void;
}

function argumentSource(texts: string[]): TextSource {
  const list = texts.filter((text) => text.length > 0);
  let at = 0;
  return {
    async next(size) {
      if (at >= list.length) return null;
      const chunk = list.slice(at, at + size);
      at += chunk.length;
      return chunk;
    },
    fraction: (done) => (list.length === 0 ? 1 : done / list.length),
    close() {},
  };
}

// The most lines read ahead of the model; with two chunks in flight this bounds memory.
const READ_AHEAD_LINES = 8192;
// Chunks grow from one batch to this many texts: small first so results show at once,
// large later so each call sorts many texts by length into tight batches.
const MAX_CHUNK = 1024;

function stdinSource(): TextSource {
  const queue = new LineQueue(process.stdin, READ_AHEAD_LINES);
  const size = LineQueue.inputSize(0);
  return {
    next: (n) => queue.take(n),
    fraction: () => (size === null || size === 0 ? null : queue.bytesRead / size),
    close: () => queue.close(),
  };
}

/** Writes to stdout, waiting for it to drain when its buffer is full. */
async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}

/**
 * Runs `work` over chunks of the source with up to two chunks in flight (one in the model,
 * one being written), writing results in input order.
 */
async function stream(source: TextSource, batchSize: number, work: (texts: string[]) => Promise<string>, progress: Progress): Promise<number> {
  let done = 0;
  let chunkSize = batchSize;
  const inflight: Array<Promise<void>> = [];
  let previous: Promise<void> = Promise.resolve();
  for (;;) {
    const texts = await source.next(chunkSize);
    if (texts === null) break;
    if (texts.length === 0) continue;
    chunkSize = Math.min(Math.max(MAX_CHUNK, batchSize), chunkSize * 2);
    const result = work(texts);
    const before = previous;
    previous = (async () => {
      const output = await result;
      await before;
      await write(output);
      done += texts.length;
      progress.update(done, source.fraction(done));
    })();
    // Keep the rejection observed here; it is rethrown when awaited below.
    previous.catch(() => {});
    inflight.push(previous);
    if (inflight.length >= 2) await inflight.shift();
  }
  await Promise.all(inflight);
  progress.update(done, source.fraction(done), true);
  return done;
}

function roundedRow(row: ArrayLike<number>): number[] {
  return Array.from(row, (v) => Number(v.toPrecision(7)));
}

function embeddingLines(texts: string[], embeddings: Embeddings | QuantizedEmbeddings, precision: Precision): string {
  let out = '';
  const width = 'bytesPerRow' in embeddings ? embeddings.bytesPerRow : embeddings.dimension;
  texts.forEach((text, i) => {
    const row = embeddings.data.subarray(i * width, (i + 1) * width);
    const embedding = precision === 'float32' ? roundedRow(row) : Array.from(row);
    out += `${JSON.stringify(precision === 'float32'
      ? { text, dimension: embeddings.dimension, embedding }
      : { text, dimension: embeddings.dimension, precision, embedding })}\n`;
  });
  return out;
}

async function runEncode(parsed: Parsed, progress: Progress): Promise<number> {
  const { values } = parsed;
  const batchSize = integerFlag(values, 'batch-size') ?? 32;
  const precision = choiceFlag<Precision>(values, 'precision', ['float32', 'int8', 'uint8', 'binary', 'ubinary']) ?? 'float32';
  const encodeOptions: FloatEncodeOptions = { batchSize, normalizeEmbeddings: values.normalize === true };
  const truncateDim = integerFlag(values, 'truncate-dim');
  if (truncateDim !== undefined) encodeOptions.truncateDim = truncateDim;
  const promptName = stringFlag(values, 'prompt-name');
  if (promptName !== undefined) encodeOptions.promptName = promptName;
  const prompt = stringFlag(values, 'prompt');
  if (prompt !== undefined) encodeOptions.prompt = prompt;

  const model = await SentenceTransformer.fromPretrained(stringFlag(values, 'model') ?? DEFAULT_MODELS.encode, loadOptions(values));
  const source = parsed.positionals.length > 0 ? argumentSource(parsed.positionals) : stdinSource();
  try {
    if (precision === 'int8' || precision === 'uint8') {
      // Their ranges come from every embedding, as encode(texts, { precision }) takes them.
      const texts: string[] = [];
      const rows: Embeddings[] = [];
      await stream(source, batchSize, async (chunk) => {
        rows.push(await model.encode(chunk, encodeOptions));
        texts.push(...chunk);
        return '';
      }, progress);
      const dimension = rows[0]?.dimension ?? 0;
      const all = new Float32Array(texts.length * dimension);
      let offset = 0;
      for (const part of rows) {
        all.set(part.data, offset);
        offset += part.data.length;
      }
      await write(embeddingLines(texts, quantizeEmbeddings(new Embeddings(all, texts.length, dimension), precision), precision));
      return texts.length;
    }
    return await stream(source, batchSize, async (texts) => {
      const embeddings = await model.encode(texts, encodeOptions);
      return embeddingLines(texts, precision === 'float32' ? embeddings : quantizeEmbeddings(embeddings, precision), precision);
    }, progress);
  } finally {
    source.close();
    await model.dispose();
  }
}

async function runRerank(parsed: Parsed, progress: Progress): Promise<number> {
  const { values } = parsed;
  const [query, ...passages] = parsed.positionals;
  if (query === undefined) throw new UsageError('rerank needs a query: sentencekit rerank [options] <query> [passage ...]');
  const batchSize = integerFlag(values, 'batch-size') ?? 32;
  const activation = choiceFlag<ActivationName>(values, 'activation', ['sigmoid', 'identity', 'tanh', 'relu', 'softmax']);
  const model = await CrossEncoder.fromPretrained(stringFlag(values, 'model') ?? DEFAULT_MODELS.rerank, loadOptions(values));
  const source = passages.length > 0 ? argumentSource(passages) : stdinSource();
  try {
    const labels = model.numLabels;
    return await stream(source, batchSize, async (texts) => {
      const scores = await model.predict(texts.map((text) => [query, text] as [string, string]), { batchSize, ...(activation ? { activation } : {}) });
      let out = '';
      texts.forEach((text, i) => {
        const row = scores.subarray(i * labels, (i + 1) * labels);
        out += `${JSON.stringify(labels === 1 ? { text, score: Number((row[0] as number).toPrecision(7)) } : { text, scores: roundedRow(row) })}\n`;
      });
      return out;
    }, progress);
  } finally {
    source.close();
    await model.dispose();
  }
}

async function runSparse(parsed: Parsed, progress: Progress): Promise<number> {
  const { values } = parsed;
  const batchSize = integerFlag(values, 'batch-size') ?? 32;
  const encodeOptions: SparseEncodeOptions = { batchSize };
  const maxActiveDims = integerFlag(values, 'max-active-dims');
  if (maxActiveDims !== undefined) encodeOptions.maxActiveDims = maxActiveDims;
  const promptName = stringFlag(values, 'prompt-name');
  if (promptName !== undefined) encodeOptions.promptName = promptName;
  const task = stringFlag(values, 'task');
  if (task !== undefined) encodeOptions.task = task;
  const model = await SparseEncoder.fromPretrained(stringFlag(values, 'model') ?? DEFAULT_MODELS.sparse, loadOptions(values));
  const source = parsed.positionals.length > 0 ? argumentSource(parsed.positionals) : stdinSource();
  try {
    return await stream(source, batchSize, async (texts) => {
      const rows = await model.encode(texts, encodeOptions);
      let out = '';
      texts.forEach((text, i) => {
        const { indices, values: weights } = rows.row(i);
        out += `${JSON.stringify({ text, dimension: rows.dimension, indices: Array.from(indices), values: roundedRow(weights) })}\n`;
      });
      return out;
    }, progress);
  } finally {
    source.close();
    await model.dispose();
  }
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'serve') {
    // Loaded only for serve: the other commands start without the server's modules.
    const { runServe } = await import('./cli-serve.js');
    await runServe(argv.slice(1));
    return;
  }
  const parsed = parse(argv);
  if (parsed === null) return;
  const progress = new Progress(process.stderr);
  const run = parsed.command === 'encode' ? runEncode : parsed.command === 'rerank' ? runRerank : runSparse;
  await run(parsed, progress);
  progress.finish();
}

// A closed stdout (`sentencekit encode … | head`) ends the run quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    const serve = process.argv[2] === 'serve';
    process.stderr.write(`sentencekit: ${error.message}\n${serve ? "Try 'sentencekit serve --help' for its options." : SHORT_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const err = error as { code?: string; message?: string };
  process.stderr.write(`sentencekit: ${err.code ? `${err.code}: ` : ''}${err.message ?? String(error)}\n`);
  process.exitCode = 1;
});
