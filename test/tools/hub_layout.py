"""Rewrites a folder saved by sentence-transformers 6 into the layout models on the Hub have.

Most models people load (all-MiniLM-L6-v2 among them) were saved by sentence-transformers 2.x–5.x,
whose config files differ from what 6.0.1 writes: `sentence_bert_config.json` holds
`max_seq_length`/`do_lower_case` (6.x keeps the length in tokenizer_config.json instead),
`1_Pooling/config.json` has one boolean per mode, modules.json names `sentence_transformers.models.*`,
and the tokenizer folder carries vocab.txt and special_tokens_map.json. The fixtures mirror that
layout, and `st6_config_files` keeps what 6.0.1 wrote so both can be tested.
"""
from __future__ import annotations

import json
from pathlib import Path

from bert_vocab import write_vocab_txt

# sentence-transformers < 5.4 wrote 1_Pooling/config.json with one boolean per mode (keys below,
# plus word_embedding_dimension and include_prompt). 5.4+ (and 6.0.1's Pooling.save) writes
# {"embedding_dimension": int, "pooling_mode": "mean"|"cls"|"max"|..., "include_prompt": bool}.
LEGACY_POOLING_KEYS = {
    "cls": "pooling_mode_cls_token",
    "mean": "pooling_mode_mean_tokens",
    "max": "pooling_mode_max_tokens",
    "mean_sqrt_len_tokens": "pooling_mode_mean_sqrt_len_tokens",
    "weightedmean": "pooling_mode_weightedmean_tokens",
    "lasttoken": "pooling_mode_lasttoken",
}

SPECIAL_TOKENS = {"pad_token": (0, "[PAD]"), "unk_token": (100, "[UNK]"), "cls_token": (101, "[CLS]"),
                  "sep_token": (102, "[SEP]"), "mask_token": (103, "[MASK]")}

# The config files sentence-transformers 6.0.1 writes that the Hub layout replaces.
ST6_CONFIG_FILES = ("modules.json", "sentence_bert_config.json", "1_Pooling/config.json", "tokenizer_config.json")


def legacy_pooling_config(dimension: int, mode: str) -> dict:
    config = {"word_embedding_dimension": dimension}
    config.update({key: key == LEGACY_POOLING_KEYS[mode] for key in LEGACY_POOLING_KEYS.values()})
    config["include_prompt"] = True
    return config


def st6_config_files(folder: Path) -> dict[str, str]:
    """The text of the config files as sentence-transformers 6.0.1 saved them, by relative path."""
    return {name: (folder / name).read_text(encoding="utf-8") for name in ST6_CONFIG_FILES}


def write_json(path: Path, value, indent: int) -> None:
    path.write_text(json.dumps(value, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")


def token_entry(content: str) -> dict:
    return {"content": content, "lstrip": False, "normalized": False, "rstrip": False, "single_word": False}


def tokenizer_config(model_max_length: int) -> dict:
    """tokenizer_config.json as transformers 4.x saved a BertTokenizerFast on the Hub."""
    return {
        "added_tokens_decoder": {str(index): {**token_entry(content), "special": True}
                                 for index, content in sorted(SPECIAL_TOKENS.values())},
        "clean_up_tokenization_spaces": False,
        "cls_token": "[CLS]",
        "do_basic_tokenize": True,
        "do_lower_case": True,
        "extra_special_tokens": {},
        "mask_token": "[MASK]",
        # Left over from a tokenizer call when the Hub model was saved; not the model's limit
        # (sentence_bert_config.json's max_seq_length is), so loaders must not read it as one.
        "max_length": 128,
        "model_max_length": model_max_length,
        "never_split": None,
        "pad_to_multiple_of": None,
        "pad_token": "[PAD]",
        "pad_token_type_id": 0,
        "padding_side": "right",
        "sep_token": "[SEP]",
        "stride": 0,
        "strip_accents": None,
        "tokenize_chinese_chars": True,
        "tokenizer_class": "BertTokenizer",
        "truncation_side": "right",
        "truncation_strategy": "longest_first",
        "unk_token": "[UNK]",
    }


def set_tokenizer_json_limits(path: Path, max_seq_length: int) -> None:
    """Hub tokenizer.json files carry the truncation and padding the model was saved with."""
    tokenizer = json.loads(path.read_text(encoding="utf-8"))
    tokenizer["truncation"] = {"direction": "Right", "max_length": max_seq_length, "strategy": "LongestFirst", "stride": 0}
    tokenizer["padding"] = {"strategy": "BatchLongest", "direction": "Right", "pad_to_multiple_of": None,
                            "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"}
    path.write_text(json.dumps(tokenizer, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_hub_layout(folder: Path, dimension: int, max_seq_length: int, model_max_length: int) -> None:
    """Rewrites the config files of a sentence-transformers 6 save into the Hub layout (mean pooling)."""
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    write_json(folder / "modules.json", modules, indent=2)
    write_json(folder / "sentence_bert_config.json", {"max_seq_length": max_seq_length, "do_lower_case": False}, indent=4)
    write_json(folder / "1_Pooling" / "config.json", legacy_pooling_config(dimension, "mean"), indent=4)
    write_json(folder / "tokenizer_config.json", tokenizer_config(model_max_length), indent=2)
    write_json(folder / "special_tokens_map.json",
               {name: token_entry(content) for name, (_, content) in sorted(SPECIAL_TOKENS.items())}, indent=2)
    write_vocab_txt(folder / "vocab.txt")
    set_tokenizer_json_limits(folder / "tokenizer.json", max_seq_length)
