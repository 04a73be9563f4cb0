"""A torch-free BERT sentence encoder: numpy forward pass over memory-mapped safetensors weights."""

from __future__ import annotations

import json
import math
import mmap
import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .int8_linear import Int8Linear

_DTYPES = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2"), "BF16": None, "I64": np.dtype("<i8")}
# Abramowitz & Stegun 7.1.26: |erf error| <= 1.5e-7, below float32 resolution for GELU's purposes.
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(np.float32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592))
_SQRT_HALF = np.float32(math.sqrt(0.5))
_ROWS = 128  # rows per feed-forward block: a 128 x 1536 float32 middle is 768 KB


class UnsupportedModel(ValueError):
    """The folder is not a plain BERT encoder this module can run."""


class SafeTensors:
    """Read-only tensors of a .safetensors file, as numpy views into one shared memory map.

    Pages are read only when touched, so rows of the word-embedding table that no text uses never enter memory.
    """

    def __init__(self, path: str | Path) -> None:
        with open(path, "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        (size,) = struct.unpack("<Q", self._map[:8])
        header = json.loads(self._map[8 : 8 + size])
        header.pop("__metadata__", None)
        self._base = 8 + size
        self._header: dict[str, Any] = header

    def __contains__(self, name: str) -> bool:
        return name in self._header

    def get(self, name: str) -> np.ndarray:
        """The tensor `name` (float tensors as float32); a zero-copy view when stored as aligned float32."""
        info = self._header[name]
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None:
            raise UnsupportedModel(f"tensor {name} has unsupported dtype {info['dtype']}")
        start, end = info["data_offsets"]
        count = (end - start) // dtype.itemsize
        arr = np.frombuffer(self._map, dtype=dtype, count=count, offset=self._base + start).reshape(info["shape"])
        if dtype.kind == "f" and (dtype != np.float32 or not arr.flags.aligned):
            arr = arr.astype(np.float32)
        return arr

    def release(self, names: Sequence[str]) -> None:
        """Drop the tensors' pages from this process's memory; touched again, they are read back from the file."""
        if hasattr(mmap, "MADV_DONTNEED"):
            for name in names:
                start, end = (self._base + o for o in self._header[name]["data_offsets"])
                start -= start % mmap.PAGESIZE  # a neighbour's page may go too: harmless, the map is read-only
                self._map.madvise(mmap.MADV_DONTNEED, start, end - start)


class _Layer:
    """One transformer block's weights; linear weights stay (out, in) and are used transposed.

    With `int8`, `int8` holds the four dense layers (qkv, attention output, intermediate, output) as Int8Linear
    and their float weights are not kept (empty arrays; their pages leave memory): about 50 MB less.
    """

    def __init__(self, st: SafeTensors, prefix: str, int8: bool = False) -> None:
        att = prefix + "attention."
        self.qkv_w = np.concatenate([st.get(f"{att}self.{n}.weight") for n in ("query", "key", "value")])
        self.qkv_b = np.concatenate([st.get(f"{att}self.{n}.bias") for n in ("query", "key", "value")])
        self.out_w, self.out_b = st.get(att + "output.dense.weight"), st.get(att + "output.dense.bias")
        self.ln1 = (st.get(att + "output.LayerNorm.weight"), st.get(att + "output.LayerNorm.bias"))
        self.mid_w = st.get(prefix + "intermediate.dense.weight")
        self.mid_b = st.get(prefix + "intermediate.dense.bias")
        self.ffn_w, self.ffn_b = st.get(prefix + "output.dense.weight"), st.get(prefix + "output.dense.bias")
        self.ln2 = (st.get(prefix + "output.LayerNorm.weight"), st.get(prefix + "output.LayerNorm.bias"))
        self.int8: tuple[Int8Linear, Int8Linear, Int8Linear, Int8Linear] | None = None
        if int8:
            self.int8 = (Int8Linear(self.qkv_w, self.qkv_b), Int8Linear(self.out_w, self.out_b),
                         Int8Linear(self.mid_w, self.mid_b), Int8Linear(self.ffn_w, self.ffn_b))
            self.qkv_w = self.out_w = self.mid_w = self.ffn_w = np.empty((0, 0), dtype=np.float32)
            st.release([f"{att}self.{n}.weight" for n in ("query", "key", "value")]
                       + [att + "output.dense.weight", prefix + "intermediate.dense.weight", prefix + "output.dense.weight"])


class NumpyBert:
    """BertModel's `last_hidden_state` (eval mode, absolute positions, GELU) computed with numpy.

    With `int8`, the dense layers run as int8 products in onnxruntime (int8_linear): embeddings to cosine ~0.99.
    """

    def __init__(self, folder: str | Path, int8: bool = False) -> None:
        folder = Path(folder)
        cfg = json.loads((folder / "config.json").read_text())
        if cfg.get("model_type") != "bert" or not (folder / "model.safetensors").is_file():
            raise UnsupportedModel(f"{folder} is not a BERT model with model.safetensors")
        if cfg.get("hidden_act", "gelu") != "gelu" or cfg.get("position_embedding_type", "absolute") != "absolute":
            raise UnsupportedModel(f"{folder}: only GELU activations and absolute positions are supported")
        self.hidden_size = int(cfg["hidden_size"])
        self.heads = int(cfg["num_attention_heads"])
        self.max_positions = int(cfg["max_position_embeddings"])
        self.eps = np.float32(cfg.get("layer_norm_eps", 1e-12))
        st = SafeTensors(folder / "model.safetensors")
        pre = "bert." if "bert.embeddings.word_embeddings.weight" in st else ""
        emb = pre + "embeddings."
        self.word = st.get(emb + "word_embeddings.weight")
        self.position = st.get(emb + "position_embeddings.weight")
        self.token_type = st.get(emb + "token_type_embeddings.weight")
        self.ln = (st.get(emb + "LayerNorm.weight"), st.get(emb + "LayerNorm.bias"))
        self.int8 = int8
        self.layers = [_Layer(st, f"{pre}encoder.layer.{i}.", int8) for i in range(int(cfg["num_hidden_layers"]))]

    def forward(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        """BertModel's last hidden states for token-id `sequences`, packed: (total tokens, hidden) float32.

        The rows of sequence i follow those of sequence i-1. Dense layers run on real tokens only; attention
        runs per sequence on a padded copy whose padding keys are masked, so no text sees another.
        """
        lengths = np.array([len(s) for s in sequences], dtype=np.int64)
        if not len(lengths) or lengths.min() < 1 or lengths.max() > self.max_positions:
            raise ValueError(f"each sequence needs 1 to {self.max_positions} tokens")
        ids = np.concatenate([np.asarray(s, dtype=np.int64) for s in sequences])
        starts = np.cumsum(lengths) - lengths
        positions = np.arange(len(ids)) - np.repeat(starts, lengths)
        width = int(lengths.max())
        slots = np.repeat(np.arange(len(lengths)) * width, lengths) + positions  # row in the padded batch
        # Padding keys get the most negative float, as transformers' attention mask does.
        bias = np.where(np.arange(width) < lengths[:, None], np.float32(0), np.finfo(np.float32).min)
        bias = bias.astype(np.float32)[:, None, None, :]
        x = self.word[ids] + self.position[positions] + self.token_type[0]
        x = _layer_norm(x, *self.ln, self.eps)
        for layer in self.layers:
            x = self._attention(layer, x, slots, bias)
            if layer.int8 is None:
                x = _feed_forward(layer, x, self.eps)
            else:
                x = _feed_forward_int8(layer.int8[2], layer.int8[3], layer.ln2, x, self.eps)
        return x

    def _attention(self, layer: _Layer, x: np.ndarray, slots: np.ndarray, bias: np.ndarray) -> np.ndarray:
        batch, width = bias.shape[0], bias.shape[-1]
        hid, heads = self.hidden_size, self.heads
        dim = hid // heads
        if layer.int8 is None:
            packed = x @ layer.qkv_w.T
            packed += layer.qkv_b
        else:
            packed = layer.int8[0](x)
        qkv = np.zeros((batch * width, 3 * hid), dtype=np.float32)
        qkv[slots] = packed
        qkv = qkv.reshape(batch, width, 3, heads, dim).transpose(2, 0, 3, 1, 4)  # (3, batch, heads, width, dim)
        scores = qkv[0] @ qkv[1].transpose(0, 1, 3, 2)
        scores *= np.float32(1.0 / math.sqrt(dim))
        scores += bias
        _softmax_inplace(scores)
        ctx = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(batch * width, hid)[slots]
        if layer.int8 is None:
            out = ctx @ layer.out_w.T
            out += layer.out_b
        else:
            out = layer.int8[1](ctx)
        out += x
        return _layer_norm(out, *layer.ln1, self.eps)


def _feed_forward(layer: _Layer, x: np.ndarray, eps: np.float32) -> np.ndarray:
    """Dense-GELU-dense plus residual and LayerNorm, a block of rows at a time so the wide middle stays in cache."""
    out = np.empty_like(x)
    for s in range(0, len(x), _ROWS):
        mid = x[s : s + _ROWS] @ layer.mid_w.T
        mid += layer.mid_b
        _gelu_inplace(mid)
        block = out[s : s + _ROWS]
        np.matmul(mid, layer.ffn_w.T, out=block)
        block += layer.ffn_b
        block += x[s : s + _ROWS]
    return _layer_norm(out, *layer.ln2, eps)


def _feed_forward_int8(mid_lin: Int8Linear, out_lin: Int8Linear, ln: tuple[np.ndarray, np.ndarray], x: np.ndarray,
                       eps: np.float32) -> np.ndarray:
    """_feed_forward through int8 dense layers, all rows in one call each (GELU's temporaries a block at a time)."""
    mid = mid_lin(x)
    for s in range(0, len(mid), _ROWS):
        _gelu_inplace(mid[s : s + _ROWS])
    out = out_lin(mid)
    out += x
    return _layer_norm(out, *ln, eps)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: np.float32) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    x = x - mean
    var = np.mean(np.square(x), -1, keepdims=True)
    var += eps
    x /= np.sqrt(var)
    x *= weight
    x += bias
    return x


def _softmax_inplace(x: np.ndarray) -> None:
    x -= x.max(-1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(-1, keepdims=True)


def _gelu_inplace(x: np.ndarray) -> None:
    """x * Phi(x) with Phi(x) = (1 + erf(x / sqrt 2)) / 2, the exact GELU of BERT's "gelu"."""
    z = x * _SQRT_HALF
    sign = np.sign(z)
    np.abs(z, out=z)
    t = z * _ERF_P
    t += 1
    np.reciprocal(t, out=t)
    poly = t * _ERF_A[0]
    for a in _ERF_A[1:]:
        poly += a
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # 1 - erf(|x| / sqrt 2)
    np.subtract(1, poly, out=poly)
    poly *= sign  # erf(x / sqrt 2)
    poly += 1
    poly *= 0.5
    x *= poly


class NumpyBertEncoder:
    """Mean-pooled, L2-normalised sentence embeddings from a local BERT folder, without torch or transformers."""

    def __init__(self, folder: str | Path, max_length: int = 96, batch_size: int = 32, threads: int = 1,
                 int8: bool = False) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from tokenizers import Tokenizer

        folder = Path(folder)
        if not (folder / "tokenizer.json").is_file():
            raise UnsupportedModel(f"{folder} has no tokenizer.json")
        self.name = str(folder)
        self.model = NumpyBert(folder, int8=int8)
        self.int8 = int8
        self.dim = self.model.hidden_size
        self.max_length = min(max_length, self.model.max_positions)
        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.max_length)
        if threads > 0:
            set_blas_threads(threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return an (n, dim) float32 array of unit vectors, one per text."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        tokens = [enc.ids for enc in self.tokenizer.encode_batch(texts)]
        order = sorted(range(len(texts)), key=lambda i: len(tokens[i]))
        for s in range(0, len(order), self.batch_size):
            idx = order[s : s + self.batch_size]
            seqs = [tokens[i] for i in idx]
            hidden = self.model.forward(seqs)
            lengths = np.array([len(t) for t in seqs])
            pooled = np.add.reduceat(hidden, np.cumsum(lengths) - lengths, axis=0)
            pooled /= lengths[:, None].astype(np.float32)
            norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
            out[idx] = pooled / norms
        return out


def set_blas_threads(threads: int) -> bool:
    """Cap the BLAS that numpy uses at `threads` threads (as torch.set_num_threads does); False if left alone.

    The encoder runs beside the spaCy parser on a small machine, where BLAS spinning on every core slows both.
    An OPENBLAS_NUM_THREADS set by the user wins.
    """
    if os.environ.get("OPENBLAS_NUM_THREADS"):
        return False
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")  # not used as a context manager: the limit stays
    return True
