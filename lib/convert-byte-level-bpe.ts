/**
 * Byte-level BPE tokenizers from vocab.json + merges.txt, as transformers 5 builds them when a
 * folder has no tokenizer.json: RoBERTa's (add_prefix_space, trim_offsets, <s> $A </s>) and
 * GPT-2's (no template of its own; add_bos_token / add_eos_token make one).
 * Internal: not exported from the package entry point.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { type LegacyTokenizerConfig, resolveAddedTokens, SPECIAL_TOKEN_NAMES, type TokenValue, tokenContent, tokenId, type VocabularyIds } from './legacy-tokenizer-config.js';
import { loadError } from './json-files.js';
import { type Json, templateProcessing, tokenizerDocument } from './tokenizer-json-parts.js';

/**
 * tokenizers' BPE::read_file for merges.txt: one "a b" pair per line (CRLF or LF), lines that
 * start with "#version" skipped, anything but exactly two space-separated parts an error.
 */
export function readMerges(text: string, file: string): Array<[string, string]> {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.filter((line) => !line.startsWith('#version')).map((line, rank) => {
    const parts = line.split(' ');
    if (parts.length !== 2) throw loadError(`${file}: merge ${rank + 1} is not two space-separated pieces: ${JSON.stringify(line)}`);
    return parts as [string, string];
  });
}

export async function readVocabJson(file: string): Promise<Map<string, number>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw loadError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw loadError(`${file} must map pieces to ids`);
  const vocab = new Map<string, number>();
  for (const [piece, id] of Object.entries(parsed)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw loadError(`${file}: the id of ${JSON.stringify(piece)} is not a non-negative integer`);
    vocab.set(piece, id);
  }
  return vocab;
}

function flag(settings: Record<string, unknown>, key: string, fallback: boolean): boolean {
  return typeof settings[key] === 'boolean' ? (settings[key] as boolean) : fallback;
}

/** `className` is RobertaTokenizer or GPT2Tokenizer. */
export async function convertByteLevelBpe(dir: string, config: LegacyTokenizerConfig, className: string): Promise<Json> {
  const vocab = await readVocabJson(join(dir, 'vocab.json'));
  const mergesFile = join(dir, 'merges.txt');
  const merges = readMerges(await readFile(mergesFile, 'utf8'), mergesFile);
  const vocabulary: VocabularyIds = { idOf: (piece) => vocab.get(piece), size: vocab.size };
  const roberta = className === 'RobertaTokenizer';
  const defaults: Record<string, TokenValue> = roberta
    ? { bos_token: '<s>', eos_token: '</s>', sep_token: '</s>', cls_token: '<s>', unk_token: '<unk>', pad_token: '<pad>', mask_token: '<mask>' }
    : { unk_token: '<|endoftext|>', bos_token: '<|endoftext|>', eos_token: '<|endoftext|>' };
  const named: Record<string, TokenValue> = { ...defaults, ...config.named };
  const added = resolveAddedTokens(SPECIAL_TOKEN_NAMES.map((name) => named[name]), config.extras ?? config.additional ?? [],
    config.decoder.map(([, token]) => token), vocabulary);
  const { settings } = config;
  const addPrefixSpace = flag(settings, 'add_prefix_space', false);
  const idOf = (name: string): [string, number] => {
    const content = tokenContent(named[name] as TokenValue);
    const id = tokenId(content, added, vocabulary);
    if (id === undefined) throw loadError(`${dir}: the ${name} ${JSON.stringify(content)} is in neither vocab.json nor the added tokens`);
    return [content, id];
  };
  let postProcessor: Json;
  if (roberta) {
    postProcessor = { type: 'RobertaProcessing', sep: idOf('sep_token'), cls: idOf('cls_token'), trim_offsets: flag(settings, 'trim_offsets', true), add_prefix_space: addPrefixSpace };
  } else {
    // TokenizersBackend.update_post_processor: GPT-2 sets no post-processor of its own.
    const bos = flag(settings, 'add_bos_token', false) && named.bos_token !== undefined ? idOf('bos_token') : null;
    const eos = flag(settings, 'add_eos_token', false) && named.eos_token !== undefined ? idOf('eos_token') : null;
    const single = `${bos ? `${bos[0]}:0 ` : ''}$A:0${eos ? ` ${eos[0]}:0` : ''}`;
    const pair = `${single}${bos ? ` ${bos[0]}:1` : ''} $B:1${eos ? ` ${eos[0]}:1` : ''}`;
    postProcessor = templateProcessing(single, pair, [bos, eos].filter((token): token is [string, number] => token !== null));
  }
  return tokenizerDocument({
    added,
    normalizer: null,
    preTokenizer: { type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: true, use_regex: true },
    postProcessor,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  });
}
