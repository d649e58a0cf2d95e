// The JavaScript peer of the tokenizer benchmark: @huggingface/tokenizers (the tokenizer of
// transformers.js) on the same corpus and tokenizer.json files, one text at a time (it has no
// batch API; a batch is the same loop). Prints one JSON object like tokenizer_bench.cc's.
// Usage: node js_peer.mjs <fixtures dir> [repeat]; TOKENIZERS_JS_FROM may point at a
// package.json whose folder has node_modules/@huggingface/tokenizers.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const fixtures = process.argv[2];
const repeat = Number(process.argv[3] ?? 3);
const require = createRequire(process.env.TOKENIZERS_JS_FROM ?? join(process.cwd(), "package.json"));
const tokenizersJs = await import(pathToFileURL(require.resolve("@huggingface/tokenizers")).href);
const Tokenizer = tokenizersJs.Tokenizer ?? tokenizersJs.default?.Tokenizer;

function readCorpus(path) {
  const data = readFileSync(path);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.subarray(0, 4).toString("latin1") !== "SKTC") throw new Error(`${path} is not a corpus file`);
  const count = view.getUint32(4, true);
  const decoder = new TextDecoder();
  const lines = [];
  let pos = 8;
  for (let i = 0; i < count; i++) {
    const length = view.getUint32(pos, true);
    lines.push(decoder.decode(data.subarray(pos + 4, pos + 4 + length)));
    pos += 4 + length;
  }
  return lines;
}

const lines = readCorpus(join(fixtures, "corpus.bin"));
const result = { texts: lines.length, families: {} };
for (const family of ["bert", "mpnet", "roberta", "xlmr"]) {
  const json = JSON.parse(readFileSync(join(fixtures, family, "tokenizer.json"), "utf8"));
  let tokenizer;
  try {
    tokenizer = new Tokenizer(json, {});
  } catch (error) {
    result.families[family] = { error: String(error) };
    continue;
  }
  let best = Infinity;
  let tokens = 0;
  for (let r = 0; r < repeat; r++) {
    const start = process.hrtime.bigint();
    tokens = 0;
    for (const line of lines) tokens += tokenizer.encode(line).ids.length;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  result.families[family] = { tokens, single_texts_per_s: lines.length / best, single_tokens_per_s: tokens / best };
}
console.log(JSON.stringify(result));
