"""Optional abstractive claims from a local seq2seq model, rejected when they add names or numbers."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from bot.brief.models import ModelError
from bot.brief.types import Claim

CHECKED_LABELS = frozenset({"PERSON", "GPE", "LOC", "NORP", "ORG"})
MIN_WORDS = 4  # shorter output "sentences" are fragments and are dropped
_REPEATED = 0.95  # cosine between two output sentences that makes them the same claim

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUM_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|[a-z]+")
_DEMONYMS = {"french": "france", "british": "britain", "polish": "poland", "dutch": "netherlands",
             "swiss": "switzerland", "turkish": "turkey", "finnish": "finland", "swedish": "sweden",
             "danish": "denmark", "spanish": "spain", "irish": "ireland", "belgian": "belgium", "greek": "greece"}


class AbstractiveSummarizer:
    """A transformers encoder-decoder (BART/T5 style) turned into 3-5 checked claims."""

    def __init__(self, name_or_path: str, *, max_input_tokens: int = 1024, max_new_tokens: int = 160,
                 num_beams: int = 2) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        self._torch = torch
        self.name = name_or_path
        self.reason: str | None = None  # why the last summary was rejected, None after an accepted one
        local = Path(name_or_path).expanduser().is_dir()
        if not local and (os.path.isabs(name_or_path) or name_or_path.startswith((".", "~"))):
            raise ModelError(f"cannot load seq2seq model {name_or_path!r}: no such folder")
        if local and not (Path(name_or_path).expanduser() / "config.json").is_file():
            raise ModelError(f"cannot load seq2seq model {name_or_path!r}: no config.json, not a saved model folder")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(name_or_path, local_files_only=local)
            self.model = AutoModelForSeq2SeqLM.from_pretrained(name_or_path, local_files_only=local).eval()
        except Exception as exc:  # any failure to load is a configuration error for the caller
            detail = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise ModelError(f"cannot load seq2seq model {name_or_path!r}: {detail}") from exc
        self.max_input_tokens = min(max_input_tokens, _position_limit(self.model.config, self.tokenizer))
        self.max_new_tokens = max_new_tokens
        self.num_beams = num_beams
        self.prefix = _task_prefix(self.model.config)

    def generate(self, text: str) -> str:
        """The model's raw summary of `text` (input truncated to max_input_tokens), spacing tidied."""
        inputs = self.tokenizer(self.prefix + text, truncation=True, max_length=self.max_input_tokens,
                                return_tensors="pt")
        options: dict[str, Any] = {"max_new_tokens": self.max_new_tokens, "num_beams": self.num_beams,
                                   "no_repeat_ngram_size": 3}
        if self.num_beams > 1:
            options["early_stopping"] = True
        with self._torch.inference_mode():
            out = self.model.generate(**inputs, **options)
        return _tidy(self.tokenizer.decode(out[0], skip_special_tokens=True))

    def summarize(self, text: str, sentences: list[str], embeddings: np.ndarray, encoder: Any,
                  nlp: Any) -> list[Claim] | None:
        """3-5 claims from the model, each tied to its most similar source sentence; None when rejected."""
        self.reason = None
        if not sentences or not text.strip():
            self.reason = "no article sentences"
            return None
        kept, self.reason = validate_summary(self.generate(text), text, nlp,
                                             min_sentences=min(3, len(sentences)))
        if self.reason is not None:
            return None
        vecs = np.asarray(encoder.encode(kept), dtype=np.float32)
        pair = vecs @ vecs.T
        np.fill_diagonal(pair, -1.0)
        if len(kept) > 1 and float(pair.max()) >= _REPEATED:
            self.reason = "repetitive output: two sentences say the same thing"
            return None
        source = np.argmax(vecs @ np.asarray(embeddings, dtype=np.float32).T, axis=1)
        return [Claim(s, int(i)) for s, i in zip(kept, source)]


def validate_summary(summary: str, article: str, nlp: Any, *, min_sentences: int = 3,
                     max_sentences: int = 5) -> tuple[list[str], str | None]:
    """(claim sentences, None) for a usable summary, else ([], reason).

    Rejected: empty or too few sentences, repetition, and any PERSON/GPE/LOC/NORP/ORG entity or number that
    the article does not contain (compared without case, diacritics, possessives; numbers by value).
    """
    doc = nlp(_tidy(summary))
    spans = [s for s in doc.sents if len(s.text.split()) >= MIN_WORDS][:max_sentences]
    if not spans:
        return [], "empty output"
    if len(spans) < min_sentences:
        return [], f"only {len(spans)} sentence(s), need {min_sentences}"
    kept = [s.text.strip() for s in spans]
    problem = _degenerate(kept)
    if problem is None:
        problem = _new_entity(doc, spans, article) or _new_number(" ".join(kept), article)
    return ([], problem) if problem else (kept, None)


def _position_limit(config: Any, tokenizer: Any) -> int:
    limit = getattr(config, "max_position_embeddings", None) or getattr(tokenizer, "model_max_length", None)
    return int(limit) if limit and limit < 1_000_000 else 1024


def _task_prefix(config: Any) -> str:
    params = getattr(config, "task_specific_params", None) or {}
    prefix = (params.get("summarization") or {}).get("prefix")
    if prefix is None and getattr(config, "model_type", "") in {"t5", "mt5", "longt5", "umt5"}:
        prefix = "summarize: "
    return prefix or ""


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([.,;:!?%)\]])", r"\1", text)
    return re.sub(r"([(\[])\s+", r"\1", text)


def _degenerate(sentences: list[str]) -> str | None:
    """Why the output is degenerate (repeated sentences or n-grams, not prose), or None."""
    norms = [_norm(s) for s in sentences]
    if len(set(norms)) < len(norms):
        return "repetitive output: a sentence is repeated"
    words = " ".join(norms).split()
    if sum(w.isalpha() for w in words) < 0.6 * max(1, len(words)):
        return "degenerate output: mostly not words"
    grams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    if grams and (len(set(grams)) < 0.7 * len(grams) or max(grams.count(g) for g in set(grams)) >= 3):
        return "repetitive output: repeated phrases"
    return None


def _norm(text: str) -> str:
    """Lower-case words without diacritics, dots, possessives or punctuation."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().replace("’", "'")
    text = re.sub(r"'s\b|(?<=s)'(?!\w)", "", text).replace(".", "")
    return re.sub(r"[\W_]+", " ", text).strip()


def _variants(word: str) -> set[str]:
    """The word and the country or region names it may be the adjective of (Ukrainian -> Ukraine)."""
    if word.endswith("s") and len(word) > 4:  # plurals: Ukrainians, Europeans
        return {word} | _variants(word[:-1])
    out = set()
    if word in _DEMONYMS:
        out.add(_DEMONYMS[word])
    if word.endswith("ian"):
        out |= {word[:-1], word[:-3] + "e", word[:-3] + "y", word[:-2]}
    elif word.endswith("an"):
        out |= {word[:-1], word[:-2], word + "y"}
    elif word.endswith("ese"):
        out |= {word[:-3] + "a", word[:-3]}
    elif word.endswith("i"):
        out |= {word[:-1], word + "a"}
    return {word} | {v for v in out if len(v) >= 4}


def _new_entity(doc: Any, spans: list[Any], article: str) -> str | None:
    """The first checked named entity of the kept sentences that the article does not name, as a reason."""
    art = f" {_norm(article)} "
    vocab = {v for word in set(art.split()) for v in _variants(word)}  # Ukrainian in the article covers Ukraine
    starts = {s.start for s in spans}
    for ent in doc.ents:
        if ent.label_ not in CHECKED_LABELS or ent.sent.start not in starts:
            continue
        name = re.sub(r"^the ", "", _norm(ent.text))
        if not name or f" {name} " in art:
            continue
        if all(_variants(tok) & vocab for tok in name.split()):
            continue
        return f"names {ent.label_} {ent.text!r}, which is not in the article"
    return None


def _new_number(summary: str, article: str) -> str | None:
    """The first number of the summary whose value the article does not contain, as a reason."""
    known: set[str] = set().union(*_number_mentions(article)[1])
    for text, forms in zip(*_number_mentions(summary)):
        if not forms & known:
            return f"gives the number {text!r}, which is not in the article"
    return None


def _number_mentions(text: str) -> tuple[list[str], list[frozenset[str]]]:
    """Each number in `text` (digits, or words like "twenty-five" / "two hundred") with its value forms."""
    tokens = _NUM_TOKEN.findall(text.lower().replace("-", " "))
    texts: list[str] = []
    forms: list[frozenset[str]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok[0].isdigit():
            value, j = float(tok.replace(",", "")), i + 1
        elif tok in _UNITS or tok in _TENS:
            value, j = _words_value(tokens, i)
            if tok == "one" and j == i + 1:  # a lone "one" is a pronoun far more often than a count
                i += 1
                continue
        else:
            i += 1
            continue
        vals = {value}
        if j < len(tokens) and tokens[j] in _SCALES and tok[0].isdigit():
            vals.add(value * _SCALES[tokens[j]])
        texts.append(" ".join(tokens[i:j]))
        forms.append(frozenset(_fmt(v) for v in vals))
        i = j
    return texts, forms


def _words_value(tokens: list[str], i: int) -> tuple[float, int]:
    """Value of the number words starting at tokens[i] and the index just after them."""
    total, current, j = 0.0, 0.0, i
    while j < len(tokens):
        w = tokens[j]
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w in _SCALES:
            total += max(current, 1) * _SCALES[w]
            current = 0.0
        elif not (w == "and" and j + 1 < len(tokens) and (tokens[j + 1] in _UNITS or tokens[j + 1] in _TENS)):
            break
        j += 1
    return total + current, j


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6f}".rstrip("0").rstrip(".")
