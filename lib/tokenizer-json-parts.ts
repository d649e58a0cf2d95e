/**
 * Pieces of a tokenizer.json document as `tokenizers` serializes them, for the converters of
 * older vocabulary files: the TemplateProcessing post-processor from transformers' two ways of
 * writing a template, the Metaspace pre-tokenizer and decoder, and the document itself.
 * Internal: not exported from the package entry point.
 */
import type { AddedTokenEntry } from './legacy-tokenizer-config.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type TemplateItem = { SpecialToken: { id: string; type_id: number } } | { Sequence: { id: string; type_id: number } };

/** One piece of a template: "$A", "$B:1", "[CLS]", "[SEP]:1" (tokenizers' Piece::from_str). */
function templateItem(piece: string): TemplateItem {
  const colon = piece.lastIndexOf(':');
  const typed = colon > 0 && /^\d+$/.test(piece.slice(colon + 1));
  const name = typed ? piece.slice(0, colon) : piece;
  const typeId = typed ? Number(piece.slice(colon + 1)) : 0;
  if (name === '$A' || name === '$B') return { Sequence: { id: name.slice(1), type_id: typeId } };
  if (name.startsWith('$')) throw new Error(`unsupported template piece ${piece}`);
  return { SpecialToken: { id: name, type_id: typeId } };
}

/**
 * TemplateProcessing as tokenizers builds it from `single`/`pair` (a space-separated string or
 * a list of pieces) and the special tokens' ids.
 */
export function templateProcessing(single: string | string[], pair: string | string[], specials: Array<[string, number]>): Json {
  const items = (template: string | string[]): TemplateItem[] =>
    (typeof template === 'string' ? template.split(' ').filter((piece) => piece !== '') : template).map(templateItem);
  const specialTokens: Record<string, Json> = {};
  for (const [token, id] of specials) specialTokens[token] = { id: token, ids: [id], tokens: [token] };
  return { type: 'TemplateProcessing', single: items(single) as unknown as Json, pair: items(pair) as unknown as Json, special_tokens: specialTokens };
}

/** SentencePiece's whitespace handling: WhitespaceSplit, then Metaspace. */
export function metaspacePreTokenizer(prependScheme: 'always' | 'never' | 'first'): Json {
  return { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, metaspace('Metaspace', prependScheme)] };
}

export function metaspace(type: string, prependScheme: 'always' | 'never' | 'first'): Json {
  return { type, replacement: '\u2581', prepend_scheme: prependScheme, split: true };
}

/** tokenizer.json: its version and components, no truncation or padding (the caller sets those per call). */
export function tokenizerDocument(parts: { added: AddedTokenEntry[]; normalizer: Json; preTokenizer: Json; postProcessor: Json; decoder: Json; model: Json }): Json {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: parts.added.map(({ id, content, single_word, lstrip, rstrip, normalized, special }) => ({ id, content, single_word, lstrip, rstrip, normalized, special })),
    normalizer: parts.normalizer,
    pre_tokenizer: parts.preTokenizer,
    post_processor: parts.postProcessor,
    decoder: parts.decoder,
    model: parts.model,
  };
}
