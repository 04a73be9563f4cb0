"""`briefbot brief`: every input briefed in order, bad ones reported in one line, models loaded once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", "brief", *args], input=stdin.decode() if stdin else None,
                          capture_output=True, text=True, env=ENV, timeout=300)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("inputs")
    wire = (FIXTURES / "brief" / "geneva-wire.txt").read_text()
    paths = {
        "wire": d / "wire.txt",
        "empty": d / "empty.txt",
        "binary": d / "photo.txt",
        "huge": d / "huge.txt",
        "page": d / "page.html",
        "long": d / "long.txt",
    }
    paths["wire"].write_text(wire)
    paths["empty"].write_text("  \n\n ")
    paths["binary"].write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 50)
    paths["huge"].write_text(("Word " * 1_100_000))
    paths["page"].write_text(
        "<html><head><title>Talks stall</title></head><body><article><h1>Talks stall</h1>"
        "<p>Ukrainian President Volodymyr Zelenskyy said on Monday that the talks had stalled over territory.</p>"
        "<p>\"We will not sign away land that our soldiers are still holding,\" Zelenskyy said in Kyiv.</p>"
        "<p>Negotiators from both sides are due to meet again in Miami at the end of the week.</p>"
        "</article></body></html>"
    )
    paths["long"].write_text("Long read\n\n" + "\n\n".join([wire.split("\n\n", 1)[1]] * 60))
    return paths


def test_json_one_object_per_input_in_order(inputs):
    order = ["wire", "empty", "binary", "page", "huge", "long"]
    proc = _run("--json", *[str(inputs[k]) for k in order])
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [Path(x["source"]).stem for x in lines] == ["wire", "empty", "photo", "page", "huge", "long"]
    wire, empty, binary, page, huge, long = lines
    assert set(wire) >= {"title", "claims", "quotes"}
    assert {"text", "sentence"} <= set(wire["claims"][0])
    assert {"speaker", "speaker_key", "role", "text", "cue", "method", "confidence"} <= set(wire["quotes"][0])
    assert wire["quotes"][0]["speaker"] == "Steve Witkoff"
    assert "error" in empty and "error" in binary and "error" in huge
    assert page["quotes"][0]["speaker"] == "Volodymyr Zelenskyy"
    assert long["claims"] and any("truncated" in n for n in long["notes"])
    errors = [line for line in proc.stderr.splitlines() if line.startswith("briefbot: ")]
    assert len(errors) == 3 and all(len(e) < 200 for e in errors)
    assert "5 MB" in next(e for e in errors if "huge" in e)


def test_stdin_and_terminal_output():
    raw = (FIXTURES / "brief" / "geneva-wire.txt").read_bytes()
    proc = _run("-", stdin=raw)
    assert proc.returncode == 0, proc.stderr
    assert "Key claims" in proc.stdout and "Steve Witkoff" in proc.stdout
    assert "Loading weights" not in proc.stderr


def test_missing_file_is_one_line():
    proc = _run("/nonexistent/article.txt")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == ["briefbot: /nonexistent/article.txt: No such file or directory"]


def test_unknown_model_is_one_line(inputs, tmp_path):
    proc = _run("--encoder", str(tmp_path / "no-model"), str(inputs["wire"]))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "cannot load encoder model" in proc.stderr
