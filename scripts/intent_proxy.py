"""A quick look between runs of `make nlu-eval`: cross-validates a linear classifier on data/nlu.

A logistic regression over tf-idf-weighted words, character n-grams within
words, and the regex featurizer's flags for the lookup tables and regexes in
data/nlu, trained in seconds without Rasa. As in the real pipeline, a message
the crisis rules recognise gets their crisis intent. The product's classifier
is also a logistic regression, but over Rasa's raw counts of spaCy lemmas, so
the figures differ (0.925 here against 0.905 from `make nlu-eval` on 8,580
examples): compare proxy figures with proxy figures, and confirm a batch of
examples with `make nlu-eval`.

Misclassified examples go to results/intent-proxy/errors.json, most confident
first: a confident error is often an example that a person could read both ways.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import FunctionTransformer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlp.spacy_pipeline import PIPELINE_DIR, load  # noqa: E402
from bot.nlp.training_examples import intent_examples, pattern_blocks  # noqa: E402
from bot.safety.categories import intent_for  # noqa: E402
from bot.safety.detector import CrisisDetector  # noqa: E402


def regex_flags() -> FunctionTransformer:
    """One 0/1 column per lookup table and regex, as RegexFeaturizer gives the classifiers."""
    patterns = [
        re.compile(r"\b(" + "|".join(re.escape(e) for e in items) + r")\b", re.I)
        if kind == "lookup"
        else re.compile("|".join(items), re.I)
        for kind, _, items in pattern_blocks()
    ]
    return FunctionTransformer(
        lambda texts: csr_matrix([[float(bool(p.search(t))) for p in patterns] for t in texts])
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "intent-proxy")
    args = parser.parse_args()

    texts: list[str] = []
    labels: list[str] = []
    for intent, rows in intent_examples().items():
        for _, text in rows:
            texts.append(text.lower())
            labels.append(intent)
    model = make_pipeline(
        make_union(
            TfidfVectorizer(token_pattern=r"(?u)\b\w+\b"),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
            regex_flags(),
        ),
        LogisticRegression(C=20, max_iter=3000),
    )
    folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=0)
    proba = cross_val_predict(model, texts, labels, cv=folds, method="predict_proba")
    classes = sorted(set(labels))
    detector = CrisisDetector(load(PIPELINE_DIR))
    predicted = [
        intent_for(detection.category)
        if (detection := detector.detect(text)) is not None
        else classes[row.argmax()]
        for text, row in zip(texts, proba, strict=True)
    ]

    f1 = f1_score(labels, predicted, average="weighted")
    print(f"proxy intent F1 ({args.folds}-fold, linear model, {len(texts)} examples): {f1:.3f}")
    report = classification_report(labels, predicted, output_dict=True, zero_division=0)
    weakest = sorted(((name, report[name]["f1-score"]) for name in classes), key=lambda r: r[1])
    print("weakest intents: " + ", ".join(f"{name} {score:.2f}" for name, score in weakest[:10]))
    pairs = Counter((t, p) for t, p in zip(labels, predicted, strict=True) if t != p)
    print(
        "most frequent confusions (true -> predicted): "
        + ", ".join(f"{t} -> {p} {n}" for (t, p), n in pairs.most_common(10))
    )
    errors = sorted(
        (
            {"text": text, "intent": true, "predicted": pred, "confidence": float(row.max())}
            for text, true, pred, row in zip(texts, labels, predicted, proba, strict=True)
            if true != pred
        ),
        key=lambda error: -error["confidence"],
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "errors.json").write_text(json.dumps(errors, indent=1), encoding="utf-8")
    print(f"{len(errors)} misclassified examples in {args.out / 'errors.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
