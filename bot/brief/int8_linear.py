"""Dense layers as int8 matrix products in onnxruntime: per-channel int8 weights, dynamically quantised inputs."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

# Official onnxruntime builds (1.2x+) send usage telemetry on Linux too, keeping a device id and an offline cache
# under ~/.cache and a .ses file in TMPDIR. The variable is read when onnxruntime is imported: set it first.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


def available() -> bool:
    """Whether onnxruntime and onnx can be imported (the int8 path needs both)."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def quantize_weight(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per-output-channel int8 of an (out, in) weight: the (in, out) int8 matrix and its (out,) scales.

    A channel's scale is its largest |w| over the input dimension / 127; an all-zero channel gets scale 1.
    """
    w = np.asarray(weight, dtype=np.float32)
    if w.ndim != 2:
        raise ValueError(f"weight must be 2-D (out, in), got shape {w.shape}")
    scale = np.abs(w).max(axis=1) / np.float32(127)
    scale[scale == 0] = 1
    q = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
    return np.ascontiguousarray(q.T), scale.astype(np.float32)


class Int8Linear:
    """y = x @ W.T + b for float32 x of shape (n, in), run as onnxruntime's DynamicQuantizeMatMul.

    The weight is stored as int8 with one scale per output channel; each call quantises its input to 8 bits with
    one scale for the whole (n, in) array, so a row's result depends slightly on the other rows of the call.
    Calls from several threads at once are safe: the object holds no per-call state (each call binds its own).
    """

    def __init__(self, weight: np.ndarray, bias: np.ndarray) -> None:
        q, scale = quantize_weight(weight)
        self.in_features, self.out_features = q.shape
        bias = np.ascontiguousarray(bias, dtype=np.float32)
        if bias.shape != (self.out_features,):
            raise ValueError(f"bias must have shape ({self.out_features},), got {bias.shape}")
        self._session = _session(q, scale, bias)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The (n, out) float32 result for an (n, in) float32 input."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"input must have shape (n, {self.in_features}), got {x.shape}")
        y = np.empty((len(x), self.out_features), dtype=np.float32)
        if not len(x):
            return y
        # The result goes straight into numpy's array: taking onnxruntime's own output buffers instead left the
        # allocator holding ~55 MB more at bench/speed.py's peak (with or without onnxruntime's memory arena).
        binding = self._session.io_binding()
        binding.bind_cpu_input("A", x)
        binding.bind_output("Y", "cpu", 0, np.float32, y.shape, y.ctypes.data)
        self._session.run_with_iobinding(binding)
        return y


def _session(q: np.ndarray, scale: np.ndarray, bias: np.ndarray) -> Any:
    """An onnxruntime session of the one-node model Y = DynamicQuantizeMatMul(A, q, scale, bias), built in memory."""
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    ort.disable_telemetry_events()  # in case onnxruntime was imported before this module set the variable
    k, n = q.shape
    node = helper.make_node("DynamicQuantizeMatMul", ["A", "B", "b_scale", "", "bias"], ["Y"],
                            domain="com.microsoft")
    graph = helper.make_graph(
        [node], "int8_linear",
        [helper.make_tensor_value_info("A", TensorProto.FLOAT, ["n", k])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["n", n])],
        [numpy_helper.from_array(q, "B"), numpy_helper.from_array(scale, "b_scale"),
         numpy_helper.from_array(bias, "bias")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.microsoft", 1)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # No per-session memory arena: each of the encoder's 24 sessions would keep its largest call's buffers (~100 MB).
    options.enable_cpu_mem_arena = False
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
