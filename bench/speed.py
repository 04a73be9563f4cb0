"""Brief engine speed and memory: cold start (load + first brief), warm cost per ~900-word article, peak RSS.

Run: python bench/speed.py [--articles N] [--quantize] [--fp32] [--encoder MODEL]   (figures printed; nothing asserted)
Warm cost is given as wall time and as process CPU time (less sensitive to other load on a shared machine); peak
memory is broken down by step from /proc/self/status VmHWM (Linux).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "fixtures" / "eval"
_REFERENCE_WPS = 5500  # "spaCy's small model runs about 5,500 words/s with all its pipes" (issue #2)


def _articles(target_words: int = 900) -> list[str]:
    """Eval-set articles padded or cut to about `target_words` words each (whole paragraphs)."""
    out = []
    for path in sorted(EVAL.glob("*.txt")):
        paras = [p for p in path.read_text().split("\n") if p.strip()]
        head, body = paras[0], paras[1:]
        words, chosen = 0, []
        while words < target_words:
            for p in body:
                chosen.append(p)
                words += len(p.split())
                if words >= target_words:
                    break
        out.append(head + "\n\n" + "\n\n".join(chosen))
    return out


def _peak_mb() -> float | None:
    """The process's peak resident memory so far (VmHWM), in MB; None where /proc is missing."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else None


def _child(paths: list[str]) -> None:
    """Run in a fresh process: time the load, the first brief, then the warm batch; note the peak after each step."""
    peaks = {"python": _peak_mb()}
    t0 = time.perf_counter()
    from bot.brief.engine import Briefer

    peaks["import engine (spaCy)"] = _peak_mb()
    briefer = Briefer(encoder=os.environ.get("BRIEFBOT_BENCH_ENCODER") or None,
                      quantize=os.environ.get("BRIEFBOT_BENCH_QUANTIZE") == "1",
                      int8=os.environ.get("BRIEFBOT_BENCH_FP32") != "1")
    peaks["load models"] = _peak_mb()
    texts = [Path(p).read_text() for p in paths]
    first = briefer.brief_text(texts[0])
    t1 = time.perf_counter()
    peaks["first brief"] = _peak_mb()
    arts = [briefer.prepare_text(t) for t in texts]
    briefer.brief_articles(arts[:4])  # warm every code path once
    t2, c2 = time.perf_counter(), time.process_time()
    briefs = briefer.brief_articles(arts)
    t3, c3 = time.perf_counter(), time.process_time()
    peaks[f"batch of {len(arts)}"] = _peak_mb()
    words = sum(len(a.text.split()) for a in arts)
    print(json.dumps({"cold_s": t1 - t0, "warm_total_s": t3 - t2, "warm_cpu_s": c3 - c2, "articles": len(arts),
                      "words": words, "quotes": sum(len(b.quotes) for b in briefs), "first_quotes": len(first.quotes),
                      "peaks_mb": peaks, "loaded": [m for m in ("torch", "transformers") if m in sys.modules],
                      "precision": _precision(briefer.encoder)}))


def _pace(paths: list[str]) -> None:
    """Run in its own process (its memory is not the brief's): the host's pace, spaCy's stock pipeline alone (all
    its pipes, as shipped), in words per second on the same texts."""
    import spacy

    from bot.brief.models import DEFAULT_SPACY

    texts = [Path(p).read_text() for p in paths]
    nlp = spacy.load(DEFAULT_SPACY)
    list(nlp.pipe(texts[:2]))
    t0 = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=2):
        pass
    print(json.dumps({"spacy_wps": sum(len(t.split()) for t in texts) / (time.perf_counter() - t0)}))


def _precision(encoder: object) -> str:
    """Which arithmetic the sentence encoder runs: numpy float32, onnxruntime int8, or a torch model."""
    if getattr(encoder, "int8", None) is True:
        return "int8 (onnxruntime dense layers, numpy MiniLM)"
    if getattr(encoder, "int8", None) is False:
        return "float32 (numpy MiniLM)"
    quantized = getattr(encoder, "batch_size", None) == 1
    return f"torch {'int8 (quantize)' if quantized else 'float32'} ({getattr(encoder, 'name', '?')})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--quantize", action="store_true", help="int8 sentence encoder ([models] quantize = true)")
    parser.add_argument("--fp32", action="store_true", help="float32 bundled encoder ([models] int8 = false)")
    parser.add_argument("--encoder", default="", help="sentence encoder (hub id or local path); default bundled MiniLM")
    args = parser.parse_args(argv)
    texts = _articles()[: args.articles]
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, t in enumerate(texts):
            p = Path(tmp) / f"a{i}.txt"
            p.write_text(t)
            paths.append(str(p))
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "BRIEFBOT_BENCH_QUANTIZE": "1" if args.quantize else "0",
               "BRIEFBOT_BENCH_FP32": "1" if args.fp32 else "0", "BRIEFBOT_BENCH_ENCODER": args.encoder}
        cmd = ["/usr/bin/time", "-v", sys.executable, __file__, "--child", *paths]
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env, cwd=ROOT)
        pace = subprocess.run([sys.executable, __file__, "--pace", *paths], check=False, capture_output=True,
                              text=True, env=env, cwd=ROOT)
    if proc.returncode != 0 or pace.returncode != 0:
        print(proc.stderr, pace.stderr, file=sys.stderr)
        return 1
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data.update(json.loads(pace.stdout.strip().splitlines()[-1]))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1)) / 1024
    per = data["warm_total_s"] / data["articles"]
    per900 = data["warm_total_s"] / data["words"] * 900
    print(f"articles: {data['articles']} (~{data['words'] // data['articles']} words each), quotes found: {data['quotes']}")
    print(f"cold: model load + first brief   {data['cold_s']:.2f} s   (goal <= 4 s)")
    print(f"warm: per article (batch)        {per:.3f} s; per 900 words {per900:.3f} s   (goal <= 0.25 s)")
    print(f"      CPU time per 900 words     {data['warm_cpu_s'] / data['words'] * 900:.3f} s (both cores together)")
    ref = _REFERENCE_WPS / data["spacy_wps"]
    print(f"host pace: spaCy alone            {data['spacy_wps']:,.0f} words/s (the issue's reference machine: "
          f"{_REFERENCE_WPS:,}); warm cost at that pace {per900 / ref:.3f} s per 900 words")
    print(f"peak memory (max RSS)            {rss:.0f} MB   (goal <= 450 MB)")
    for step, peak in data["peaks_mb"].items():
        if peak is not None:
            print(f"      peak after {step:<22} {peak:.0f} MB")
    print(f"encoder precision                {data['precision']}")
    print(f"torch / transformers loaded      {', '.join(data['loaded']) or 'neither'}")
    print(f"load average now                 {os.getloadavg()[0]:.2f} (2 cores; figures are noisy when loaded)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in {"--child", "--pace"}:
        sys.path.insert(0, str(ROOT))
        (_child if sys.argv[1] == "--child" else _pace)(sys.argv[2:])
    else:
        sys.exit(main())
