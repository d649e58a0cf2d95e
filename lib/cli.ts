#!/usr/bin/env node
/**
 * Command line: `sentencekit encode [--model <folder|hub id>] [--cpu-engine int8|bf16x3] [--normalize] <text…>` prints one
 * JSON line per text with its embedding. Texts come from the arguments, or stdin lines.
 */
import { createInterface } from 'node:readline';

import type { CpuEngine } from './device.js';
import { SentenceTransformer } from './sentence-transformer.js';

const DEFAULT_MODEL = 'sentence-transformers/all-MiniLM-L6-v2';

const USAGE = `usage: sentencekit encode [--model <folder|hub id>] [--file-name onnx/model.onnx] [--cpu-engine onnxruntime|int8|bf16x3] [--normalize] [--batch-size N] [text ...]
  Encodes each text (or each line of stdin when no text is given) and prints one JSON line per text:
  {"text": ..., "dimension": N, "embedding": [...]}. The default model is ${DEFAULT_MODEL} (from the Hub).
  --cpu-engine int8|bf16x3 runs sentencekit's CPU engine (int8, or fp32-accurate bf16x3 GEMMs) on the model's model.safetensors (no ONNX export needed).`;

interface CliArgs {
  model: string;
  fileName: string | undefined;
  cpuEngine: string | undefined;
  normalize: boolean;
  batchSize: number;
  texts: string[];
}

function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { model: DEFAULT_MODEL, fileName: undefined, cpuEngine: undefined, normalize: false, batchSize: 32, texts: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const value = (): string => {
      const next = argv[i + 1];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      i += 1;
      return next;
    };
    if (arg === '--model' || arg === '-m') args.model = value();
    else if (arg === '--file-name') args.fileName = value();
    else if (arg === '--cpu-engine') args.cpuEngine = value();
    else if (arg === '--normalize') args.normalize = true;
    else if (arg === '--batch-size') args.batchSize = Number(value());
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else args.texts.push(arg);
  }
  return args;
}

async function readStdinLines(): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: process.stdin })) lines.push(line);
  return lines;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command !== 'encode') {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const args = parseArgs(rest);
  const texts = args.texts.length > 0 ? args.texts : await readStdinLines();
  const model = await SentenceTransformer.fromPretrained(args.model, {
    ...(args.fileName ? { fileName: args.fileName } : {}),
    // An unknown engine name is the library's TypeError, printed below.
    ...(args.cpuEngine ? { cpuEngine: args.cpuEngine as CpuEngine } : {}),
  });
  try {
    const embeddings = await model.encode(texts, { batchSize: args.batchSize, normalizeEmbeddings: args.normalize });
    texts.forEach((text, i) => {
      const embedding = Array.from(embeddings.row(i), (v) => Number(v.toPrecision(7)));
      console.log(JSON.stringify({ text, dimension: embeddings.dimension, embedding }));
    });
  } finally {
    await model.dispose();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const err = error as { code?: string; message?: string };
  console.error(`sentencekit: ${err.code ? `${err.code}: ` : ''}${err.message ?? String(error)}`);
  process.exitCode = 1;
});
