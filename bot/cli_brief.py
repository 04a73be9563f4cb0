"""`briefbot brief [--json] PATH...`: brief articles from files or stdin."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger("bot.cli")


def add_brief_command(sub: Any) -> None:
    """Register the `brief` subcommand."""
    p = sub.add_parser("brief", help="brief one or more articles (.txt or .html; - for stdin)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="article file (.txt/.html), or - for standard input")
    p.add_argument("--json", action="store_true", help="print one JSON object per input, one per line")
    p.add_argument("--encoder", default=None, help="sentence encoder (hub id or local path); default bundled MiniLM")
    p.add_argument("--abstractive", default=None, metavar="MODEL", help="seq2seq model (hub id or local path)")
    p.set_defaults(handler=run_brief)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


def _error(path: str, message: str) -> None:
    print(f"briefbot: {path}: {message}", file=sys.stderr)


def run_brief(args: argparse.Namespace) -> int:
    """Brief every input in order; a bad input is reported in one line and the rest still run."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from bot.extract.load import InputError, load_article

    loaded: list[tuple[str, Any, str | None]] = []
    for path in args.paths:
        try:
            loaded.append((path, load_article(_read(path), path), None))
        except InputError as exc:
            loaded.append((path, None, str(exc)))
        except OSError as exc:
            loaded.append((path, None, exc.strerror or str(exc)))
    good = [a for _, a, _ in loaded if a is not None]
    briefs: list[Any] = []
    if good:
        from bot.brief.engine import Article, Briefer
        from bot.brief.models import ModelError

        try:
            briefer = Briefer(encoder=args.encoder, abstractive=args.abstractive)
        except ModelError as exc:
            print(f"briefbot: {exc}", file=sys.stderr)
            return 2
        briefs = briefer.brief_articles([Article(a.title, a.text) for a in good])
    return _report(args, loaded, iter(briefs))


def _report(args: argparse.Namespace, loaded: list[tuple[str, Any, str | None]], briefs: Any) -> int:
    status = 0
    console = None
    if not args.json:
        from rich.console import Console

        from bot.render.terminal import print_brief

        console = Console()
    for path, article, error in loaded:
        if error is not None:
            status = 1
            _error(path, error)
            if args.json:
                print(json.dumps({"source": path, "error": error}, ensure_ascii=False), flush=True)
            continue
        brief = next(briefs)
        if article.truncated:
            brief.notes.insert(0, "input truncated")
        if args.json:
            data = {"source": path, **brief.to_json()}
            print(json.dumps(data, ensure_ascii=False), flush=True)
        else:
            print_brief(console, brief, path)
    return status
