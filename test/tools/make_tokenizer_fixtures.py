"""Tokenizer parity fixtures: one tokenizer.json per model family and Python `tokenizers`'
encodings of a generated corpus, which test/native/tokenizer_parity_test.cc must reproduce.

Run with the fixture venv: test/tools/.venv/bin/python test/tools/make_tokenizer_fixtures.py

Writes test/fixtures/tokenizers/:
  corpus.bin                 the texts (see write_corpus for the layout)
  <family>/tokenizer.json    bert (real bert-base-uncased vocabulary), mpnet (WordPiece with
                             <s>/</s>, as all-mpnet-base-v2), roberta (byte-level BPE trained
                             here, as distilroberta), xlmr (Unigram trained here with Metaspace
                             and SentencePiece's nmt_nfkc Precompiled charsmap, as XLM-R)
                             split-bpe (byte-level BPE behind Llama 3's Split regex) and
                             misc-wordpiece (NFKC, Replace, Lowercase, NFD, StripAccents, NFC,
                             Strip, WhitespaceSplit, Punctuation, Digits) on the first 8,000 lines
                             and the Unicode 10-16 lines
  <family>/reference.bin     ids, type ids and attention masks (see write_reference)

Everything is deterministic: the corpus comes from a seeded generator (20,000 lines, then 2,000
that mix in characters of Unicode 10-16), and the trainers run on its first 20,000 lines with
fixed settings.
"""
from __future__ import annotations

import json
import os
import random
import struct
import sys
import tempfile
from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bert_vocab import bert_base_uncased_vocab  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(os.environ.get("SENTENCEKIT_FIXTURES_OUT") or ROOT / "test" / "fixtures") / "tokenizers"
CORPUS_LINES = 20000  # the generated corpus the tokenizers are trained on
RECENT_LINES = 2000  # then lines of Unicode 10-16 characters (recent_lines)
PAIRS = 2000

# ---------------------------------------------------------------------------------------------
# The corpus


LATIN = ["café", "naïve", "façade", "Ångström", "Straße", "İstanbul", "ŁÓDŹ", "crème brûlée", "jalapeño",
         "Øresund", "Þórr", "œuvre", "résumé", "Zürich", "São Paulo", "Kraków", "ﬁnance", "Ǆemal", "ŉ", "ǰ"]
ENGLISH = ("the quick brown fox jumps over the lazy dog while semantic search engines embed every sentence "
           "into vectors so that similar meanings lie close together and clustering becomes easy "
           "Node.js servers need fast tokenization without Python isn't it what's they're we've I'm you'll he'd "
           "transformer encoders attention pooling normalization quantization").split()
CYRILLIC = ["привет", "мир", "Москва", "съешь", "ещё", "этих", "мягких", "французских", "булок", "ЁЛКА", "Україна", "ґанок"]
GREEK = ["Καλημέρα", "κόσμε", "ΑΘΗΝΑ", "ψυχή", "ΐ", "ς", "Σίσυφος", "ὀδυσσεύς"]
ARABIC = ["مرحبا", "بالعالم", "العربية", "كتاب", "ﻻ", "٣٤٥", "إِنَّ", "القُرْآن"]
HEBREW = ["שלום", "עולם", "עִבְרִית", "ירושלים", "ﬠ"]
DEVANAGARI = ["नमस्ते", "दुनिया", "हिन्दी", "क्षत्रिय", "१२३", "ज़िन्दगी"]
THAI = ["สวัสดี", "ภาษาไทย", "กรุงเทพมหานคร", "๑๒๓", "น้ำ"]
CJK = ["你好世界", "中文分词", "東京都", "漢字", "𠀀𠀁", "日本語のテキスト", "ｶﾀｶﾅ", "〜", "「引用」", "㍿", "①②"]
HANGUL = ["안녕하세요", "세계", "한국어", "ᄀᄁ", "ㄱㄴㄷ", "힣"]
EMOJI = ["😀", "👩‍💻", "👨‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "🇯🇵", "❤️", "🤖", "1️⃣", "🧑🏿‍🚀", "☺", "✌︎"]
COMBINING = ["e\u0301", "a\u0308\u0304", "Z\u0351\u0317\u0359a\u0352\u0316l\u0308\u0320g\u036a\u0349o\u0352", "n\u0303",
             "\u0301alone", "q\u0323\u0307", "\u1100\u1161\u11a8", "\u0928\u093f"]
CONTROL = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2028",
           "\u2029", "\ufeff", "\u00ad", "\u2060", "\u061c", "\ue000", "\U000f0000", "\ufffd", "\ufffd\ufffd",
           "\U000e0041", "\u0378", "\ufdd0"]
# Characters of Unicode 10-16, which `tokenizers`' older tables (unicode_categories,
# unicode-normalization) and its newer ones (Rust's char, Oniguruma, unicode-segmentation) classify
# differently from one another and from any one current Unicode database.
RECENT = [
    "\u0c95\u0c84", "\u0c84", "\u0cf3\u0c95", "\u0c04\u0c24\u0c46", "\u0c3c\u0c1c", "\u0c5d", "\u0c77",  # Kannada, Telugu signs
    "\u07fd\u07d2\u07de\u07cf", "\u07fe\u07ff", "\u0a76\u0a2a", "\u0a76", "\u09fd\u09fe", "\u0afa\u0aff",  # N'Ko, Gurmukhi, Bengali, Gujarati
    "\u2e43", "\u2e46", "\u2e4f", "\u2e52", "\u2e58", "\u2e5d", "\u2e5a\u2e5b", "\u061d", "\u1b7d\u1b7e",  # supplementary punctuation
    "a\u1aca", "e\u1ac1\u1ace", "x\u0898\u089f", "\u08ca\u08d3", "\u0b55\u0b2a", "\u0d00\u0d15", "\u1715",  # combining marks
    "\u0890\u0891", "\u08e2", "\U00013430\U00013439", "\U000110cd",  # format controls
    "\ua7cb\ua7cc\ua7cd", "\u1c89\u1c8a", "\ua7d2\ua7dc", "\U00010d50\U00010d70", "\U00010d40\U00010d45",  # new case pairs, Garay
    "\U00016d70\U00016d79", "\U00011bf0", "\U000116d0", "\U00016130", "\U0001d2c0\U0001d2d3",  # new digits, Kaktovik numerals
    "\u32ff", "\U00010781\U00010782", "\ua7f2", "\uab69", "\U0001e030",  # new compatibility decompositions
    "\U00030000\U00031350", "\U0002ebf0", "\U0002b739",  # CJK extensions G, H, I
    "\U0001f972", "\U0001fae0", "\U0001fae8", "\U0001fae9", "\U0001fa89", "\U0001f9d1\u200d\U0001fa70",  # emoji 11-16
    "\u0915\u094d\u0915", "\u0915\u094d\u200d\u0937", "\u1780\u17d2\u1780", "\u1000\u1039\u1000",  # conjuncts (GB9c)
    "\u0d4e\u0d15", "\u0600\u0661", "\U000105c0\U000105c1", "\U00011380\U000113b8",  # prepends, Todhri, Tulu-Tigalari
]
SPACES = [" ", " ", " ", " ", " ", "  ", "   ", "\n", "\t", "\r\n", "\u00a0", "\u3000", "\u2003", "\u202f", "", " \n "]
PUNCT = [".", ",", "!", "?", "...", "'", "\"", "(", ")", "[", "]", "{", "}", "-", "--", "—", "–", "«", "»", "„", "“",
         "”", "‘", "’", "¿", "¡", "@", "#", "$", "%", "^", "&", "*", "_", "+", "=", "|", "\\", "/", ":", ";", "<",
         ">", "`", "~", "§", "¶", "•", "†", "‰", "€", "£", "¥", "©", "®", "™", "°", "±", "×", "÷", "→", "∑", "√",
         "∞", "≈", "≠", "½", "²", "³", "µ"]
CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "n't", "'", "’s"]
URLS = ["https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2", "http://example.com/a?b=c&d=e#frag",
        "www.example.org", "user@example.com", "ftp://files.example.net/pub/file.tar.gz", "https://例え.jp/パス"]
CODE = ["def f(x):\n    return x ** 2", "const a = [1, 2, 3].map((x) => x * 2);", "if (a && b || !c) { return; }",
        "SELECT * FROM users WHERE id = 42;", "<div class=\"a\">text</div>", "x+=1;y-=2", "foo_bar_baz",
        "camelCaseIdentifier", "snake_case_name", "#include <vector>", "std::vector<int> v{1,2,3};", "$HOME/.bashrc",
        "λx.x", "a->b", "i++", "0xFF", "1e-9", "__init__"]
SPECIAL_LITERALS = ["[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]", "<s>", "</s>", "<mask>", "<pad>", "<unk>", "[cls]",
                    "<S>", "[MASK]x", "x<mask>", " <mask> ", "[UNK][UNK]"]


def random_number(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return str(rng.randrange(10 ** rng.randrange(1, 12)))
    if kind == 1:
        return f"{rng.uniform(-1000, 1000):.{rng.randrange(1, 6)}f}"
    if kind == 2:
        return f"{rng.randrange(1, 999)},{rng.randrange(1000):03d},{rng.randrange(1000):03d}"
    if kind == 3:
        return f"{rng.randrange(1900, 2100)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    if kind == 4:
        return f"{rng.randrange(100)}%"
    return "".join(rng.choice("0123456789") for _ in range(rng.randrange(20, 60)))


def long_word(rng: random.Random) -> str:
    alphabet = rng.choice(["abcdefghijklmnopqrstuvwxyz", "абвгдеёжзий", "αβγδεζηθ", "éèêëàâäîïôöùûüç", "你好世界中文", "ab"])
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(30, 140)))


def random_token(rng: random.Random) -> str:
    pool = rng.choices(
        ["english", "latin", "cyrillic", "greek", "arabic", "hebrew", "devanagari", "thai", "cjk", "hangul", "emoji",
         "combining", "control", "punct", "contraction", "url", "code", "number", "long", "special", "capital", "mixed"],
        weights=[30, 6, 4, 3, 3, 2, 3, 3, 4, 3, 4, 2, 3, 8, 3, 1, 2, 5, 1, 1, 4, 3])[0]
    if pool == "english":
        return rng.choice(ENGLISH)
    if pool == "latin":
        return rng.choice(LATIN)
    if pool == "cyrillic":
        return rng.choice(CYRILLIC)
    if pool == "greek":
        return rng.choice(GREEK)
    if pool == "arabic":
        return rng.choice(ARABIC)
    if pool == "hebrew":
        return rng.choice(HEBREW)
    if pool == "devanagari":
        return rng.choice(DEVANAGARI)
    if pool == "thai":
        return rng.choice(THAI)
    if pool == "cjk":
        return rng.choice(CJK)
    if pool == "hangul":
        return rng.choice(HANGUL)
    if pool == "emoji":
        return "".join(rng.choice(EMOJI) for _ in range(rng.randrange(1, 4)))
    if pool == "combining":
        return rng.choice(COMBINING)
    if pool == "control":
        return rng.choice(CONTROL)
    if pool == "punct":
        return "".join(rng.choice(PUNCT) for _ in range(rng.randrange(1, 4)))
    if pool == "contraction":
        return rng.choice(ENGLISH) + rng.choice(CONTRACTIONS)
    if pool == "url":
        return rng.choice(URLS)
    if pool == "code":
        return rng.choice(CODE)
    if pool == "number":
        return random_number(rng)
    if pool == "long":
        return long_word(rng)
    if pool == "special":
        return rng.choice(SPECIAL_LITERALS)
    if pool == "capital":
        word = rng.choice(ENGLISH + CYRILLIC + GREEK + LATIN)
        return rng.choice([word.upper(), word.capitalize(), word.swapcase()])
    # glued pieces from different scripts, no separator
    return "".join(rng.choice(rng.choice([ENGLISH, CJK, EMOJI, PUNCT, CYRILLIC, THAI, CONTROL])) for _ in range(rng.randrange(2, 5)))


def random_line(rng: random.Random) -> str:
    words = rng.choices(range(1, 30), weights=[30 - i for i in range(1, 30)])[0]
    parts = []
    for i in range(words):
        if i > 0:
            parts.append(rng.choice(SPACES))
        parts.append(random_token(rng))
    line = "".join(parts)
    if rng.random() < 0.05:
        line = rng.choice(SPACES) + line + rng.choice(SPACES)
    return line


def make_corpus() -> list[str]:
    fixed = ["", " ", "  ", "\n", "hello", "Hello, World!", "[CLS] hi [SEP]", "<s>hi</s>", "a <mask> b", "<mask>",
             "İ", "ß", "ﬀ", "\ufffd", "x" * 1000, "💩" * 50, "don't stop", "I'm here, aren't you?", "  leading", "trailing  ",
             "a  b   c", "hello\u3000world", "\u0301", "e\u0301\u0301", "Ǆ ǅ ǆ", "ﬁ ﬂ", "①", "Ⅻ", "㎏", "½", "\u00a0\u00a0"]
    rng = random.Random(20261124)
    lines = list(fixed)
    while len(lines) < CORPUS_LINES:
        lines.append(random_line(rng))
    return lines + recent_lines()


def recent_lines() -> list[str]:
    """Lines that mix the characters of Unicode 10-16 (RECENT) into words, punctuation and the
    other scripts, after the main corpus: the tokenizers are trained on the main corpus only, so
    these lines add references without changing the trained vocabularies."""
    lines = []
    # The characters of issue 15, between letters and between spaces.
    for c in "\u0c84\u2e46\u0a76\u2e58\u0c04\u07fd\u1aca":
        lines += [f"a{c}b", f"a {c} b"]
    rng = random.Random(15)
    while len(lines) < RECENT_LINES:
        parts = []
        for i in range(rng.randrange(1, 12)):
            if i > 0:
                parts.append(rng.choice(SPACES))
            if rng.random() < 0.5:  # glued to a word or between other tokens
                parts.append(rng.choice(["", rng.choice(ENGLISH)]) + rng.choice(RECENT)
                             + rng.choice(["", rng.choice(ENGLISH + LATIN + CJK)]))
            else:
                parts.append(random_token(rng))
        lines.append("".join(parts))
    return lines


def make_pairs(lines: list[str]) -> list[tuple[int, int]]:
    rng = random.Random(7)
    return [(rng.randrange(len(lines)), rng.randrange(len(lines))) for _ in range(PAIRS)]


# ---------------------------------------------------------------------------------------------
# The tokenizers


def bert_tokenizer() -> Tokenizer:
    from transformers import BertTokenizerFast

    vocab = {token: index for index, token in enumerate(bert_base_uncased_vocab())}
    return BertTokenizerFast(vocab=vocab, do_lower_case=True, model_max_length=512).backend_tokenizer


def mpnet_tokenizer() -> Tokenizer:
    """As all-mpnet-base-v2: BERT's uncased WordPiece with <s> </s> <pad> <unk> <mask> around it."""
    bert = bert_base_uncased_vocab()
    pieces = ["<s>", "<pad>", "</s>", "<unk>"] + bert + ["<mask>"]
    vocab = {token: index for index, token in enumerate(pieces)}
    tokenizer = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tokenizer.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None,
                                                      lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.add_special_tokens([
        AddedToken("<s>", special=True, normalized=False), AddedToken("<pad>", special=True, normalized=False),
        AddedToken("</s>", special=True, normalized=False), AddedToken("<unk>", special=True, normalized=False),
        AddedToken("[UNK]", special=True, normalized=False),
        AddedToken("<mask>", special=True, normalized=False, lstrip=True)])
    bos, eos = vocab["<s>"], vocab["</s>"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)])
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    return tokenizer


def training_text(lines: list[str]) -> list[str]:
    """The trainers' input: the corpus itself, so its words get real merges and pieces, less the
    special-token literals (a trained "<s>" piece would shadow the special token's id)."""
    cleaned = []
    for line in lines:
        for literal in ("<s>", "</s>", "<pad>", "<unk>", "<mask>"):
            line = line.replace(literal, " ")
        cleaned.append(line)
    return cleaned


def roberta_tokenizer(lines: list[str]) -> Tokenizer:
    """As distilroberta: byte-level BPE (no normalizer), RobertaProcessing, ByteLevel decoder."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=6000, min_frequency=2, show_progress=False,
                                  special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(training_text(lines), trainer=trainer)
    tokenizer.add_special_tokens([AddedToken("<mask>", special=True, normalized=False, lstrip=True)])
    tokenizer.post_processor = processors.RobertaProcessing(("</s>", tokenizer.token_to_id("</s>")),
                                                            ("<s>", tokenizer.token_to_id("<s>")),
                                                            trim_offsets=True, add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    return tokenizer


# The pre-tokenizer pattern of Llama 3 / cl100k: case-insensitive contractions, 1-3 digit groups.
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def split_bpe_tokenizer(lines: list[str]) -> Tokenizer:
    """A GPT-style byte-level BPE cut by a Split regex (Llama 3's pattern) instead of ByteLevel's."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    trainer = trainers.BpeTrainer(vocab_size=3000, min_frequency=2, show_progress=False,
                                  special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(training_text(lines), trainer=trainer)
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    tokenizer.decoder = decoders.ByteLevel()
    return tokenizer


def misc_wordpiece_tokenizer() -> Tokenizer:
    """BERT's vocabulary behind the other normalizers and pre-tokenizers of issue 3."""
    vocab = {token: index for index, token in enumerate(bert_base_uncased_vocab())}
    tokenizer = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.NFKC(), normalizers.Replace("``", '"'), normalizers.Lowercase(), normalizers.NFD(),
        normalizers.StripAccents(), normalizers.NFC(), normalizers.Strip(left=True, right=True)])
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(behavior="contiguous"),
        pre_tokenizers.Digits(individual_digits=True)])
    tokenizer.add_special_tokens(["[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]"])
    tokenizer.post_processor = processors.BertProcessing(("[SEP]", vocab["[SEP]"]), ("[CLS]", vocab["[CLS]"]))
    tokenizer.decoder = decoders.WordPiece()
    return tokenizer


def nmt_nfkc_charsmap() -> bytes:
    """SentencePiece's nmt_nfkc normalization table (what XLM-R ships), from a throwaway spm model."""
    import sentencepiece
    from sentencepiece import sentencepiece_model_pb2

    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "text.txt"
        text.write_text("\n".join(ENGLISH * 20 + LATIN + CYRILLIC), encoding="utf-8")
        sentencepiece.SentencePieceTrainer.train(input=str(text), model_prefix=str(Path(tmp) / "m"), vocab_size=100,
                                                 normalization_rule_name="nmt_nfkc", minloglevel=2)
        proto = sentencepiece_model_pb2.ModelProto()
        proto.ParseFromString((Path(tmp) / "m.model").read_bytes())
        return bytes(proto.normalizer_spec.precompiled_charsmap)


def sentencepiece_unigram_vocab(lines: list[str], vocab_size: int) -> list[tuple[str, float]]:
    """A Unigram vocabulary trained by SentencePiece, as XLM-R's was, in XLM-R's special-token
    order (<s> <pad> </s> <unk>). SentencePiece on one thread is deterministic; tokenizers'
    UnigramTrainer is not (its counts live in randomly seeded hash maps, so near-tied pieces
    change places from run to run), and the fixture check re-runs this generator."""
    import sentencepiece
    from sentencepiece import sentencepiece_model_pb2

    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "text.txt"
        text.write_text("\n".join(training_text(lines)), encoding="utf-8")
        sentencepiece.SentencePieceTrainer.train(
            input=str(text), model_prefix=str(Path(tmp) / "m"), model_type="unigram", vocab_size=vocab_size,
            normalization_rule_name="nmt_nfkc", character_coverage=0.9995, num_threads=1, max_sentence_length=100000,
            bos_id=0, pad_id=1, eos_id=2, unk_id=3, bos_piece="<s>", pad_piece="<pad>", eos_piece="</s>", unk_piece="<unk>",
            minloglevel=2)
        proto = sentencepiece_model_pb2.ModelProto()
        proto.ParseFromString((Path(tmp) / "m.model").read_bytes())
        return [(piece.piece, piece.score) for piece in proto.pieces]


def xlmr_tokenizer(lines: list[str]) -> Tokenizer:
    """As XLM-R: Precompiled + collapse spaces, Metaspace, Unigram, <s> $A </s> templates."""
    tokenizer = Tokenizer(models.Unigram(sentencepiece_unigram_vocab(lines, 6000), unk_id=3, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([normalizers.Precompiled(nmt_nfkc_charsmap()),
                                                 normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tokenizer.add_special_tokens([AddedToken(token, special=True) for token in ("<s>", "<pad>", "</s>", "<unk>")])
    tokenizer.add_special_tokens([AddedToken("<mask>", special=True, normalized=False, lstrip=True)])
    bos, eos = tokenizer.token_to_id("<s>"), tokenizer.token_to_id("</s>")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)])
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    return tokenizer


# ---------------------------------------------------------------------------------------------
# The binary files: little-endian, integers as LEB128 varints so the references stay small.


def varint(value: int) -> bytes:
    if value < 0:
        raise ValueError(value)
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def runs(values: list[int]) -> bytes:
    """Run-length form of a type-id or mask list: count, then (value, length) per run."""
    pairs = []
    for value in values:
        if pairs and pairs[-1][0] == value:
            pairs[-1][1] += 1
        else:
            pairs.append([value, 1])
    return varint(len(pairs)) + b"".join(varint(v) + varint(n) for v, n in pairs)


def write_corpus(lines: list[str], pairs: list[tuple[int, int]]) -> None:
    """"SKTC" u32 line-count, per line u32 byte-length + UTF-8; u32 pair-count, per pair u32 a, u32 b."""
    blob = bytearray(b"SKTC")
    blob += struct.pack("<I", len(lines))
    for line in lines:
        encoded = line.encode("utf-8")
        blob += struct.pack("<I", len(encoded)) + encoded
    blob += struct.pack("<I", len(pairs))
    for a, b in pairs:
        blob += struct.pack("<II", a, b)
    (OUT / "corpus.bin").write_bytes(bytes(blob))


# Sections of reference.bin, in file order. A section with a max_length lists only the inputs
# the truncation changes (for single texts, only the even-numbered lines, to keep the file
# small); the test checks the inputs that fit against the untruncated section.
SECTIONS = [
    # name, pair, max_length, strategy, direction
    ("single", False, 0, "longest_first", "right"),
    ("single_128_right", False, 128, "longest_first", "right"),
    ("single_40_left", False, 40, "longest_first", "left"),
    ("pair", True, 0, "longest_first", "right"),
    ("pair_128_longest_first_right", True, 128, "longest_first", "right"),
    ("pair_48_longest_first_left", True, 48, "longest_first", "left"),
    ("pair_64_only_first_right", True, 64, "only_first", "right"),
    ("pair_64_only_second_left", True, 64, "only_second", "left"),
]


def encode_section(tokenizer: Tokenizer, lines, indices, pairs, pair: bool, max_length: int, strategy: str,
                   direction: str, untruncated: dict, untruncated_pairs: dict):
    tokenizer.no_padding()
    if max_length:
        tokenizer.enable_truncation(max_length, strategy=strategy, direction=direction)
    else:
        tokenizer.no_truncation()
    records = []
    if pair:
        for a, b in pairs:
            if max_length and untruncated_pairs[(a, b)] <= max_length:
                continue
            try:
                encoding = tokenizer.encode(lines[a], lines[b])
            except Exception:  # only_first/only_second where that text is too short: not comparable
                continue
            records.append(((a, b), encoding))
    else:
        wanted = [i for i in indices if not max_length or (untruncated[i] > max_length and i % 2 == 0)]
        for i, encoding in zip(wanted, tokenizer.encode_batch([lines[i] for i in wanted])):
            records.append(((i,), encoding))
    tokenizer.no_truncation()
    return records


def write_reference(tokenizer: Tokenizer, lines, pairs, path: Path, limit: int = 0) -> dict[str, int]:
    """"SKTR" then per section: varint name-length + name, varint is-pair, varint max_length,
    varint strategy (0 longest_first, 1 only_first, 2 only_second), varint side (0 right, 1 left),
    varint record-count; per record the line index (two for a pair), varint id-count + ids,
    runs(type_ids), runs(attention_mask)."""
    blob = bytearray(b"SKTR")
    indices = list(range(len(lines)))
    if limit:  # a smaller reference: the first `limit` lines, the recent_lines(), the pairs among the first
        indices = list(range(limit)) + list(range(CORPUS_LINES, len(lines)))
        pairs = [(a, b) for a, b in pairs if a < limit and b < limit]
    untruncated: dict[int, int] = {}
    untruncated_pairs: dict[tuple[int, int], int] = {}
    counts = {}
    for name, pair, max_length, strategy, direction in SECTIONS:
        records = encode_section(tokenizer, lines, indices, pairs, pair, max_length, strategy, direction, untruncated,
                                 untruncated_pairs)
        if name == "single":
            untruncated = {index[0]: len(encoding.ids) for index, encoding in records}
        if name == "pair":
            untruncated_pairs = {index: len(encoding.ids) for index, encoding in records}
        blob += varint(len(name)) + name.encode() + varint(int(pair)) + varint(max_length)
        blob += varint(["longest_first", "only_first", "only_second"].index(strategy))
        blob += varint(["right", "left"].index(direction)) + varint(len(records))
        for index, encoding in records:
            for i in index:
                blob += varint(i)
            blob += varint(len(encoding.ids)) + b"".join(varint(t) for t in encoding.ids)
            blob += runs(encoding.type_ids) + runs(encoding.attention_mask)
        counts[name] = len(records)
    path.write_bytes(bytes(blob))
    return counts


def number_literals(count: int, rng: random.Random) -> list[str]:
    """JSON number literals in every shape a tokenizer.json may hold: Python's and Rust's
    shortest forms of random doubles (up to 17 significant digits), long digit strings that
    overflow u64, exponents of both signs, integers, zeros and subnormal magnitudes."""
    literals = ["0", "-0", "0.0", "-0.0", "1", "-1", "1e0", "1E+2", "2.5e-3", "-10", "4.9e-324", "1e-320",
                "18446744073709551615", "18446744073709551616", "184467440737095516150.5", "1844674407370955161.5",
                "0.18446744073709551615", "123456789012345678901234567890e-20", "-3.7321831500435003"]
    while len(literals) < count:
        kind = rng.randrange(5)
        if kind == 0:  # a Unigram-like log probability
            literals.append(repr(-rng.random() * 20))
        elif kind == 1:  # any double's shortest form
            literals.append(repr(struct.unpack("<d", struct.pack("<Q", rng.getrandbits(63)))[0]))
        elif kind == 2:  # a decimal with many digits, the point anywhere
            digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 26))).lstrip("0") or "0"
            point = rng.randint(1, len(digits))
            literals.append(("-" if rng.random() < 0.5 else "") + digits[:point] + "." + (digits[point:] or "0"))
        elif kind == 3:  # mantissa and exponent
            mantissa = f"{rng.randint(1, 9)}.{rng.randint(0, 10**rng.randint(1, 18))}"
            literals.append(f"{'-' if rng.random() < 0.5 else ''}{mantissa}{rng.choice('eE')}{rng.choice(['', '+', '-'])}{rng.randint(0, 320)}")
        else:  # an integer
            literals.append(str(rng.randint(-(10**rng.randint(1, 25)), 10**rng.randint(1, 25))))
    return literals[:count]


def write_serde_floats(count: int = 20000) -> None:
    """What `tokenizers` (serde_json, default features) reads each literal as: tokenizer.json's
    Unigram scores go through this reader, which is not always correctly rounded. The values come
    from tokenizers itself: a Unigram model with the literals as scores, loaded and saved again
    (saved in shortest round-trip form, so Python reads back the exact doubles)."""
    literals = number_literals(count, random.Random(15))
    kept: list[str] = []
    values: list[float] = []
    for start in range(0, len(literals), 1000):
        chunk = literals[start:start + 1000]
        vocab = ",".join(f'["p{i}",{literal}]' for i, literal in enumerate(chunk))
        document = ('{"version":"1.0","truncation":null,"padding":null,"added_tokens":[],"normalizer":null,'
                    '"pre_tokenizer":null,"post_processor":null,"decoder":null,'
                    f'"model":{{"type":"Unigram","unk_id":null,"vocab":[{vocab}],"byte_fallback":false}}}}')
        try:
            saved = json.loads(Tokenizer.from_str(document).to_str())["model"]["vocab"]
        except Exception:
            # A literal serde_json refuses (out of range) spoils its chunk: keep the others one by one.
            for i, literal in enumerate(chunk):
                single = document.replace(f'[{vocab}]', f'[["p{i}",{literal}]]')
                try:
                    value = json.loads(Tokenizer.from_str(single).to_str())["model"]["vocab"][0][1]
                except Exception:
                    continue
                kept.append(literal)
                values.append(float(value))
            continue
        kept.extend(chunk)
        values.extend(float(score) for _, score in saved)
    cases = [[literal, repr(value)] for literal, value in zip(kept, values)]
    (OUT / "serde-floats.json").write_text(json.dumps(cases) + "\n", encoding="utf-8")
    differ = sum(1 for literal, value in zip(kept, values) if float(literal) != value)
    print(f"serde-floats.json: {len(cases)} literals, {differ} read differently from a correctly rounded parse")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    lines = make_corpus()
    # Pairs and training text come from the main corpus alone (recent_lines is for references).
    trained_on = lines[:CORPUS_LINES]
    pairs = make_pairs(trained_on)
    write_corpus(lines, pairs)
    write_serde_floats()
    families = {
        "bert": lambda: bert_tokenizer(),
        "mpnet": lambda: mpnet_tokenizer(),
        "roberta": lambda: roberta_tokenizer(trained_on),
        "xlmr": lambda: xlmr_tokenizer(trained_on),
        "split-bpe": lambda: split_bpe_tokenizer(trained_on),
        "misc-wordpiece": lambda: misc_wordpiece_tokenizer(),
    }
    # The extra families check more components on part of the corpus (the first 8,000 lines and
    # recent_lines), to keep the files small.
    limits = {"split-bpe": 8000, "misc-wordpiece": 8000}
    only = set(sys.argv[1:])
    for family, build in families.items():
        if only and family not in only:
            continue
        tokenizer = build()
        folder = OUT / family
        folder.mkdir(exist_ok=True)
        tokenizer.save(str(folder / "tokenizer.json"))
        # Reload so the reference comes from exactly the committed document.
        reloaded = Tokenizer.from_file(str(folder / "tokenizer.json"))
        counts = write_reference(reloaded, lines, pairs, folder / "reference.bin", limits.get(family, 0))
        size = (folder / "reference.bin").stat().st_size + (folder / "tokenizer.json").stat().st_size
        print(f"{family}: {counts} ({size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
