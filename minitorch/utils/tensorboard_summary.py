"""The summaries :class:`~minitorch.utils.tensorboard.SummaryWriter` writes, as PyTorch's
``torch.utils.tensorboard.summary`` makes them.

Most are tensorboardX's builders (images, histograms, text, PR curves) with one change: the
tag is kept as given. tensorboardX renames tags with characters outside ``[-/\\w.]``
(``"training loss"`` becomes ``"training_loss"``), PyTorch does not, so :func:`keep_tag` puts
the caller's spelling back. :func:`scalar` (with ``new_style``) and :func:`hparams` (with
``hparam_domain_discrete``) are written here after PyTorch's, which tensorboardX lacks.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np


def _import_tensorboardx() -> Any:
    """Import tensorboardX without importing PyTorch.

    When it is imported, tensorboardX looks for PyTorch (``try: import torch``) so as to
    accept PyTorch tensors. A minitorch program has no use for that, and loading PyTorch
    takes seconds, so we make that one ``import torch`` fail — unless the program has
    already imported PyTorch itself, in which case nothing changes.
    """
    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment] # makes `import torch` fail
    try:
        import tensorboardX
        import tensorboardX.summary
    finally:
        if hide and sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
    return tensorboardX


tensorboardX = _import_tensorboardx()
tbx_summary = tensorboardX.summary

from tensorboardX.proto import (  # noqa: E402
    attr_value_pb2,
    event_pb2,
    graph_pb2,
    node_def_pb2,
    tensor_shape_pb2,
    versions_pb2,
)
from tensorboardX.proto.api_pb2 import (  # noqa: E402 - after tensorboardX, without torch
    DataType,
    Experiment,
    HParamInfo,
    MetricInfo,
    MetricName,
    Status,
)
from tensorboardX.proto.event_pb2 import SessionLog  # noqa: E402
from tensorboardX.proto.plugin_hparams_pb2 import (  # noqa: E402
    HParamsPluginData,
    SessionEndInfo,
    SessionStartInfo,
)
from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata  # noqa: E402
from tensorboardX.proto.tensor_pb2 import TensorProto  # noqa: E402

__all__ = ["SessionLog", "attr_value_pb2", "default_bins", "event_pb2", "graph_pb2", "hparams",
           "keep_tag", "node_def_pb2", "scalar", "tensor_shape_pb2", "tensorboardX",
           "versions_pb2"]


def keep_tag(summary: Any, tag: str) -> Any:
    """Give every value of ``summary`` the caller's ``tag`` back in place of tensorboardX's
    cleaned one (which may carry a suffix, e.g. ``/text_summary``)."""
    cleaned = tbx_summary._clean_tag(tag)
    for value in summary.value:
        if value.tag.startswith(cleaned):
            value.tag = tag + value.tag[len(cleaned):]
    return summary


def default_bins() -> list[float]:
    """The ``"tensorflow"`` histogram bins: ±1e-12 growing by 10% up to ±1e20, and 0."""
    v, buckets = 1e-12, []
    while v < 1e20:
        buckets.append(v)
        v *= 1.1
    return [-b for b in reversed(buckets)] + [0] + buckets


def scalar(tag: str, value: float, new_style: bool = False,
           double_precision: bool = False) -> Any:
    """One number: a ``simple_value``, or (``new_style``) a float/double tensor for the
    scalars plugin."""
    if not new_style:
        return Summary(value=[Summary.Value(tag=tag, simple_value=value)])
    proto = TensorProto(double_val=[value], dtype="DT_DOUBLE") if double_precision else \
        TensorProto(float_val=[value], dtype="DT_FLOAT")
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
    return Summary(value=[Summary.Value(tag=tag, tensor=proto, metadata=metadata)])


def _plugin_summary(tag: str, content: Any) -> Any:
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
        plugin_name="hparams", content=content.SerializeToString()))
    return Summary(value=[Summary.Value(tag=tag, metadata=metadata)])


def hparams(hparam_dict: dict[str, Any], metric_dict: dict[str, Any],
            hparam_domain_discrete: dict[str, list] | None = None) -> tuple[Any, Any, Any]:
    """The three summaries of the HParams plugin: the experiment (names of hyper-parameters
    and metrics, with the discrete domains given), the session's values, its end.

    As in PyTorch, ``bool`` values count as numbers (they are ints), and a one-element tensor
    is a number."""
    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    domains = hparam_domain_discrete or {}
    if not isinstance(domains, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, "
                        "nothing logged.")
    for k, v in domains.items():
        if k not in hparam_dict or not isinstance(v, list) or not all(
                isinstance(d, type(hparam_dict[k])) for d in v):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same "
                            f"type as hparam_dict[{k}].")
    from google.protobuf import struct_pb2

    infos, start = [], SessionStartInfo()
    for k, v in hparam_dict.items():
        if v is None:
            continue
        if isinstance(v, (int, float)):
            field, kind = "number_value", "DATA_TYPE_FLOAT64"
        elif isinstance(v, str):
            field, kind = "string_value", "DATA_TYPE_STRING"
        elif hasattr(v, "detach") or isinstance(v, np.ndarray):
            v = float(np.asarray(v.detach().cpu().numpy() if hasattr(v, "detach") else v)
                      .reshape(-1)[0])
            field, kind = "number_value", "DATA_TYPE_FLOAT64"
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        setattr(start.hparams[k], field, v)
        domain = None
        if k in domains:
            domain = struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d})
                                                  for d in domains[k]])
        infos.append(HParamInfo(name=k, type=DataType.Value(kind), domain_discrete=domain))
    experiment = Experiment(hparam_infos=infos,
                            metric_infos=[MetricInfo(name=MetricName(tag=k))
                                          for k in metric_dict])
    end = SessionEndInfo(status=Status.Value("STATUS_SUCCESS"))
    return (_plugin_summary("_hparams_/experiment",
                            HParamsPluginData(experiment=experiment, version=0)),
            _plugin_summary("_hparams_/session_start_info",
                            HParamsPluginData(session_start_info=start, version=0)),
            _plugin_summary("_hparams_/session_end_info",
                            HParamsPluginData(session_end_info=end, version=0)))

