"""``SummaryWriter``: log what happens during training, for TensorBoard to plot.

    >>> from minitorch.utils.tensorboard import SummaryWriter
    >>> writer = SummaryWriter("runs/exp1")
    >>> for step in range(100):
    ...     loss = train_one_batch()
    ...     writer.add_scalar("loss/train", loss.item(), step)
    >>> writer.add_graph(model, images)       # the model, op by op, grouped by module
    >>> writer.close()
    $ tensorboard --logdir runs

TensorBoard reads *event files*: a sequence of protocol-buffer records, each a summary
(scalar, image, histogram, text) with a step and a time, written by an event writer. The
writing itself is done by tensorboardX, a well-kept implementation of that file format; this
module adds what is particular to minitorch:

* every value may be a minitorch tensor (as well as a NumPy array or a number): it is
  converted with ``.detach().cpu().numpy()`` first;
* :meth:`SummaryWriter.add_graph` builds TensorBoard's graph of a minitorch model from its
  autograd graph (see :func:`build_graph`);
* what PyTorch's writer does differently from tensorboardX's is done as PyTorch does it:
  tags keep their spelling, every event file gets a name of its own
  (``events.out.tfevents.<time>.<host>.<pid>.<n>``), hparams take discrete domains, scalars
  may be new-style tensors, embedding sprites are padded with black
  (:mod:`minitorch.utils.tensorboard_summary`).

Events are written in the background and reach the disk every ``flush_secs`` seconds, on
:meth:`~SummaryWriter.flush`, on :meth:`~SummaryWriter.close` and when the program exits.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import math
import os
import re
import socket
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import numpy as np

import minitorch
from minitorch.functions import is_tensor as _is_tensor
from minitorch.utils import tensorboard_summary as summaries
from minitorch.utils.tensorboard_summary import (  # tensorboardX, imported without PyTorch
    SessionLog,
    attr_value_pb2,
    event_pb2,
    graph_pb2,
    node_def_pb2,
    tensor_shape_pb2,
    tensorboardX,
    versions_pb2,
)

__all__ = ["SummaryWriter", "build_graph"]


# ---------------------------------------------------------------------------------------------
# Values: tensors, arrays and numbers
# ---------------------------------------------------------------------------------------------

def to_numpy(value: Any) -> np.ndarray:
    """A minitorch tensor, NumPy array, number or (nested) list as a NumPy array."""
    if _is_tensor(value):
        return value.detach().cpu().numpy()
    if isinstance(value, (list, tuple)) and value and _is_tensor(value[0]):
        return np.stack([to_numpy(v) for v in value])
    return np.asarray(value)


def to_scalar(value: Any) -> float:
    """A one-element tensor/array or a number as a Python float."""
    array = to_numpy(value)
    if array.size != 1:
        raise ValueError(f"scalar value must be a single number, got shape {array.shape}")
    return float(array.reshape(()))


# ---------------------------------------------------------------------------------------------
# The writer
# ---------------------------------------------------------------------------------------------

def _default_log_dir(comment: str) -> str:
    """``runs/<date>_<host><comment>``, PyTorch's default."""
    current_time = datetime.now().strftime("%b%d_%H-%M-%S")
    return os.path.join("runs", current_time + "_" + socket.gethostname() + comment)


def _close_at_exit(ref: weakref.ref) -> None:
    writer = ref()
    if writer is not None:
        writer.close()


def _drain(file_writer: Any) -> None:
    """Make sure every event handed to a tensorboardX ``FileWriter`` is on disk.

    tensorboardX writes from a background thread that takes events from a queue, so its own
    ``flush`` may run before the last events have left the queue. Stopping that thread makes
    it finish the queue first; then we flush the file and start a fresh thread.
    """
    events = getattr(file_writer, "event_writer", None)
    worker = getattr(events, "_worker", None)
    if events is None or worker is None or getattr(events, "_closed", True):
        file_writer.flush()
        return
    worker.stop()
    events._ev_writer.flush()
    events._worker = type(worker)(events._event_queue, events._ev_writer, events._flush_secs)
    events._worker.start()


_file_counter = itertools.count()
_file_counter_lock = threading.Lock()


def _file_writer(log_dir: str, max_queue: int, flush_secs: int, filename_suffix: str) -> Any:
    """A tensorboardX ``FileWriter`` on a new event file named as PyTorch names them:
    ``events.out.tfevents.<seconds>.<host>.<pid>.<counter><suffix>``.

    tensorboardX alone names the file ``events.out.tfevents.<seconds>.<host>`` and opens it
    for writing: a second file in the same directory within the same second (a writer
    reopened after ``close()``, the runs of ``add_hparams``) would replace the first one,
    events and all. The process id and a counter make every name unique.
    """
    with _file_counter_lock:
        number = next(_file_counter)
    suffix = f".{os.getpid()}.{number}{filename_suffix}"
    return tensorboardX.FileWriter(log_dir, max_queue, flush_secs, filename_suffix=suffix)


def _make_sprite(label_img: np.ndarray, save_path: str) -> None:
    """``sprite.png``: the pictures ``(N, C, H, W)`` in a square grid of ceil(sqrt(N))
    columns, padded with black rows at the bottom (as PyTorch's writer makes it; the
    padding of tensorboardX's is uninitialised memory)."""
    from PIL import Image
    from tensorboardX.utils import make_grid

    grid = make_grid(label_img, ncols=math.ceil(label_img.shape[0] ** 0.5))  # (C, H', W')
    square = np.zeros((grid.shape[2], grid.shape[2], 3))
    square[: grid.shape[1]] = grid.transpose(1, 2, 0)
    Image.fromarray(np.uint8((square * 255).clip(0, 255))).save(
        os.path.join(save_path, "sprite.png"), format="PNG")


class SummaryWriter:
    """Writes TensorBoard event files into ``log_dir``.

    Args:
        log_dir: where to write; default ``runs/<date>_<host><comment>``. Give each run
            its own directory (``runs/exp1``, ``runs/exp2``) to compare them.
        comment: appended to the default ``log_dir`` (ignored if ``log_dir`` is given).
        purge_step: after a crash at step T+X and a restart from a checkpoint at step T, hide
            the events of steps ≥ T written before the crash.
        max_queue: how many events may wait in memory before they are written.
        flush_secs: how often (seconds) waiting events are written to disk.
        filename_suffix: appended to the event file's name.

    Tags are kept exactly as given (``"training loss"`` stays ``"training loss"``). After
    :meth:`close`, the writer can be used again: it opens a new event file, and every event
    file has a name of its own, so nothing written before is replaced.
    """

    def __init__(self, log_dir: str | os.PathLike | None = None, comment: str = "",
                 purge_step: int | None = None, max_queue: int = 10, flush_secs: int = 120,
                 filename_suffix: str = "") -> None:
        self.log_dir = os.fspath(log_dir) if log_dir else _default_log_dir(comment)
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer: Any = None
        self.all_writers: dict[str, Any] | None = None
        self._get_file_writer()
        self.default_bins = summaries.default_bins()
        atexit.register(_close_at_exit, weakref.ref(self))

    def _get_file_writer(self) -> Any:
        """The writer of ``log_dir``'s event file, opened anew after :meth:`close`."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = _file_writer(self.log_dir, self.max_queue, self.flush_secs,
                                            self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                step = self.purge_step
                self.file_writer.add_event(event_pb2.Event(step=step,
                                                           file_version="brain.Event:2"))
                self.file_writer.add_event(event_pb2.Event(
                    step=step, session_log=SessionLog(status=SessionLog.START)))
                self.purge_step = None
        return self.file_writer

    def _add(self, summary: Any, tag: str, global_step: int | None,
             walltime: float | None) -> None:
        self._get_file_writer().add_summary(summaries.keep_tag(summary, tag), global_step,
                                            walltime)

    def get_logdir(self) -> str:
        """The directory the event files go to."""
        return self.log_dir

    # -- numbers ------------------------------------------------------------------------------
    def add_scalar(self, tag: str, scalar_value: Any, global_step: int | None = None,
                   walltime: float | None = None, new_style: bool = False,
                   double_precision: bool = False) -> None:
        """Log one number (a float, or a one-element tensor such as ``loss``) under ``tag``
        at step ``global_step``. Tags with a ``/`` are grouped: ``loss/train``,
        ``loss/test``. ``new_style`` stores it as a tensor (``double_precision``: float64)."""
        summary = summaries.scalar(tag, to_scalar(scalar_value), new_style, double_precision)
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict[str, Any],
                    global_step: int | None = None, walltime: float | None = None) -> None:
        """Log several numbers in one chart: ``add_scalars("loss", {"train": a, "test": b},
        step)``. Each key becomes its own run, ``<log_dir>/<main_tag>_<key>``."""
        walltime = time.time() if walltime is None else walltime
        log_dir = self._get_file_writer().get_logdir()
        assert self.all_writers is not None
        for key, value in tag_scalar_dict.items():
            run = log_dir + "/" + main_tag.replace("/", "_") + "_" + key
            if run not in self.all_writers:
                self.all_writers[run] = _file_writer(run, self.max_queue, self.flush_secs,
                                                     self.filename_suffix)
            self.all_writers[run].add_summary(summaries.scalar(main_tag, to_scalar(value)),
                                              global_step, walltime)

    def add_histogram(self, tag: str, values: Any, global_step: int | None = None,
                      bins: str | int | Sequence[float] = "tensorflow",
                      walltime: float | None = None, max_bins: int | None = None) -> None:
        """Log the distribution of ``values`` (e.g. a layer's weights or gradients).
        ``bins``: ``"tensorflow"`` (exponentially growing bins), any of NumPy's rules
        (``"auto"``, ``"fd"``, ...), a number of bins, or the bin edges."""
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        array = to_numpy(values).astype(np.float64).reshape(-1)
        self._add(summaries.tbx_summary.histogram(tag, array, bins, max_bins=max_bins), tag,
                  global_step, walltime)

    # -- pictures -----------------------------------------------------------------------------
    def add_image(self, tag: str, img_tensor: Any, global_step: int | None = None,
                  walltime: float | None = None, dataformats: str = "CHW") -> None:
        """Log one picture: floats in [0, 1] or bytes 0..255, laid out as ``dataformats``
        (``"CHW"``, ``"HWC"``, ``"HW"``); 1 channel is grey, 3 RGB, 4 RGBA."""
        summary = summaries.tbx_summary.image(tag, to_numpy(img_tensor),
                                              dataformats=dataformats)
        self._add(summary, tag, global_step, walltime)

    def add_images(self, tag: str, img_tensor: Any, global_step: int | None = None,
                   walltime: float | None = None, dataformats: str = "NCHW") -> None:
        """Log a batch of pictures (shown as one grid): a tensor ``(N, C, H, W)`` or a list
        of ``(C, H, W)`` tensors."""
        array = to_numpy(img_tensor)
        if isinstance(img_tensor, (list, tuple)) and len(dataformats) == 3:
            dataformats = "N" + dataformats
        self._add(summaries.tbx_summary.image(tag, array, dataformats=dataformats), tag,
                  global_step, walltime)

    def add_figure(self, tag: str, figure: Any, global_step: int | None = None,
                   close: bool = True, walltime: float | None = None) -> None:
        """Log a Matplotlib figure (or a list of them, shown as one grid) as a picture;
        ``close`` closes the figures once drawn."""
        from tensorboardX.utils import figure_to_image

        image = figure_to_image(figure, close)
        self.add_image(tag, image, global_step, walltime,
                       dataformats="NCHW" if isinstance(figure, list) else "CHW")

    # -- other kinds --------------------------------------------------------------------------
    def add_text(self, tag: str, text_string: str, global_step: int | None = None,
                 walltime: float | None = None) -> None:
        """Log a piece of text (Markdown is rendered); stored under ``<tag>/text_summary``."""
        self._add(summaries.tbx_summary.text(tag, text_string), tag, global_step, walltime)

    def add_pr_curve(self, tag: str, labels: Any, predictions: Any,
                     global_step: int | None = None, num_thresholds: int = 127,
                     weights: Any = None, walltime: float | None = None) -> None:
        """Log a precision-recall curve: ``labels`` are 0/1 (or booleans), ``predictions``
        the probabilities in [0, 1]; at most 127 thresholds."""
        summary = summaries.tbx_summary.pr_curve(
            tag, to_numpy(labels), to_numpy(predictions), num_thresholds,
            None if weights is None else to_numpy(weights))
        self._add(summary, tag, global_step, walltime)

    def add_embedding(self, mat: Any, metadata: list | None = None, label_img: Any = None,
                      global_step: int | None = None, tag: str = "default",
                      metadata_header: list | None = None) -> None:
        """Log vectors (the rows of ``mat``, ``(N, D)``) for TensorBoard's projector, with
        optional labels (``metadata``, N of them, or rows of columns named by
        ``metadata_header``) and pictures (``label_img``, ``(N, C, H, W)``, H == W).

        Writes ``<log_dir>/<global_step:05>/<tag>/{tensors,metadata}.tsv``, ``sprite.png``
        and appends the embedding to ``<log_dir>/projector_config.pbtxt``."""
        from tensorboardX import embedding

        mat = to_numpy(mat)
        images = None if label_img is None else to_numpy(label_img)
        step = 0 if global_step is None else global_step
        encoded = tag.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")
        subdir = f"{str(step).zfill(5)}/{encoded}"
        log_dir = self._get_file_writer().get_logdir()
        save_path = os.path.join(log_dir, subdir)
        if os.path.exists(save_path):
            if not os.path.isdir(save_path):
                raise NotADirectoryError(f"Path: `{save_path}` exists, but is a file. "
                                         "Cannot proceed.")
            print("warning: Embedding dir exists, did you set global_step for "
                  "add_embedding()?")
        else:
            os.makedirs(save_path)
        if metadata is not None:
            if mat.shape[0] != len(metadata):
                raise AssertionError("#labels should equal with #data points")  # torch asserts
            embedding.make_tsv(metadata, save_path, metadata_header=metadata_header)
        if images is not None:
            if mat.shape[0] != images.shape[0]:
                raise AssertionError("#images should equal with #data points")  # torch asserts
            _make_sprite(images, save_path)
        if mat.ndim != 2:
            raise AssertionError(  # as torch's assert
                "mat should be 2D, where mat.size(0) is the number of data points")
        embedding.make_mat(mat, save_path)
        embedding.append_pbtxt(metadata, images, log_dir, subdir, step, tag)

    def add_hparams(self, hparam_dict: dict[str, Any], metric_dict: dict[str, Any],
                    hparam_domain_discrete: dict[str, list] | None = None,
                    run_name: str | None = None, global_step: int | None = None) -> None:
        """Log one run's hyper-parameters and its final metrics, for the HParams tab: a new
        run ``<log_dir>/<run_name>`` (default: the time) holds them, and each metric as a
        scalar. ``hparam_domain_discrete`` lists the values a hyper-parameter can take."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        exp, ssi, sei = summaries.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        if not run_name:
            run_name = str(time.time())
        log_dir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=log_dir) as run:
            for summary in (exp, ssi, sei):
                run.file_writer.add_summary(summary, global_step)
            for key, value in metric_dict.items():
                run.add_scalar(key, value, global_step)

    def add_graph(self, model: Any, input_to_model: Any = None, verbose: bool = False,
                  use_strict_trace: bool = True) -> None:
        """Log the graph of ``model`` run on ``input_to_model`` (a tensor or a tuple of them).

        See :func:`build_graph` for how the graph is found. ``use_strict_trace`` is accepted
        for compatibility."""
        graph = build_graph(model, input_to_model)
        if verbose:
            for node in graph.node:
                print(node.name, node.op, list(node.input))
        event = event_pb2.Event(graph_def=graph.SerializeToString())
        self._get_file_writer().add_event(event)

    # -- the file -----------------------------------------------------------------------------
    def flush(self) -> None:
        """Write every waiting event to disk now."""
        for file_writer in (self.all_writers or {}).values():
            _drain(file_writer)

    def close(self) -> None:
        """Write every waiting event and close the files (a later ``add_*`` opens new ones,
        under new names)."""
        if self.all_writers is None:
            return  # closing twice is fine
        for file_writer in self.all_writers.values():
            file_writer.flush()
            file_writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# The graph of a model
# ---------------------------------------------------------------------------------------------
#
# PyTorch gets a model's graph by tracing it with its JIT compiler. minitorch has no compiler,
# but it has the autograd graph: after one forward pass, the output's ``grad_fn`` links back,
# through ``next_functions``, to every op that produced it, down to the leaves
# (``AccumulateGrad`` nodes, whose ``variable`` is a parameter or the input). That is exactly
# the data-flow graph TensorBoard draws. Two more things come from the forward pass itself:
#
# * which module each op ran in — forward pre-hooks and forward hooks on every submodule keep
#   a stack of the modules currently running — so that TensorBoard can fold the graph into
#   boxes named like PyTorch's: ``Net/Sequential[features]/Conv2d[0]``;
# * the shape of each op's output, for the labels on the edges — while the model runs, we
#   listen to every op as it is applied (``Function.apply``), which is also how we learn the
#   module stack at the moment the op ran.

_BACKWARD_SUFFIX = re.compile(r"Backward\d*$")


class _Trace:
    """What one forward pass tells us: for each autograd node (by id), the module scope it ran
    in, the shapes of its outputs, and the order it ran in."""

    def __init__(self, model: Any) -> None:
        self.root = type(model).__name__
        self.stack = [self.root]
        self.scope_of: dict[int, str] = {}
        self.shapes_of: dict[int, list[tuple[int, ...] | None]] = {}
        self.order: dict[int, int] = {}
        self.keep_alive: list[Any] = []  # the recorded nodes, so that their ids stay unique

    def record(self, outputs: Any) -> None:
        for t in outputs if isinstance(outputs, (tuple, list)) else (outputs,):
            fn = getattr(t, "grad_fn", None)
            if not _is_tensor(t) or fn is None:
                continue
            key = id(fn)
            if key not in self.order:
                self.order[key] = len(self.order)
                self.scope_of[key] = self.stack[-1]
                self.keep_alive.append(fn)
            shapes = self.shapes_of.setdefault(key, [])
            nr = getattr(t, "_output_nr", 0)
            shapes.extend([None] * (nr + 1 - len(shapes)))
            shapes[nr] = tuple(t.shape)


@contextlib.contextmanager
def _tracing(model: Any, trace: _Trace) -> Iterator[None]:
    """Hooks on every submodule keep ``trace.stack`` (the running modules); a wrapper around
    ``Function.apply`` records every op. Everything is undone on exit."""
    handles = []
    for name, module in model.named_modules():
        if module is model:
            continue
        scope = f"{type(module).__name__}[{name.split('.')[-1]}]"

        def enter(mod: Any, args: Any, scope: str = scope) -> None:
            trace.stack.append(f"{trace.stack[-1]}/{scope}")

        def leave(mod: Any, args: Any, output: Any) -> None:
            trace.stack.pop()

        handles.append(module.register_forward_pre_hook(enter))
        handles.append(module.register_forward_hook(leave))

    function_class = getattr(getattr(minitorch, "autograd", None), "Function", None)
    original = function_class.__dict__.get("apply") if function_class is not None else None
    if isinstance(original, classmethod):
        def apply(cls: type, *args: Any, **kwargs: Any) -> Any:
            outputs = original.__func__(cls, *args, **kwargs)
            trace.record(outputs)
            return outputs

        function_class.apply = classmethod(apply)
    try:
        yield
    finally:
        if isinstance(original, classmethod):
            function_class.apply = original
        for handle in handles:
            handle.remove()


def _flatten_tensors(value: Any) -> list[Any]:
    """The tensors in a (nested) tuple/list/dict, in order."""
    if _is_tensor(value):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _flatten_tensors(v)]
    return []


def _node_def(name: str, op: str, inputs: Sequence[str],
              shapes: Sequence[tuple[int, ...] | None] = (), attr: str = "") -> Any:
    """One NodeDef, with ``_output_shapes`` as PyTorch's exporter writes it."""
    node = node_def_pb2.NodeDef(name=name, op=op, input=list(inputs))
    known = [s for s in shapes if s is not None]
    if known:
        protos = [tensor_shape_pb2.TensorShapeProto(
            dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=int(d)) for d in s]) for s in known]
        node.attr["_output_shapes"].CopyFrom(
            attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(shape=protos)))
    if attr:
        node.attr["attr"].CopyFrom(attr_value_pb2.AttrValue(s=attr.encode("utf-8")))
    return node


def build_graph(model: Any, input_to_model: Any) -> Any:
    """TensorBoard's ``GraphDef`` of ``model`` applied to ``input_to_model``.

    The model runs once (in eval mode, with gradients on, on a detached copy of the input that
    requires grad, so the input shows up in the autograd graph). Then, from the outputs, we
    walk ``grad_fn.next_functions`` to collect the graph:

    * an ``AccumulateGrad`` leaf whose variable is a parameter becomes a ``Parameter`` node
      in the scope of its module: ``Net/Linear[fc1]/weight``;
    * a leaf that is the input becomes ``input/input.1``; the outputs get ``output/output.1``;
    * every other node is an op named after the scope it ran in and its type (the
      ``grad_fn`` name without ``Backward``): ``Net/Linear[fc1]/Linear_3``.

    Edges carry the shape of the tensor that flows along them (``_output_shapes``).
    """
    inputs = input_to_model if isinstance(input_to_model, (tuple, list)) else (input_to_model,)
    leaves = []
    for x in inputs:
        if _is_tensor(x) and x.dtype.is_floating_point:
            x = x.detach().requires_grad_(True)
        leaves.append(x)

    trace = _Trace(model)
    was_training = getattr(model, "training", False)
    model.eval()
    try:
        with minitorch.enable_grad(), _tracing(model, trace):
            output = model(*leaves)
    finally:
        model.train(was_training)

    param_names = {id(p): name for name, p in model.named_parameters()}
    module_scopes = {"": trace.root}
    for name, module in model.named_modules():
        if name:
            parent = module_scopes[name.rsplit(".", 1)[0] if "." in name else ""]
            module_scopes[name] = f"{parent}/{type(module).__name__}[{name.split('.')[-1]}]"
    input_index = {id(x): i for i, x in enumerate(leaves) if _is_tensor(x)}

    # Collect every node reachable from the outputs, iteratively (graphs can be deep).
    outputs = _flatten_tensors(output)
    roots = [t.grad_fn for t in outputs if t.grad_fn is not None]
    seen: dict[int, Any] = {}
    stack = list(roots)
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen[id(fn)] = fn
        for next_fn, _ in getattr(fn, "next_functions", ()):
            if next_fn is not None and id(next_fn) not in seen:
                stack.append(next_fn)

    # Name them: ops in the order they ran, then the leaves.
    names: dict[int, str] = {}
    shapes: dict[int, list[tuple[int, ...] | None]] = {}
    kinds: dict[int, str] = {}
    ops = sorted((fn for fn in seen.values() if not hasattr(fn, "variable")),
                 key=lambda fn: trace.order.get(id(fn), len(trace.order)))
    for number, fn in enumerate(ops):
        op_name = _BACKWARD_SUFFIX.sub("", fn.name()) or fn.name()
        scope = trace.scope_of.get(id(fn), trace.root)
        names[id(fn)] = f"{scope}/{op_name}_{number}"
        kinds[id(fn)] = op_name
        shapes[id(fn)] = trace.shapes_of.get(id(fn), [])
    other_leaves = 0
    for fn in seen.values():
        if not hasattr(fn, "variable"):
            continue
        variable = fn.variable
        shapes[id(fn)] = [tuple(variable.shape)]
        if id(variable) in input_index:
            names[id(fn)] = f"input/input.{input_index[id(variable)] + 1}"
            kinds[id(fn)] = "IO Node"
        elif id(variable) in param_names:
            module_name, _, attr = param_names[id(variable)].rpartition(".")
            names[id(fn)] = f"{module_scopes.get(module_name, trace.root)}/{attr}"
            kinds[id(fn)] = "Parameter"
        else:
            other_leaves += 1
            names[id(fn)] = f"{trace.root}/leaf.{other_leaves}"
            kinds[id(fn)] = "Tensor"

    def edge(next_fn: Any, index: int) -> str:
        return names[id(next_fn)] + (f":{index}" if index else "")

    param_order = {name: i for i, name in enumerate(param_names.values())}

    def position(fn: Any) -> tuple[int, int]:
        """Inputs first, then parameters in the model's order, then ops in the order they
        ran (the outputs come last)."""
        kind = kinds[id(fn)]
        if kind == "IO Node":
            return 0, input_index[id(fn.variable)]
        if kind == "Parameter":
            return 1, param_order[param_names[id(fn.variable)]]
        return (2, trace.order.get(id(fn), len(trace.order))) if kind != "Tensor" else (3, 0)

    nodes = []
    for fn in sorted(seen.values(), key=position):
        inputs_of = [edge(n, i) for n, i in getattr(fn, "next_functions", ()) if n is not None]
        nodes.append(_node_def(names[id(fn)], kinds[id(fn)], inputs_of, shapes[id(fn)]))
    for i, t in enumerate(outputs):
        if t.grad_fn is not None:
            nodes.append(_node_def(f"output/output.{i + 1}", "IO Node",
                                   [edge(t.grad_fn, getattr(t, "_output_nr", 0))],
                                   [tuple(t.shape)]))
    return graph_pb2.GraphDef(node=nodes, versions=versions_pb2.VersionDef(producer=22))
