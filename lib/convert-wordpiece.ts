/**
 * A BERT tokenizer from vocab.txt, as transformers 5's BertTokenizer builds it when a folder
 * has no tokenizer.json: WordPiece over the file's lines, BertNormalizer with
 * tokenizer_config.json's do_lower_case / tokenize_chinese_chars / strip_accents, BERT's
 * pre-tokenizer, [CLS] $A [SEP] templates and the WordPiece decoder.
 * Internal: not exported from the package entry point.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { type LegacyTokenizerConfig, resolveAddedTokens, type TokenValue, tokenContent, tokenId, type VocabularyIds } from './legacy-tokenizer-config.js';
import { type Json, templateProcessing, tokenizerDocument } from './tokenizer-json-parts.js';
import { loadError } from './json-files.js';

// Rust's char::is_whitespace (Unicode White_Space), which tokenizers trims from each line's
// end; JavaScript's trimEnd() would also take U+FEFF.
const TRAILING_WHITESPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/u;

/**
 * tokenizers' WordPiece::read_file: one piece per line (CRLF or LF), trailing whitespace
 * trimmed, the line number its id; a piece listed twice keeps its last line.
 */
export function readWordPieceVocab(text: string): Map<string, number> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const vocab = new Map<string, number>();
  lines.forEach((line, index) => vocab.set(line.replace(TRAILING_WHITESPACE, ''), index));
  return vocab;
}

function setting<T>(settings: Record<string, unknown>, key: string, fallback: T): T | boolean | null {
  const value = settings[key];
  return typeof value === 'boolean' || value === null ? value : fallback;
}

export async function convertWordPiece(dir: string, config: LegacyTokenizerConfig): Promise<Json> {
  const file = join(dir, 'vocab.txt');
  const vocab = readWordPieceVocab(await readFile(file, 'utf8'));
  const vocabulary: VocabularyIds = { idOf: (piece) => vocab.get(piece), size: vocab.size };
  const named: Record<string, TokenValue> = { unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]', ...config.named };
  const added = resolveAddedTokens(
    ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'].map((name) => named[name]),
    config.extras ?? config.additional ?? [], config.decoder.map(([, token]) => token), vocabulary);
  const cls = tokenContent(named.cls_token as TokenValue);
  const sep = tokenContent(named.sep_token as TokenValue);
  const { settings } = config;
  const lowercase = setting(settings, 'do_lower_case', true);
  if (typeof lowercase !== 'boolean') throw loadError(`${dir}: do_lower_case must be a boolean`);
  return tokenizerDocument({
    added,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: setting(settings, 'tokenize_chinese_chars', true),
      strip_accents: setting(settings, 'strip_accents', null),
      lowercase,
    },
    preTokenizer: { type: 'BertPreTokenizer' },
    postProcessor: templateProcessing(`${cls}:0 $A:0 ${sep}:0`, `${cls}:0 $A:0 ${sep}:0 $B:1 ${sep}:1`,
      [[cls, tokenId(cls, added, vocabulary) ?? 2], [sep, tokenId(sep, added, vocabulary) ?? 3]]),
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: tokenContent(named.unk_token as TokenValue),
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab),
    },
  });
}
