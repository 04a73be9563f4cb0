"""Model loading: the numpy MiniLM against transformers' BertModel, encoder routing, spaCy without torch."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.brief import bert_numpy
from bot.brief.bert_numpy import NumpyBert, NumpyBertEncoder, SafeTensors, set_blas_threads
from bot.brief.models import Encoder, ModelError, _NoTorchForThinc, default_encoder_path, get_encoder

ROOT = Path(__file__).resolve().parents[2]

# Fictional sentences of very different lengths, with accents, digits, punctuation, an empty and a one-word text.
SENTENCES = [
    "",
    "Harbour.",
    "The ferry from Tallow Point left eleven minutes late on Sunday.",
    "“We will not sign anything that gives away the valley,” the minister of Varnesk told reporters in Ostrel.",
    "Négociateurs from both delegations met at the Château Brévent for a third round of talks, aides said.",
    "Grain exports rose 4.7% to 1,250,000 tonnes in the first quarter — the highest since 2019 — officials said.",
    ("The council, which meets twice a year, voted 31-4 to extend the ceasefire monitoring mission by six months, "
     "adding two observation posts near the river crossing and a hotline between the regional commanders."),
    " ".join(["Talks on the energy corridor continued late into the night as delegates argued over tariffs."] * 12),
]


@pytest.fixture(scope="module")
def numpy_encoder() -> NumpyBertEncoder:
    return NumpyBertEncoder(default_encoder_path())


@pytest.fixture(scope="module")
def torch_encoder() -> Encoder:
    return Encoder(default_encoder_path())


def test_embeddings_match_transformers(numpy_encoder, torch_encoder) -> None:
    ours = numpy_encoder.encode(SENTENCES)
    ref = torch_encoder.encode(SENTENCES)
    assert ours.shape == ref.shape == (len(SENTENCES), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(ours * ref, axis=1)) >= 0.9999
    assert np.max(np.abs(ours - ref)) < 1e-4


def test_hidden_states_match_bert_model(numpy_encoder, torch_encoder) -> None:
    import torch

    texts = SENTENCES[1:6]
    batch = torch_encoder.tokenizer(texts, padding=True, truncation=True, max_length=96, return_tensors="pt")
    with torch.inference_mode():
        ref = torch_encoder.model(**batch).last_hidden_state.numpy()
    mask = batch["attention_mask"].numpy().astype(bool)
    seqs = [row[m].tolist() for row, m in zip(batch["input_ids"].numpy(), mask, strict=True)]
    ours = numpy_encoder.model.forward(seqs)
    assert ours.shape == (int(mask.sum()), 384)
    assert np.max(np.abs(ours - ref[mask])) < 1e-4


def test_tokens_match_the_transformers_tokenizer(numpy_encoder, torch_encoder) -> None:
    batch = torch_encoder.tokenizer(SENTENCES, truncation=True, max_length=96)
    ours = [enc.ids for enc in numpy_encoder.tokenizer.encode_batch(SENTENCES)]
    assert ours == batch["input_ids"]
    assert len(ours[-1]) == 96  # the long text is cut like transformers cuts it


def test_an_embedding_does_not_depend_on_its_batch(numpy_encoder) -> None:
    together = numpy_encoder.encode(SENTENCES)
    alone = np.stack([numpy_encoder.encode([s])[0] for s in SENTENCES])
    assert np.max(np.abs(together - alone)) < 1e-5
    assert numpy_encoder.encode([]).shape == (0, 384)


def test_safetensors_views_equal_the_safetensors_library() -> None:
    from safetensors.numpy import load_file

    path = Path(default_encoder_path()) / "model.safetensors"
    ref = load_file(str(path))
    ours = SafeTensors(path)
    for name, value in ref.items():
        assert np.array_equal(ours.get(name), value), name


def test_gelu_is_the_exact_erf_gelu() -> None:
    x = np.linspace(-12, 12, 24001, dtype=np.float32)
    want = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(np.float64)])
    got = x.copy()
    bert_numpy._gelu_inplace(got)
    assert np.max(np.abs(got - want)) < 2e-6


def test_a_folder_that_is_not_bert_is_refused(tmp_path) -> None:
    (tmp_path / "config.json").write_text('{"model_type": "t5"}')
    with pytest.raises(bert_numpy.UnsupportedModel):
        NumpyBert(tmp_path)


def test_default_encoder_is_numpy_other_paths_and_int8_use_transformers(tmp_path) -> None:
    assert isinstance(get_encoder(), NumpyBertEncoder)
    assert get_encoder() is get_encoder(default_encoder_path())
    link = tmp_path / "minilm"
    link.symlink_to(default_encoder_path(), target_is_directory=True)
    assert isinstance(get_encoder(str(link)), Encoder)
    with pytest.raises(ModelError):
        get_encoder(str(tmp_path / "missing"))


def _find_torch(finder: _NoTorchForThinc) -> None:
    return finder.find_spec("torch")


def test_thinc_alone_is_refused_torch() -> None:
    finder = _NoTorchForThinc()
    as_module = {name: types.FunctionType(_find_torch.__code__, {"__name__": name}) for name in ("thinc.compat", "bot.x")}
    with pytest.raises(ModuleNotFoundError):
        as_module["thinc.compat"](finder)
    assert as_module["bot.x"](finder) is None
    assert finder.find_spec("numpy") is None


def test_a_brief_loads_neither_torch_nor_transformers_and_torch_still_imports() -> None:
    code = (
        "import sys\n"
        "from bot.brief.engine import Briefer\n"
        "brief = Briefer().brief_text('Talks resume\\n\\nEnvoys met in Ostrel on Monday, officials said.')\n"
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules), len(brief.claims))\n"
        "import thinc.compat, torch\n"
        "print(thinc.compat.has_torch, torch.tensor([2.0]).sum().item())\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["[] 1", "False 2.0"]


def _blas_threads() -> int | None:
    from threadpoolctl import threadpool_info

    counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    return min(counts) if counts else None


@pytest.mark.skipif(not sys.platform.startswith("linux") or "OPENBLAS_NUM_THREADS" in os.environ,
                    reason="needs a BLAS on Linux, not capped by the environment")
def test_blas_threads_are_capped() -> None:
    before = _blas_threads()
    if before is None:
        pytest.skip("numpy is not linked to a BLAS threadpoolctl knows")
    try:
        assert set_blas_threads(1) and _blas_threads() == 1
        if (os.cpu_count() or 1) > 1:
            assert set_blas_threads(2) and _blas_threads() == 2
    finally:
        set_blas_threads(before)
