"""int8 dense layers in onnxruntime: accuracy against float32, thread safety, the int8 MiniLM and its wiring."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.brief import models
from bot.brief.bert_numpy import NumpyBert, NumpyBertEncoder, _gelu_inplace
from bot.brief.int8_linear import Int8Linear, quantize_weight
from bot.brief.models import default_encoder_path, get_encoder

ROOT = Path(__file__).resolve().parents[2]

# Fictional news sentences: two on ceasefire talks, two on grain exports, one each on sport, weather and courts.
NEWS = [
    "Envoys from both sides met in Ostrel on Monday for a third round of ceasefire talks, officials said.",
    "Negotiators resumed truce discussions in the capital on Tuesday after a week-long pause.",
    "Grain exports rose 4.7% to 1,250,000 tonnes in the first quarter, the highest since 2019.",
    "Wheat shipments from the southern ports climbed sharply this spring, the trade ministry reported.",
    "The home side won 3-1 in extra time to reach the cup final for the first time in a decade.",
    "Heavy snow closed the mountain pass and cut power to thousands of homes overnight.",
    "“We will not sign anything that gives away the valley,” the minister of Varnesk told reporters.",
    "A court in Tallow Point sentenced the former mayor to six years in prison for bribery.",
    "The council voted 31-4 to extend the monitoring mission by six months.",
    "Ceasefire.",
]


def _relative_error(y: np.ndarray, ref: np.ndarray) -> float:
    return float(np.linalg.norm(y - ref) / np.linalg.norm(ref))


@pytest.fixture(scope="module")
def bert() -> NumpyBert:
    return NumpyBert(default_encoder_path())


@pytest.fixture(scope="module")
def encoders() -> tuple[NumpyBertEncoder, NumpyBertEncoder]:
    folder = default_encoder_path()
    return NumpyBertEncoder(folder), NumpyBertEncoder(folder, int8=True)


def test_weights_are_quantised_per_output_channel() -> None:
    w = np.array([[0.5, -1.0, 0.25], [0.0, 0.0, 0.0], [2.0, 1.0, -0.5]], dtype=np.float32)
    q, scale = quantize_weight(w)
    assert q.dtype == np.int8 and q.shape == (3, 3) and q.flags.c_contiguous  # (in, out)
    assert np.allclose(scale, [1.0 / 127, 1.0, 2.0 / 127])
    assert q[:, 0].tolist() == [64, -127, 32] and q[:, 1].tolist() == [0, 0, 0] and q[:, 2].tolist() == [127, 64, -32]


@pytest.mark.parametrize(("rows", "width", "out"), [(50, 384, 1152), (300, 1536, 384), (7, 33, 5), (1, 384, 384)])
def test_matches_float_product_on_random_data(rows: int, width: int, out: int) -> None:
    rng = np.random.default_rng(rows)
    w = rng.standard_normal((out, width)).astype(np.float32)
    b = (3 * rng.standard_normal(out)).astype(np.float32)
    x = rng.standard_normal((rows, width)).astype(np.float32)
    y = Int8Linear(w, b)(x)
    assert y.shape == (rows, out) and y.dtype == np.float32
    ref = x @ w.T + b
    assert _relative_error(y, ref) < 0.02
    assert _relative_error(y, x @ w.T) > 0.05  # the bias is added


def test_bias_zero_rows_and_input_layouts() -> None:
    rng = np.random.default_rng(7)
    w = rng.standard_normal((6, 4)).astype(np.float32)
    w[2] = 0  # an all-zero channel (scale 1) gives exactly its bias
    b = np.arange(6, dtype=np.float32)
    lin = Int8Linear(w, b)
    assert np.array_equal(lin(np.zeros((3, 4), np.float32)), np.tile(b, (3, 1)))
    x = rng.standard_normal((5, 4)).astype(np.float32)
    assert np.array_equal(lin(np.asfortranarray(x)), lin(x)) and np.array_equal(lin(x.astype(np.float64)), lin(x))
    assert np.all(lin(x)[:, 2] == 2)
    empty = lin(np.zeros((0, 4), np.float32))
    assert empty.shape == (0, 6) and empty.dtype == np.float32
    with pytest.raises(ValueError):
        lin(np.zeros((3, 5), np.float32))
    with pytest.raises(ValueError):
        Int8Linear(w, b[:5])


def test_matches_float_product_on_minilm_layers(bert: NumpyBert, encoders) -> None:
    """Real weights on real activations (the last hidden states of a few sentences)."""
    fp32, _ = encoders
    ids = [enc.ids for enc in fp32.tokenizer.encode_batch(NEWS[:4])]
    x = bert.forward(ids)
    layer = bert.layers[3]
    for w, b in ((layer.qkv_w, layer.qkv_b), (layer.out_w, layer.out_b), (layer.mid_w, layer.mid_b)):
        y = Int8Linear(w, b)(x)
        assert y.shape == (len(x), len(b)) and y.dtype == np.float32
        assert _relative_error(y, x @ w.T + b) < 0.04
    mid = x @ layer.mid_w.T + layer.mid_b
    _gelu_inplace(mid)
    ref = mid @ layer.ffn_w.T + layer.ffn_b
    assert _relative_error(Int8Linear(layer.ffn_w, layer.ffn_b)(mid), ref) < 0.04


def test_two_threads_at_once_give_the_serial_results() -> None:
    rng = np.random.default_rng(3)
    lin = Int8Linear(rng.standard_normal((1536, 384)).astype(np.float32), rng.standard_normal(1536).astype(np.float32))
    inputs = [rng.standard_normal((int(rng.integers(1, 400)), 384)).astype(np.float32) for _ in range(40)]
    serial = [lin(x) for x in inputs]
    results: dict[int, list[np.ndarray]] = {}
    start = threading.Barrier(2)

    def work(k: int) -> None:
        start.wait()
        results[k] = [lin(x) for x in (inputs if k == 0 else inputs[::-1])]

    threads = [threading.Thread(target=work, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.array_equal(a, b) for a, b in zip(results[0], serial, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(results[1], serial[::-1], strict=True))


def test_onnxruntime_telemetry_is_off(tmp_path: Path) -> None:
    """onnxruntime's telemetry would leave a .ses file in TMPDIR (and a cache under ~/.cache) and phone home."""
    code = ("import os, numpy as np\n"
            "from bot.brief.int8_linear import Int8Linear\n"
            "lin = Int8Linear(np.ones((3, 2), np.float32), np.zeros(3, np.float32))\n"
            "print(lin(np.ones((1, 2), np.float32)).tolist(), os.environ['ORT_DISABLE_TELEMETRY'])\n")
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"} | {"TMPDIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[[2.0,", "2.0,", "2.0]]", "1"]
    assert list(tmp_path.iterdir()) == []


def test_int8_encoder_is_close_to_float32(encoders) -> None:
    fp32, int8 = encoders
    assert (fp32.int8, int8.int8) == (False, True)
    a, b = fp32.encode(NEWS), int8.encode(NEWS)
    assert b.shape == a.shape == (len(NEWS), 384) and b.dtype == np.float32
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    cos = np.sum(a * b, axis=1)
    assert cos.min() >= 0.98
    assert np.max(np.abs(a - b)) > 1e-4  # the int8 path really ran


def test_int8_encoder_keeps_nearest_neighbours(encoders) -> None:
    query = ["Grain shipments from the ports rose this quarter, the ministry said."]
    ranks = []
    for enc in encoders:
        v = enc.encode(NEWS)
        sims = v @ v.T
        np.fill_diagonal(sims, -1)
        assert sims.argmax(1)[2:4].tolist() == [3, 2]  # grain with wheat
        assert set(np.argsort(-sims[0])[:2].tolist()) == {1, 9}  # talks with talks and with "Ceasefire."
        ranks.append(np.argsort(-(v @ enc.encode(query)[0]))[:2].tolist())
    assert ranks[0] == ranks[1] == [3, 2]


def test_briefer_and_get_encoder_choose_the_precision() -> None:
    from bot.brief.engine import Briefer

    assert get_encoder().int8 is True  # the default
    assert Briefer(int8=False).encoder.int8 is False
    assert get_encoder(int8=False) is not get_encoder(int8=True)
    assert get_encoder(int8=False) is get_encoder(default_encoder_path(), int8=False)


def test_without_onnxruntime_the_encoder_is_float32_with_one_warning(monkeypatch, caplog) -> None:
    monkeypatch.setattr(models, "int8_available", lambda: False)
    models._int8_usable.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.brief.models"):
            first, second = get_encoder(), get_encoder(int8=True)
        assert first.int8 is False and second is first
        assert [r.levelno for r in caplog.records if "onnxruntime" in r.getMessage()] == [logging.WARNING]
    finally:
        models._int8_usable.cache_clear()


def test_settings_and_app_pass_int8_to_the_briefer(tmp_path: Path, monkeypatch) -> None:
    from bot.app import App
    from bot.brief import engine
    from bot.config.load import load_settings

    seen: list[dict] = []

    class FakeEncoder:
        def encode(self, texts: list[str]) -> np.ndarray:
            return np.ones((len(texts), 3), np.float32)

    class FakeBriefer:
        def __init__(self, **kwargs) -> None:
            seen.append(kwargs)
            self.encoder = FakeEncoder()

    monkeypatch.setattr(engine, "Briefer", FakeBriefer)
    for text, want in (("", True), ("[models]\nint8 = false\n", False)):
        path = tmp_path / f"{want}.toml"
        path.write_text(text)
        settings = load_settings(path)
        assert settings.models.int8 is want
        App(settings, {}).models()
        assert seen[-1]["int8"] is want
