"""Key-point coverage of select_claims against LexRank and lead-N baselines on the evaluation set."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np

from bot.brief.claims import MAX_SENTENCES, select_claims
from bot.brief.models import get_encoder, get_nlp

DEFAULT_EVAL = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "eval"
HIT = 0.6  # a key point counts as covered when some claim has cosine >= HIT with it
_CLUTTER = re.compile(r"^\s*(see also|read more|copyright|by )", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def split_sentences(nlp: Any, text: str) -> tuple[list[str], list[float]]:
    """spaCy sentences of each non-clutter line, and the share of each sentence inside quotation marks.

    Lines starting with See also / Read more / Copyright / By are dropped as clutter.
    """
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not _CLUTTER.match(ln)]
    sents: list[str] = []
    quoted: list[float] = []
    for line, doc in zip(lines, nlp.pipe(lines)):
        inside = _quoted_chars(line)
        for s in doc.sents:
            if s.text.strip():
                sents.append(s.text.strip())
                quoted.append(sum(inside[s.start_char : s.end_char]) / max(1, len(s.text)))
    return sents, quoted


def _quoted_chars(line: str) -> list[int]:
    """1 for each character between an opening and a closing quotation mark (a paragraph may span sentences)."""
    flags, inside = [], False
    for ch in line:
        if ch == "“" or (ch == '"' and not inside):
            inside = True
        elif ch == "”" or (ch == '"' and inside):
            inside = False
        flags.append(int(inside))
    return flags


def is_eligible(sentence: str, quoted_share: float) -> bool:
    """The bench's stand-in for the engine's rule: >= 6 words, not a question, at most half a direct quote."""
    return (
        len(sentence.split()) >= 6
        and not sentence.rstrip("\"”' ").endswith("?")
        and quoted_share <= 0.5
    )


def engine_sentences(nlp: Any, text: str, is_html: bool = False) -> list[str]:
    """The claim candidates as the brief engine makes them (cleaned text, no title, its eligibility rule).

    Mirrors bot.brief.engine: paragraph-aware spaCy sentences, the first MAX_SENTENCES of them, kept when they
    have >= 6 words, start with a capital or digit, are no question and are at most half inside quotes.
    """
    from bot.brief.nlp_text import add_paragraph_breaks, sentences
    from bot.brief.quotes import extract_quotes
    from bot.extract.clean import clean_text, split_title
    from bot.extract.html import html_to_text

    body = html_to_text(text)[1] if is_html else split_title(clean_text(text))[1]
    doc = add_paragraph_breaks(nlp)(body)
    quotes = extract_quotes(body, doc)
    kept = []
    for a, b in sentences(doc)[:MAX_SENTENCES]:
        inside = sum(max(0, min(b, q.end) - max(a, q.start)) for q in quotes)
        if is_eligible(body[a:b], inside / max(1, b - a)) and (body[a].isupper() or body[a].isdigit()):
            kept.append(body[a:b])
    return kept


def prepare(nlp: Any, text: str, mode: str, is_html: bool = False) -> tuple[list[str], list[bool]]:
    """(sentences, eligible) for one article in `mode` "simple" or "engine" (HTML only in engine mode)."""
    if mode == "engine":
        kept = engine_sentences(nlp, text, is_html)
        return kept, [True] * len(kept)
    sents, quoted = split_sentences(nlp, text)
    return sents, [is_eligible(s, q) for s, q in zip(sents, quoted)]


def lexrank(sentences: list[str], eligible: list[bool], k: int, threshold: float = 0.1) -> list[int]:
    """LexRank: TF-IDF cosine graph (edges above `threshold`), damped power iteration, top-k eligible."""
    from spacy.lang.en.stop_words import STOP_WORDS

    docs = [[w for w in _WORD.findall(s.lower()) if w not in STOP_WORDS] for s in sentences]
    vocab = {w: i for i, w in enumerate(sorted({w for d in docs for w in d}))}
    n = len(sentences)
    tf = np.zeros((n, max(len(vocab), 1)), dtype=np.float64)
    for r, d in enumerate(docs):
        for w, c in Counter(d).items():
            tf[r, vocab[w]] = c
    df = (tf > 0).sum(axis=0)
    vecs = tf * (np.log((1 + n) / (1 + df)) + 1.0)
    vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
    adj = ((vecs @ vecs.T) > threshold).astype(np.float64)
    trans = adj / np.maximum(adj.sum(axis=1, keepdims=True), 1.0)
    rank = np.full(n, 1.0 / n)
    for _ in range(100):
        new = 0.15 / n + 0.85 * (trans.T @ rank)
        if np.abs(new - rank).sum() < 1e-8:
            break
        rank = new
    order = [i for i in np.argsort(-rank, kind="stable") if eligible[i]]
    return sorted(int(i) for i in order[:k])


def lead(eligible: list[bool], k: int) -> list[int]:
    """Lead-N: the first k eligible sentences."""
    return [i for i, ok in enumerate(eligible) if ok][:k]


def coverage(points: np.ndarray, picked: np.ndarray) -> tuple[float, float]:
    """(mean over key points of the max cosine to a picked sentence, share of points with max >= HIT)."""
    if len(points) == 0 or len(picked) == 0:
        return 0.0, 0.0
    best = (points @ picked.T).max(axis=1)
    return float(best.mean()), float((best >= HIT).mean())


def load_eval(folder: Path, *, html: bool = False) -> list[tuple[str, str, list[str], bool]]:
    """(slug, raw text, key_points, is_html) for every NN-slug.txt (and NN-slug.html if `html`) with a .json."""
    items = []
    for meta in sorted(folder.glob("*.json")):
        points = [str(p) for p in json.loads(meta.read_text(encoding="utf-8")).get("key_points") or []]
        for suffix in (".txt", ".html") if html else (".txt",):
            source = meta.with_suffix(suffix)
            if source.exists() and points:
                items.append((meta.stem, source.read_text(encoding="utf-8"), points, suffix == ".html"))
                break
    return items


def redundancy(picked: np.ndarray) -> float:
    """Highest cosine between two picked sentences (how much the claims repeat each other)."""
    if len(picked) < 2:
        return 0.0
    sims = picked @ picked.T
    return float(sims[np.triu_indices(len(picked), 1)].max())


def run(folders: list[Path], mode: str = "simple") -> dict[str, list[tuple[float, float, float]]]:
    """Print one row per article and the means; return (max-cos, hit share, redundancy) per method."""
    nlp, enc = get_nlp(), get_encoder()
    scorer = get_encoder(int8=False)  # coverage is scored in float32, whatever arithmetic picked the claims
    items = [it for f in folders for it in load_eval(f, html=mode == "engine")]
    if not items:
        sys.exit(f"no NN-slug.txt/.html + NN-slug.json pairs in {', '.join(map(str, folders))}")
    enc.encode(["warm up"])
    methods = ("ours", "lexrank", "lead-N")
    results: dict[str, list[tuple[float, float, float]]] = {m: [] for m in methods}
    encode_ms: list[float] = []
    select_ms: list[float] = []
    print(f"mode={mode}; cells: mean max-cos / share >= {HIT} / max cosine between picks")
    print(f"{'article':<34}{'k':>3}" + "".join(f"{m:>22}" for m in methods))
    for slug, text, points, is_html in items:
        sents, elig = prepare(nlp, text, mode, is_html)
        t0 = time.perf_counter()
        vecs = enc.encode(sents)
        t1 = time.perf_counter()
        ours = [c.sentence for c in select_claims(sents, vecs, eligible=elig)]
        encode_ms.append(1000 * (t1 - t0))
        select_ms.append(1000 * (time.perf_counter() - t1))
        k = len(ours)
        kp = scorer.encode(points)
        exact = vecs if scorer is enc else scorer.encode(sents)
        picks = dict(zip(methods, (ours, lexrank(sents, elig, k), lead(elig, k))))
        cells = []
        for name, idx in picks.items():
            score = (*coverage(kp, exact[idx]), redundancy(exact[idx]))
            results[name].append(score)
            cells.append(f"{score[0]:.3f} / {score[1]:.2f} / {score[2]:.2f}")
        print(f"{slug[:33]:<34}{k:>3}" + "".join(f"{c:>22}" for c in cells))
    print("-" * (37 + 22 * len(methods)))
    means = {m: np.mean(np.array(v), axis=0) for m, v in results.items()}
    print(f"{'MEAN':<37}" + "".join(f"{a:.3f} / {b:.2f} / {c:.2f}".rjust(22) for a, b, c in means.values()))
    ours_cos = np.array([r[0] for r in results["ours"]])
    for base in methods[1:]:
        diff = ours_cos - np.array([r[0] for r in results[base]])
        print(f"ours vs {base}: mean max-cos {diff.mean():+.3f} (s.e. {diff.std(ddof=1) / np.sqrt(len(diff)):.3f}), "
              f"better on {(diff > 0.005).sum()}, worse on {(diff < -0.005).sum()} of {len(diff)} articles")
    print(f"per article: encode median {np.median(encode_ms):.0f} ms (max {max(encode_ms):.0f}), "
          f"select_claims median {np.median(select_ms):.1f} ms (max {max(select_ms):.1f})")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folders", nargs="*", type=Path, default=[DEFAULT_EVAL], help="eval folders")
    parser.add_argument("--mode", choices=["simple", "engine"], default="simple",
                        help="simple: spaCy sentences minus clutter-ish lines (all sentences embedded, eligibility "
                             "flags passed); engine: the engine's cleaning, title split and quote spans, eligible "
                             "sentences only")
    args = parser.parse_args(argv)
    run(args.folders, args.mode)


if __name__ == "__main__":
    main()
