"""Model folders that ship a tokenizer only in its older files (no tokenizer.json), and what
transformers builds from them: AutoTokenizer.from_pretrained(folder)'s ids on a varied corpus
and its backend pipeline (tokenizer.json's components less the vocabulary).

    python test/tools/legacy_tokenizer_fixtures.py      # also run by `npm run fixtures`

Writes test/fixtures/legacy-tokenizers/<name>/ and test/fixtures/legacy-tokenizers.reference.json:
  bert-uncased, bert-cased, bert-keep-accents, bert-no-chinese   vocab.txt with each of
      tokenizer_config.json's do_lower_case / strip_accents / tokenize_chinese_chars, and
      special_tokens_map.json as transformers 3 wrote it (bert-uncased names its class through
      config.json's model_type only)
  roberta, roberta-prefix-space   vocab.json + merges.txt (byte-level BPE), <mask> with lstrip,
      add_prefix_space off and on
  xlmr          sentencepiece.bpe.model (Unigram) in XLM-R's layout
  t5            spiece.model (Unigram, <pad> </s> <unk>, extra ids)
  albert        spiece.model (Unigram, [CLS] [SEP] [MASK] control symbols, lowercased, accents off)
  gpt2          vocab.json + merges.txt, add_bos_token (transformers builds the post-processor)
The SentencePiece models are trained here by SentencePiece on one thread (deterministic).
Also checks that sentence-transformers encodes test/fixtures/tiny-bert without its
tokenizer.json exactly as with it, so a test may compare such a copy with tiny-bert's reference.
"""
from __future__ import annotations

import base64
import hashlib
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from sentence_transformers import SentenceTransformer
from transformers import AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bert_vocab import bert_base_uncased_vocab  # noqa: E402
from corpus import fixture_corpus, fixture_pairs  # noqa: E402
from make_fixtures import FIXTURES, versions  # noqa: E402

OUT = FIXTURES / "legacy-tokenizers"
ROBERTA_TOKENIZER = FIXTURES / "tokenizers" / "roberta" / "tokenizer.json"
BERT_SPECIALS = {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"}


def corpus() -> list[str]:
    """The fixture corpus, special-token literals of every family in and around words, and
    seeded lines mixing scripts, accents, digits and symbols."""
    literals = ["[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]", "<s>", "</s>", "<pad>", "<unk>", "<mask>", "<extra_id_0>",
                "<extra_id_9>", "[cls]", "<MASK>"]
    # The fixture corpus less its few very long texts: they add thousands of ids and no case.
    texts = [text for text in fixture_corpus() if len(text) <= 300]
    texts += [f"a {t} b" for t in literals] + [f"x{t}y" for t in literals] + [f"  {t}  " for t in literals]
    texts += ["Hello <mask>!", "The capital of France is <mask>.", "hello[MASK]world", "<s>hi</s>", "a  b   c", "``quoted''",
              "İstanbul ß ﬁ ① ½ ㎏ Ǆ", "ÀÉÎÕÜ àéîõü", "\u3000full\u3000width\u3000space", "tab\there", "line\nbreak",
              "combining e\u0301 and n\u0303", "CamelCaseWords and snake_case_words", "numbers 12345 3.14 1,000,000"]
    rng = random.Random(1515)
    alphabet = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'\"()-_/") + \
        list("éèêëàâäôöûüçñßÅøæœ") + list("中文日本語한국어русскийελληνικάعربى") + ["🍕", "👍🏽", "\u00a0", "\t"]
    for _ in range(120):
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 60))))
    return texts


def training_lines() -> list[str]:
    """SentencePiece's input: the corpus many times over in shuffled lines, special-token
    literals taken out (a trained "<s>" piece would shadow the special token)."""
    rng = random.Random(99)
    lines = []
    for text in (corpus() + [text for text in fixture_corpus() if len(text) > 300]) * 6:
        for literal in ("<s>", "</s>", "<pad>", "<unk>", "<mask>", "[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]"):
            text = text.replace(literal, " ")
        words = text.split()
        rng.shuffle(words)
        lines.append(" ".join(words))
    return lines


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def fresh(name: str) -> Path:
    folder = OUT / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


# ---------------------------------------------------------------------------------------------
# The folders


def small_bert_vocab() -> list[str]:
    """bert-base-uncased's first 5,000 pieces (specials, [unused], characters, frequent words)
    and a few cased and accented words, so cased and accent-keeping variants have pieces to
    find; a duplicate line and one with trailing spaces, which tokenizers' reader trims."""
    vocab = bert_base_uncased_vocab()[:5000]
    extra = ["Hello", "World", "The", "Café", "café", "naïve", "Zürich", "##é", "##ü", "##ï", "Ångström", "中", "文"]
    return vocab + [piece for piece in extra if piece not in vocab] + ["the", "trailing   "]


def make_bert(name: str, config: dict, model_type_only: bool = False) -> Path:
    folder = fresh(name)
    (folder / "vocab.txt").write_text("\n".join(small_bert_vocab()) + "\n", encoding="utf-8")
    tokenizer_config = {**config, "model_max_length": 512}
    if not model_type_only:
        tokenizer_config["tokenizer_class"] = "BertTokenizer"
    write_json(folder / "tokenizer_config.json", tokenizer_config)
    write_json(folder / "special_tokens_map.json", BERT_SPECIALS)
    write_json(folder / "config.json", {"model_type": "bert"})
    return folder


def make_roberta(name: str, add_prefix_space: bool) -> Path:
    folder = fresh(name)
    trained = json.loads(ROBERTA_TOKENIZER.read_text(encoding="utf-8"))["model"]
    vocab = dict(trained["vocab"])
    vocab["<mask>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    merges = [" ".join(m) if isinstance(m, list) else m for m in trained["merges"]]
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")
    config = {"tokenizer_class": "RobertaTokenizer", "model_max_length": 512, "errors": "replace",
              "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>",
              "pad_token": "<pad>",
              "mask_token": {"__type": "AddedToken", "content": "<mask>", "lstrip": True, "normalized": True,
                             "rstrip": False, "single_word": False}}
    if add_prefix_space:
        config["add_prefix_space"] = True
    write_json(folder / "tokenizer_config.json", config)
    write_json(folder / "special_tokens_map.json", {
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>", "pad_token": "<pad>",
        "cls_token": "<s>", "mask_token": {"content": "<mask>", "lstrip": True, "normalized": False, "rstrip": False,
                                           "single_word": False}})
    write_json(folder / "config.json", {"model_type": "roberta"})
    return folder


def make_gpt2() -> Path:
    """GPT-2's layout: vocab.json + merges.txt with <|endoftext|> last, no post-processor of its
    own; add_bos_token asks transformers to build one."""
    folder = fresh("gpt2")
    trained = json.loads(ROBERTA_TOKENIZER.read_text(encoding="utf-8"))["model"]
    vocab = {piece: i for i, piece in enumerate(p for p, _ in sorted(trained["vocab"].items(), key=lambda kv: kv[1])
                                                  if p not in ("<s>", "<pad>", "</s>", "<unk>"))}
    vocab["<|endoftext|>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    merges = [" ".join(m) if isinstance(m, list) else m for m in trained["merges"]]
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")
    write_json(folder / "tokenizer_config.json", {"tokenizer_class": "GPT2Tokenizer", "model_max_length": 1024,
                                                  "add_bos_token": True, "bos_token": "<|endoftext|>",
                                                  "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>"})
    write_json(folder / "config.json", {"model_type": "gpt2"})
    return folder


def train_sentencepiece(out: Path, vocab_size: int, **options) -> None:
    import sentencepiece

    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "text.txt"
        text.write_text("\n".join(training_lines()), encoding="utf-8")
        sentencepiece.SentencePieceTrainer.train(
            input=str(text), model_prefix=str(Path(tmp) / "m"), vocab_size=vocab_size, character_coverage=1.0,
            num_threads=1, max_sentence_length=100000, minloglevel=2, **options)
        # The model records its training paths, which are temporary: cleared, so a rerun
        # writes the same bytes.
        from sentencepiece import sentencepiece_model_pb2

        proto = sentencepiece_model_pb2.ModelProto()
        proto.ParseFromString((Path(tmp) / "m.model").read_bytes())
        proto.trainer_spec.ClearField("input")
        proto.trainer_spec.ClearField("model_prefix")
        proto.normalizer_spec.ClearField("normalization_rule_tsv")
        out.write_bytes(proto.SerializeToString())


def small_normalization_rules(folder: Path) -> Path:
    """A SentencePiece normalization rule table of a few lines (full-width letters, ligatures,
    no-break and ideographic spaces), so the Precompiled charsmap of the T5 and ALBERT models
    costs a few kilobytes; XLM-R keeps the real nmt_nfkc table."""
    rules = {"\u3000": " ", "\u00a0": " ", "\ufb01": "fi", "\ufb02": "fl", "\u2160": "I", "\u2460": "1", "\u00bd": "1/2"}
    rules.update({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)})
    rules.update({chr(0xFF41 + i): chr(0x61 + i) for i in range(26)})
    table = folder / "rules.tsv"
    table.write_text("".join(f"{' '.join(f'{ord(c):X}' for c in source)}\t{' '.join(f'{ord(c):X}' for c in target)}\n"
                             for source, target in rules.items()), encoding="utf-8")
    return table


def make_xlmr() -> Path:
    folder = fresh("xlmr")
    # XLM-R's own model numbers <unk> <s> </s> first; its tokenizer puts <pad> in front (fairseq's order).
    train_sentencepiece(folder / "sentencepiece.bpe.model", 900, model_type="unigram", normalization_rule_name="nmt_nfkc",
                        unk_id=0, bos_id=1, eos_id=2, pad_id=-1)
    write_json(folder / "tokenizer_config.json", {"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 512})
    write_json(folder / "special_tokens_map.json", {
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>", "pad_token": "<pad>",
        "cls_token": "<s>", "mask_token": {"content": "<mask>", "lstrip": True, "normalized": False, "rstrip": False,
                                           "single_word": False}})
    write_json(folder / "config.json", {"model_type": "xlm-roberta"})
    return folder


def make_t5() -> Path:
    folder = fresh("t5")
    with tempfile.TemporaryDirectory() as tmp:
        train_sentencepiece(folder / "spiece.model", 800, model_type="unigram",
                            normalization_rule_tsv=str(small_normalization_rules(Path(tmp))), pad_id=0, eos_id=1, unk_id=2, bos_id=-1)
    extra = [f"<extra_id_{i}>" for i in range(10)]
    write_json(folder / "tokenizer_config.json", {"tokenizer_class": "T5Tokenizer", "model_max_length": 512, "extra_ids": 10,
                                                  "additional_special_tokens": extra, "eos_token": "</s>",
                                                  "unk_token": "<unk>", "pad_token": "<pad>"})
    write_json(folder / "special_tokens_map.json", {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
                                                    "additional_special_tokens": extra})
    write_json(folder / "config.json", {"model_type": "t5"})
    return folder


def make_albert() -> Path:
    folder = fresh("albert")
    with tempfile.TemporaryDirectory() as tmp:
        train_sentencepiece(folder / "spiece.model", 800, model_type="unigram",
                            normalization_rule_tsv=str(small_normalization_rules(Path(tmp))), pad_id=0, unk_id=1, bos_id=-1,
                            eos_id=-1, control_symbols=["[CLS]", "[SEP]", "[MASK]"])
    write_json(folder / "tokenizer_config.json", {"tokenizer_class": "AlbertTokenizer", "model_max_length": 512,
                                                  "do_lower_case": True, "keep_accents": False, "remove_space": True})
    write_json(folder / "special_tokens_map.json", {
        "bos_token": "[CLS]", "eos_token": "[SEP]", "unk_token": "<unk>", "sep_token": "[SEP]", "pad_token": "<pad>",
        "cls_token": "[CLS]", "mask_token": {"content": "[MASK]", "lstrip": True, "normalized": False, "rstrip": False,
                                             "single_word": False}})
    write_json(folder / "config.json", {"model_type": "albert"})
    return folder


# ---------------------------------------------------------------------------------------------
# What transformers builds from them


def walk(component):
    """A normalizer and the members of a Sequence, depth first."""
    if isinstance(component, dict):
        yield component
        for member in component.get("normalizers", []):
            yield from walk(member)


def pipeline(tokenizer) -> dict:
    """The backend tokenizer as tokenizer.json would hold it, the vocabulary and merges replaced
    by their sizes (the ids below cover them)."""
    document = json.loads(tokenizer.backend_tokenizer.to_str())
    model = document["model"]
    for key in ("vocab", "merges"):
        if key in model:
            model[key] = len(model[key])
    # The charsmap is the model file's own bytes: its size and digest stand for it.
    for normalizer in walk(document.get("normalizer")):
        if normalizer.get("type") == "Precompiled":
            charsmap = base64.b64decode(normalizer["precompiled_charsmap"])
            normalizer["precompiled_charsmap"] = {"bytes": len(charsmap), "sha256": hashlib.sha256(charsmap).hexdigest()}
    for key in ("truncation", "padding"):
        document.pop(key, None)
    return document


def reference(folder: Path, texts: list[str], pairs: list[tuple[str, str]]) -> dict:
    if (folder / "tokenizer.json").exists():
        raise SystemExit(f"{folder} has a tokenizer.json")
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    return {
        "class": type(tokenizer).__name__,
        "pipeline": pipeline(tokenizer),
        "ids": [tokenizer(text)["input_ids"] for text in texts],
        # Batched, as cross-encoders call it (a lone empty second text would drop the pair).
        "pair_ids": [tokenizer([a], [b])["input_ids"][0] for a, b in pairs],
        "pad_id": tokenizer.pad_token_id,
    }


def check_tiny_bert_without_tokenizer_json() -> None:
    """sentence-transformers on tiny-bert less its tokenizer.json encodes exactly as on tiny-bert."""
    texts = fixture_corpus()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "tiny-bert"
        shutil.copytree(FIXTURES / "tiny-bert", copy, ignore=shutil.ignore_patterns("onnx"))
        (copy / "tokenizer.json").unlink()
        without = SentenceTransformer(str(copy), device="cpu").encode(texts, batch_size=16)
    with_json = SentenceTransformer(str(FIXTURES / "tiny-bert"), device="cpu").encode(texts, batch_size=16)
    if not np.array_equal(without, with_json):
        raise SystemExit(f"tiny-bert without tokenizer.json encodes differently (max |diff| {np.abs(without - with_json).max()})")


def main() -> None:
    folders = [
        make_bert("bert-uncased", {"do_lower_case": True}, model_type_only=True),
        make_bert("bert-cased", {"do_lower_case": False}),
        make_bert("bert-keep-accents", {"do_lower_case": True, "strip_accents": False}),
        make_bert("bert-no-chinese", {"do_lower_case": True, "tokenize_chinese_chars": False, "strip_accents": True}),
        make_roberta("roberta", add_prefix_space=False),
        make_roberta("roberta-prefix-space", add_prefix_space=True),
        make_xlmr(),
        make_t5(),
        make_albert(),
        make_gpt2(),
    ]
    texts = corpus()
    pairs = fixture_pairs(fixture_corpus())
    (FIXTURES / "legacy-tokenizers.reference.json").write_text(json.dumps({
        "generator": versions(),
        "texts": texts,
        "pairs": [list(p) for p in pairs],
        "folders": {folder.name: reference(folder, texts, pairs) for folder in folders},
    }, ensure_ascii=False) + "\n", encoding="utf-8")
    check_tiny_bert_without_tokenizer_json()


if __name__ == "__main__":
    main()
