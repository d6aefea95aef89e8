"""CUDA graphs on the emulator: a captured SGD step replays exactly as the eager step.

A small CNN with the seed CNN's layer kinds (conv, max-pool, flatten, two linears; 8 × 8
images) keeps this to seconds; ``MINITORCH_GRAPH_SEED_CNN=1`` runs the same check on the seed
CNN itself (32 × 32 images: minutes on the emulator). The emulator's schedule seed is
``MINITORCH_CUDA_EMU_SEED`` (default 0); the kernels used here give the same bits under every
schedule (fixed-order reductions, no overlapping pooling windows), so eager and replayed steps
are compared bitwise.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Tuple

import numpy as np
import pytest

import minitorch
from minitorch import backends
from minitorch.backends.cuda.graphs import CAPTURE_ERROR, StreamCaptureError

torch = pytest.importorskip("torch")

SEED_CNN = os.environ.get("MINITORCH_GRAPH_SEED_CNN") == "1"
LR, MOMENTUM = 0.05, 0.9


def small_cnn(nn: Any) -> Any:
    """The seed CNN's layer kinds at 8 × 8 (``nn`` is minitorch.nn or torch.nn)."""
    return nn.Sequential(nn.Conv2d(2, 3, 3, 1, 1), nn.MaxPool2d(2), nn.Conv2d(3, 4, 3, 1, 1),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 2 * 2, 5),
                         nn.Linear(5, 3))


def layers(nn: Any) -> Any:
    from minitorch.models import seed_cnn_layers

    return seed_cnn_layers(nn) if SEED_CNN else small_cnn(nn)


def batches(count: int) -> List[Tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(7)
    n, c, hw, classes = (2, 3, 32, 10) if SEED_CNN else (2, 2, 8, 3)
    return [(rng.standard_normal((n, c, hw, hw)).astype(np.float32),
             rng.integers(0, classes, n).astype(np.int64)) for _ in range(count)]


def make() -> Tuple[Any, Any]:
    minitorch.manual_seed(0)
    model = layers(minitorch.nn)
    return model, minitorch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)


def step(model: Any, optimizer: Any, x: Any, y: Any) -> Any:
    optimizer.zero_grad(set_to_none=True)
    loss = minitorch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss


def params(model: Any) -> List[np.ndarray]:
    return [p.detach().numpy().copy() for p in model.parameters()]


@pytest.fixture()
def emulated_backend():
    with backends.use_backend("cuda-emulated") as backend:
        yield backend


def captured(data: List[Tuple[np.ndarray, np.ndarray]]) -> Tuple[Any, ...]:
    """A model warmed up eagerly on data[0] and data[1], then its step captured on static
    tensors holding data[1]."""
    model, optimizer = make()
    for x, y in data[:2]:
        step(model, optimizer, minitorch.tensor(x), minitorch.tensor(y))
    static_x, static_y = minitorch.tensor(data[1][0]), minitorch.tensor(data[1][1])
    graph = minitorch.cuda.CUDAGraph()
    with minitorch.cuda.graph(graph):
        static_loss = step(model, optimizer, static_x, static_y)
    return model, optimizer, graph, static_x, static_y, static_loss


def test_replay_equals_eager_steps_and_torch(emulated_backend) -> None:
    data = batches(5)
    eager, eager_opt = make()
    for x, y in data[:2]:
        step(eager, eager_opt, minitorch.tensor(x), minitorch.tensor(y))
    model, _, graph, static_x, static_y, static_loss = captured(data)
    # the capture recorded the step but changed no memory that existed before it
    for got, want in zip(params(model), params(eager), strict=True):
        assert np.array_equal(got, want)

    reference = layers(torch.nn)
    with torch.no_grad():
        for p, q in zip(reference.parameters(), make()[0].parameters(), strict=True):
            p.copy_(torch.from_numpy(q.detach().numpy()))
    reference_opt = torch.optim.SGD(reference.parameters(), lr=LR, momentum=MOMENTUM)

    def torch_step(x: np.ndarray, y: np.ndarray) -> float:
        reference_opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(reference(torch.from_numpy(x)),
                                                 torch.from_numpy(y))
        loss.backward()
        reference_opt.step()
        return loss.item()

    for x, y in data[:2]:
        torch_step(x, y)
    for x, y in data[2:]:
        want = step(eager, eager_opt, minitorch.tensor(x), minitorch.tensor(y)).item()
        static_x.copy_(minitorch.tensor(x))
        static_y.copy_(minitorch.tensor(y))
        graph.replay()
        assert static_loss.item() == want  # bitwise: the same kernels on the same bits
        for got, eager_p in zip(params(model), params(eager), strict=True):
            assert np.array_equal(got, eager_p)
        assert static_loss.item() == pytest.approx(torch_step(x, y), rel=1e-4)
    for got, p in zip(params(model), reference.parameters(), strict=True):
        np.testing.assert_allclose(got, p.detach().numpy(), rtol=1e-4, atol=1e-6)


def test_replay_runs_the_eager_steps_launches(emulated_backend) -> None:
    """The kernels and GEMMs of one replay are those of one eager step, in number."""
    data = batches(3)
    model, optimizer, graph, *_ = captured(data)
    counts: Dict[str, int] = {"kernel": 0, "gemm": 0}
    launcher, backend = emulated_backend.launcher, emulated_backend

    def count(kind: str, original: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            counts[kind] += 1
            return original(*args, **kwargs)
        return counted

    launcher.launch = count("kernel", launcher.launch)
    backend.matmul = count("gemm", backend.matmul)
    try:
        step(model, optimizer, minitorch.tensor(data[2][0]), minitorch.tensor(data[2][1]))
    finally:
        del launcher.launch, backend.matmul
    recorded = graph.launch_counts
    assert recorded["kernel"] == counts["kernel"] > 0
    # on the implicit-GEMM kernels, the linear layers make no cuBLAS GEMM either
    assert recorded.get("gemm", 0) == counts["gemm"] == 0
    before = next(launcher._serial)  # the emulator numbers every kernel it runs
    graph.replay()
    assert next(launcher._serial) - before - 1 == counts["kernel"]


def test_host_reads_and_syncs_refused_during_capture(emulated_backend) -> None:
    data = batches(2)
    model, optimizer = make()
    x, y = minitorch.tensor(data[0][0]), minitorch.tensor(data[0][1])
    step(model, optimizer, x, y)
    before = params(model)
    for read in (lambda loss: loss.item(), float, bool, lambda loss: loss.tolist(),
                 lambda loss: minitorch.cuda.synchronize(),
                 lambda loss: emulated_backend.synchronize()):
        graph = minitorch.cuda.CUDAGraph()
        with pytest.raises(StreamCaptureError, match=CAPTURE_ERROR):
            with minitorch.cuda.graph(graph):
                read(step(model, optimizer, x, y))
        assert not minitorch.cuda.is_current_stream_capturing()
        with pytest.raises(RuntimeError, match="before a capture"):
            graph.replay()  # a failed capture leaves nothing to replay
    for got, want in zip(params(model), before, strict=True):
        assert np.array_equal(got, want)  # nor any trace in memory


def test_optimizer_that_is_not_capturable_is_refused(emulated_backend) -> None:
    """As torch: Adam's bias correction reads its step count on the host, so capturing its
    step() needs capturable=True (which then fails at that host read, not silently)."""
    model, _ = make()
    optimizer = minitorch.optim.Adam(model.parameters())
    x, y = (minitorch.tensor(a) for a in batches(1)[0])
    step(model, optimizer, x, y)
    with pytest.raises(RuntimeError, match="capturable is False"):
        with minitorch.cuda.graph(minitorch.cuda.CUDAGraph()):
            step(model, optimizer, x, y)
    optimizer = minitorch.optim.Adam(model.parameters(), capturable=True)
    step(model, optimizer, x, y)
    with pytest.raises(StreamCaptureError, match=CAPTURE_ERROR):
        with minitorch.cuda.graph(minitorch.cuda.CUDAGraph()):
            step(model, optimizer, x, y)


def test_reset_and_recapture(emulated_backend) -> None:
    data = batches(3)
    model, optimizer, graph, static_x, static_y, static_loss = captured(data)
    assert graph.launches > 0
    with pytest.raises(RuntimeError, match="reset"):
        graph.capture_begin()
    graph.reset()
    assert graph.launches == 0
    with pytest.raises(RuntimeError, match="before a capture"):
        graph.replay()
    with minitorch.cuda.graph(graph):
        static_loss = step(model, optimizer, static_x, static_y)
    graph.replay()
    assert np.isfinite(static_loss.item())


def test_capture_needs_a_cuda_backend() -> None:
    with backends.use_backend("numpy"):
        if minitorch.cuda.is_available():
            pytest.skip("a GPU is present: capture goes to it")
        with pytest.raises(RuntimeError, match="cuda-emulated"):
            with minitorch.cuda.graph(minitorch.cuda.CUDAGraph()):
                pass


def test_array_operations_are_recorded_and_memory_outside_is_restored(emulated_backend) -> None:
    """The emulator's recording of NumPy's own work: ufuncs, in-place functions, item
    assignment and fills on tensors' arrays run at capture (so the region sees real values)
    but leave memory that existed before it as it was; a replay redoes them on the current
    contents."""
    a, b = minitorch.zeros(4), minitorch.ones(4)
    graph = minitorch.cuda.CUDAGraph()
    with minitorch.cuda.graph(graph):
        np.copyto(a._data, b._data * 2)
        a._data[1:3] += 1
        b._data.fill(7)
        c = a._data.sum()
    assert np.array_equal(a.numpy(), np.zeros(4)) and np.array_equal(b.numpy(), np.ones(4))
    # copies: copyto, and the item assignment Python does after `view += 1`
    assert graph.launch_counts == {"copy": 2, "elementwise": 3, "memset": 1}
    # bytes read and written (4 float32 = 16 B): b·2; copyto; the view's += 1 (2 elements)
    # and its item assignment; the fill; the sum into a 0-d result
    assert graph.operations == [("elementwise", 32), ("copy", 32), ("elementwise", 16),
                                ("copy", 16), ("memset", 16), ("elementwise", 20)]
    b.numpy()[...] = 5
    graph.replay()
    assert np.array_equal(a.numpy(), [10, 11, 11, 10]) and float(c) == 42
    assert np.array_equal(b.numpy(), np.full(4, 7))


def test_seed_cnn_step_replays_at_most_the_target_device_operations() -> None:
    """Every device operation of one replayed seed-CNN training step (kernels, GEMMs,
    memsets, copies, elementwise), at batch 1 to keep it short: at most the target of
    benchmarks/GPU.md, and nothing but our kernels and the fill of backward()'s implicit
    ones gradient (torch's ones_like): no copy (gradients become .grad as they are), no
    memset (the max-pool backward gathers), no elementwise operation (the cross-entropy's
    mean is formed in its kernels)."""
    from benchmarks.gpu_resources import STEP_LAUNCH_TARGET, graph_launches

    counts = graph_launches(batch=1)
    assert sum(counts.values()) <= STEP_LAUNCH_TARGET, counts
    assert sorted(counts) == ["fill", "kernel"] and counts["fill"] == 1, counts


def test_arrays_made_inside_a_capture_are_filled_again_on_replay(emulated_backend) -> None:
    """``zeros``/``ones``/``full`` and backward's implicit ones gradient inside a capture are
    device memory filled by a kernel on a GPU: the fill is recorded (and counted), and what
    the region does to the new array replays on it, not on stale values."""
    x, out, grad = minitorch.tensor([1.0, 2.0]), minitorch.zeros(2), minitorch.zeros(2)
    w = minitorch.tensor([3.0, -1.0], requires_grad=True)
    graph = minitorch.cuda.CUDAGraph()
    with minitorch.cuda.graph(graph):
        acc = minitorch.zeros(2)
        acc.add_(x)
        acc.add_(minitorch.full((2,), 0.5))
        out.copy_(acc)
        w.grad = None
        (w * x).sum().backward()  # the implicit gradient: ones, made by a fill
        grad.copy_(w.grad)
    assert graph.launch_counts["fill"] == 3
    for _ in range(3):
        graph.replay()
        assert out.tolist() == [1.5, 2.5]  # each replay starts from the zeros again
        assert grad.tolist() == [1.0, 2.0]
