"""Quote quality benchmark: the brief engine and a regex+NER baseline against the gold eval set."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _eval import EVAL_DIR, ArticleScore, EvalItem, load_eval_set, score_article, summarise  # noqa: E402

_QUOTE = re.compile(r"“([^“”\n]+)”|\"([^\"\n]+)\"")
Runner = Callable[[EvalItem], list[dict[str, Any]]]


def article_text(item: EvalItem) -> str:
    """The article's plain text: the raw .txt, or trafilatura's extraction of the .html page."""
    if not item.is_html:
        return item.raw
    import trafilatura

    return trafilatura.extract(item.raw, include_comments=False) or ""


def baseline_quotes(text: str) -> list[dict[str, Any]]:
    """Double-quoted spans of >= 4 words; speaker = nearest PERSON in the paragraph, else the previous one's last."""
    from bot.brief.models import get_nlp
    from bot.brief.speakers import speaker_key

    paras = [p.strip() for p in text.splitlines() if p.strip()]
    out: list[dict[str, Any]] = []
    previous: list[tuple[int, int, str]] = []
    for para, doc in zip(paras, get_nlp().pipe(paras)):
        spans = [(m.start(), m.end(), m.group(1) or m.group(2)) for m in _QUOTE.finditer(para)]
        people = [
            (e.start_char, e.end_char, e.text)
            for e in doc.ents
            if e.label_ == "PERSON" and not any(s <= e.start_char < end for s, end, _ in spans)
        ]
        for start, end, quote in spans:
            if len(quote.split()) < 4:
                continue
            speaker = ""
            if people:
                speaker = min(people, key=lambda p: _gap(p[0], p[1], start, end))[2]
            elif previous:
                speaker = previous[-1][2]
            out.append({"text": quote, "speaker": speaker, "speaker_key": speaker_key(speaker) if speaker else ""})
        previous = people
    return out


def _gap(a0: int, a1: int, b0: int, b1: int) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, b0 - a1, a0 - b1)


def engine_runner() -> Runner:
    """A runner calling bot.brief.engine.Briefer (raises ImportError until the engine exists)."""
    from bot.brief.engine import Briefer

    briefer = Briefer()

    def run(item: EvalItem) -> list[dict[str, Any]]:
        brief = briefer.brief_html(item.raw) if item.is_html else briefer.brief_text(item.raw, title=None)
        return list(brief.to_json()["quotes"])

    return run


def run_system(items: list[EvalItem], runner: Runner) -> tuple[list[ArticleScore], dict[str, str], float]:
    """Score `runner` on every article; an article whose run raises counts as no predictions."""
    scores, failures = [], {}
    t0 = time.perf_counter()
    for item in items:
        try:
            pred = runner(item)
        except Exception as exc:  # noqa: BLE001 - a crash on one article must not hide the others' figures
            failures[item.name] = f"{type(exc).__name__}: {exc}"
            pred = []
        scores.append(score_article(item.name, pred, item.gold["quotes"]))
    return scores, failures, time.perf_counter() - t0


def _pct(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def print_report(label: str, summary: dict[str, Any], failures: dict[str, str], seconds: float) -> None:
    o = summary["overall"]
    print(f"\n=== {label}: {summary['articles']} articles, {summary['gold_quotes']} gold quotes, {seconds:.1f}s")
    print(f"overall  P {_pct(o['precision'])}  R {_pct(o['recall'])}  F1 {_pct(o['f1'])}  "
          f"speaker acc {_pct(o['speaker_accuracy'])}  (tp {o['tp']} fp {o['fp']} fn {o['fn']} "
          f"speaker ok {o['speaker_correct']})")
    print(f"\n{'pattern':16s} {'arts':>4s} {'gold':>4s} | {'R(q)':>6s} {'spk(q)':>6s} | "
          f"{'P(art)':>6s} {'R(art)':>6s} {'F1(art)':>7s} {'spk(art)':>8s}")
    for tag, row in summary["patterns"].items():
        a = row["article_figures"]
        print(f"{tag:16s} {row['articles']:4d} {row['gold_quotes']:4d} | {_pct(row['quote_recall'])} "
              f"{_pct(row['quote_speaker_accuracy'])} | {_pct(a['precision'])} {_pct(a['recall'])} "
              f" {_pct(a['f1'])}   {_pct(a['speaker_accuracy'])}")
    print("(q) = that pattern's own gold quotes; (art) = all quotes of the articles tagged with it")
    for name, err in failures.items():
        print(f"FAILED {name}: {err}")


def print_errors(label: str, scores: list[ArticleScore]) -> None:
    from bot.brief.speakers import speaker_key

    print(f"\n--- {label} errors")
    for s in scores:
        for q in s.false_positives:
            print(f"[FP]  {s.name}: {_short(q.get('text', ''))!r} ({q.get('speaker')})")
        for q in s.false_negatives:
            print(f"[FN]  {s.name} <{q['pattern']}>: {_short(q['text'])!r} ({q['speaker']})")
        for (i, j), ok in zip(s.pairs, s.speaker_ok):
            if not ok:
                p, g = s.pred[i], s.gold[j]
                print(f"[SPK] {s.name} <{g['pattern']}>: {_short(g['text'])!r} gold={g['speaker']} "
                      f"[{speaker_key(g['speaker'])}] pred={p.get('speaker')} [{p.get('speaker_key')}]")


def _short(text: str, n: int = 70) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--baseline-only", action="store_true", help="score only the regex+NER baseline")
    ap.add_argument("--show-errors", action="store_true", help="list every FP, FN and wrong speaker")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--eval-dir", type=Path, default=EVAL_DIR, help="folder of articles and gold files")
    args = ap.parse_args(argv)

    items = load_eval_set(args.eval_dir)
    systems: dict[str, Runner] = {}
    if not args.baseline_only:
        try:
            systems["engine"] = engine_runner()
        except ImportError as exc:
            print(f"engine not available ({exc}); run with --baseline-only", file=sys.stderr)
            return 2
    systems["baseline"] = lambda item: baseline_quotes(article_text(item))

    results: dict[str, Any] = {}
    for label, runner in systems.items():
        scores, failures, seconds = run_system(items, runner)
        summary = summarise(items, scores)
        summary.update(seconds=round(seconds, 2), failures=failures)
        results[label] = summary
        if not args.json:
            print_report(label.upper(), summary, failures, seconds)
            if args.show_errors:
                print_errors(label.upper(), scores)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
