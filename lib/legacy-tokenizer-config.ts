/**
 * The settings a tokenizer built from older vocabulary files gets, as transformers 5's
 * `from_pretrained` gathers them: tokenizer_config.json, then (when it has no
 * `added_tokens_decoder`) special_tokens_map.json and added_tokens.json; and the added tokens
 * TokenizersBackend.__init__ then adds, in its order and with its rules for the same content
 * added twice.
 * Internal: not exported from the package entry point.
 */
import { join } from 'node:path';

import { loadError, readJsonFile } from './json-files.js';

/** tokenizers' AddedToken, as tokenizer.json's added_tokens holds it (less the id). */
export interface AddedTokenSpec {
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** A special token as transformers keeps it: a plain string, or an AddedToken. */
export type TokenValue = string | AddedTokenSpec;

/** transformers' SPECIAL_TOKENS_ATTRIBUTES, in the order TokenizersBackend adds them. */
export const SPECIAL_TOKEN_NAMES = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;
export type SpecialTokenName = (typeof SPECIAL_TOKEN_NAMES)[number];

export interface LegacyTokenizerConfig {
  /** tokenizer_config.json's other settings (do_lower_case, add_prefix_space, extra_ids, …). */
  settings: Record<string, unknown>;
  /** The named special tokens the files give (a class fills in its defaults for the rest). */
  named: Partial<Record<SpecialTokenName, TokenValue>>;
  /** extra_special_tokens (additional_special_tokens before transformers 5), when the files give them. */
  extras: TokenValue[] | undefined;
  /** additional_special_tokens from special_tokens_map.json, which a class may replace. */
  additional: TokenValue[] | undefined;
  /** added_tokens_decoder (or added_tokens.json), by id. */
  decoder: Array<[number, AddedTokenSpec]>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * AddedToken(**fields, special=…): tokenizers' defaults are single_word, lstrip and rstrip
 * false, special false, and normalized = not special.
 */
export function addedToken(fields: Record<string, unknown>, file: string, special?: boolean): AddedTokenSpec {
  if (typeof fields.content !== 'string') throw loadError(`${file}: an added token needs a "content" string`);
  const isSpecial = special ?? fields.special === true;
  const flag = (key: string, fallback: boolean): boolean => (typeof fields[key] === 'boolean' ? (fields[key] as boolean) : fallback);
  return {
    content: fields.content,
    single_word: flag('single_word', false),
    lstrip: flag('lstrip', false),
    rstrip: flag('rstrip', false),
    normalized: flag('normalized', !isSpecial),
    special: isSpecial,
  };
}

/** A token as tokenizer_config.json writes it: a string, or {"__type": "AddedToken", …}. */
function configToken(value: unknown, file: string): TokenValue | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.content === 'string') return addedToken(value, file);
  return undefined;
}

function tokenList(value: unknown, file: string): TokenValue[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((token) => {
    const parsed = configToken(token, file);
    if (parsed === undefined) throw loadError(`${file}: special tokens must be strings or added tokens`);
    return parsed;
  });
}

export function tokenContent(value: TokenValue): string {
  return typeof value === 'string' ? value : value.content;
}

/** Reads the tokenizer settings of `dir` the way transformers' from_pretrained merges them. */
export async function readLegacyTokenizerConfig(dir: string): Promise<LegacyTokenizerConfig> {
  const configFile = join(dir, 'tokenizer_config.json');
  const config = await readJsonFile<Record<string, unknown>>(configFile, {});
  if (!isObject(config)) throw loadError(`${configFile} must hold a JSON object`);
  const named: LegacyTokenizerConfig['named'] = {};
  for (const name of SPECIAL_TOKEN_NAMES) {
    const token = configToken(config[name], configFile);
    if (token !== undefined) named[name] = token;
  }
  // transformers 5 reads additional_special_tokens as extra_special_tokens.
  const extras = tokenList(config.extra_special_tokens, configFile) ?? tokenList(config.additional_special_tokens, configFile);
  let additional: TokenValue[] | undefined;
  const decoder: Array<[number, AddedTokenSpec]> = [];

  if (isObject(config.added_tokens_decoder)) {
    for (const [id, token] of Object.entries(config.added_tokens_decoder)) {
      if (!isObject(token) || !/^\d+$/.test(id)) throw loadError(`${configFile}: added_tokens_decoder entries must be {id: added token}`);
      decoder.push([Number(id), addedToken(token, configFile)]);
    }
  } else {
    // special_tokens_map.json (transformers 4 and older) overrides tokenizer_config.json's tokens.
    const mapFile = join(dir, 'special_tokens_map.json');
    const map = await readJsonFile<Record<string, unknown>>(mapFile, {});
    for (const [key, value] of Object.entries(isObject(map) ? map : {})) {
      if ((SPECIAL_TOKEN_NAMES as readonly string[]).includes(key)) {
        const token = typeof value === 'string' ? value : isObject(value) ? addedToken(value, mapFile, true) : undefined;
        if (token !== undefined) named[key as SpecialTokenName] = token;
      } else if (key === 'additional_special_tokens') {
        additional = tokenList(value, mapFile);
      }
    }
    const addedFile = join(dir, 'added_tokens.json');
    const added = await readJsonFile<Record<string, unknown>>(addedFile, {});
    const specials = new Set([...Object.values(named), ...(extras ?? additional ?? [])].map(tokenContent));
    for (const [content, id] of Object.entries(isObject(added) ? added : {})) {
      if (typeof id !== 'number' || !Number.isInteger(id)) throw loadError(`${addedFile}: ids must be integers`);
      const special = specials.has(content);
      decoder.push([id, { content, single_word: false, lstrip: false, rstrip: false, normalized: !special, special }]);
    }
  }
  decoder.sort((a, b) => a[0] - b[0]);
  return { settings: config, named, extras, additional, decoder };
}

/** The vocabulary the added tokens' ids come from. */
export interface VocabularyIds {
  /** The model's id for a piece, if it has one. */
  idOf(piece: string): number | undefined;
  /** The model's vocabulary size, where new added tokens start. */
  size: number;
}

export interface AddedTokenEntry extends AddedTokenSpec {
  id: number;
}

/**
 * The added tokens TokenizersBackend.__init__ adds: added_tokens_decoder's in id order, then the
 * named special tokens, then the extra ones, each skipped when it repeats a token already queued
 * (a string equal to a string, or an identical AddedToken) or added_tokens_decoder's content.
 * Strings become special AddedTokens, named ones are made special; a later token with the same
 * content replaces the earlier one's flags and keeps its id, as tokenizers' add_tokens does.
 * Ids: the vocabulary's for a piece it has, else the next after the vocabulary and the added
 * tokens so far.
 */
export function resolveAddedTokens(named: Array<TokenValue | undefined>, extras: TokenValue[], decoder: AddedTokenSpec[],
  vocabulary: VocabularyIds): AddedTokenEntry[] {
  const queue: TokenValue[] = [...decoder];
  const decoded = new Set(decoder.map((token) => token.content));
  const queued = (value: TokenValue): boolean =>
    queue.some((other) => (typeof value === 'string' ? other === value : typeof other !== 'string' && sameToken(other, value)));
  const namedContents = new Set(named.filter((value): value is TokenValue => value !== undefined).map(tokenContent));
  for (const value of [...named, ...extras]) {
    if (value === undefined || decoded.has(tokenContent(value)) || queued(value)) continue;
    queue.push(value);
  }
  const byContent = new Map<string, AddedTokenEntry>();
  let nextId = vocabulary.size;
  for (const value of queue) {
    const token: AddedTokenSpec = typeof value === 'string'
      ? { content: value, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }
      : { ...value, special: value.special || namedContents.has(value.content) };
    if (token.content === '') continue;
    const existing = byContent.get(token.content);
    if (existing !== undefined) {
      byContent.set(token.content, { ...token, id: existing.id });
      continue;
    }
    let id = vocabulary.idOf(token.content);
    if (id === undefined) {
      id = nextId;
      nextId += 1;
    }
    byContent.set(token.content, { ...token, id });
  }
  return [...byContent.values()].sort((a, b) => a.id - b.id);
}

function sameToken(a: AddedTokenSpec, b: AddedTokenSpec): boolean {
  return a.content === b.content && a.single_word === b.single_word && a.lstrip === b.lstrip && a.rstrip === b.rstrip &&
    a.normalized === b.normalized && a.special === b.special;
}

/** The id a token ends up with: an added token's, else the vocabulary's. */
export function tokenId(content: string, added: AddedTokenEntry[], vocabulary: VocabularyIds): number | undefined {
  return added.find((token) => token.content === content)?.id ?? vocabulary.idOf(content);
}
