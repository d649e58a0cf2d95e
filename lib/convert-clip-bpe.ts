/**
 * CLIP's tokenizer from vocab.json + merges.txt, as transformers 5's CLIPTokenizer builds it when
 * a folder has no tokenizer.json (the Hub's sentence-transformers/clip-ViT-* folders): byte-level
 * BPE with the "</w>" end-of-word suffix and an unk token, NFC + whitespace runs to one space +
 * lowercase, CLIP's split regex before the byte-level step, and <|startoftext|> $A <|endoftext|>.
 * transformers 5 has no slow (Python) CLIPTokenizer any more; its CLIPConverter, for a slow
 * tokenizer object, differs only in a split regex without the two special tokens' alternatives,
 * which the added tokens take out of the text before the regex sees it.
 * Internal: not exported from the package entry point.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { readMerges, readVocabJson } from './convert-byte-level-bpe.js';
import { loadError } from './json-files.js';
import { type LegacyTokenizerConfig, resolveAddedTokens, SPECIAL_TOKEN_NAMES, type TokenValue, tokenContent, tokenId, type VocabularyIds } from './legacy-tokenizer-config.js';
import { type Json, tokenizerDocument } from './tokenizer-json-parts.js';

/** CLIPTokenizer.__init__'s split pattern (tokenization_clip.py). */
const CLIP_SPLIT = "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

export async function convertClipBpe(dir: string, config: LegacyTokenizerConfig): Promise<Json> {
  const vocab = await readVocabJson(join(dir, 'vocab.json'));
  const mergesFile = join(dir, 'merges.txt');
  const merges = readMerges(await readFile(mergesFile, 'utf8'), mergesFile);
  const vocabulary: VocabularyIds = { idOf: (piece) => vocab.get(piece), size: vocab.size };
  const defaults: Record<string, TokenValue> = { unk_token: '<|endoftext|>', bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', pad_token: '<|endoftext|>' };
  const named: Record<string, TokenValue> = { ...defaults, ...config.named };
  const added = resolveAddedTokens(SPECIAL_TOKEN_NAMES.map((name) => named[name]), config.extras ?? config.additional ?? [],
    config.decoder.map(([, token]) => token), vocabulary);
  const idOf = (name: string): [string, number] => {
    const content = tokenContent(named[name] as TokenValue);
    const id = tokenId(content, added, vocabulary);
    if (id === undefined) throw loadError(`${dir}: the ${name} ${JSON.stringify(content)} is in neither vocab.json nor the added tokens`);
    return [content, id];
  };
  return tokenizerDocument({
    added,
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }] },
    preTokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: CLIP_SPLIT }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      ],
    },
    postProcessor: { type: 'RobertaProcessing', sep: idOf('eos_token'), cls: idOf('bos_token'), trim_offsets: false, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: tokenContent(named.unk_token as TokenValue),
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  });
}
