"""Every number ``minitorch.explain`` shows, checked against PyTorch computing the same thing.

The explain result keeps its numbers in ``steps[i].data``; the text is drawn from them.
Here torch recomputes each quantity from the same inputs (the input, weight, bias and dL/dy
that the result reports) and each step's numbers are compared with it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import minitorch
import minitorch.explain

torch = pytest.importorskip("torch")
F = torch.nn.functional


def t64(a: Any) -> Any:
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def close(a: Any, b: Any) -> None:
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64),
                               np.asarray(b.detach().numpy() if hasattr(b, "detach") else b,
                                          dtype=np.float64), rtol=1e-10, atol=1e-10)


CONV_CASES = [
    dict(input_size=(1, 1, 5, 5)),
    dict(input_size=(1, 1, 5, 5), stride=2, padding=1),
    dict(input_size=(1, 1, 6, 7), stride=(2, 1), padding=(0, 2), dilation=(2, 1)),
    dict(input_size=(2, 2, 5, 4), out_channels=3, kernel_size=(2, 3), bias=False),
    dict(input_size=(1, 4, 4, 4), out_channels=2, kernel_size=2, groups=2, input="randn"),
    dict(input_size=(1, 1, 5, 5), kernel_size=2, padding="same", grad_output="randint"),
    dict(input_size=(1, 2, 7, 7), out_channels=2, stride=3, dilation=2, padding=2,
         grad_output="randn", seed=3),
]


@pytest.mark.parametrize("kwargs", CONV_CASES, ids=lambda k: str(k))
def test_conv2d_every_step_matches_torch(kwargs: dict) -> None:
    e = minitorch.explain("conv2d", **kwargs)
    tx = e.tensors
    x = t64(tx["input"]).requires_grad_()
    w = t64(tx["weight"]).requires_grad_()
    b = t64(tx["bias"]).requires_grad_() if "bias" in tx else None
    p = e.params
    y = F.conv2d(x, w, b, p["stride"], p["padding"], p["dilation"], p["groups"])
    gy = t64(tx["grad_output"])
    y.backward(gy)
    close(tx["output"], y)
    (formula,) = e.find("formula")
    assert [a["out"] for a in formula.data["axes"]] == list(y.shape[2:])
    assert formula.data["axes"][0]["text"].endswith(f"= {y.shape[2]}")
    (pad,) = e.find("pad")
    t, bo, left, r = pad.data["pads"]
    close(pad.data["padded"], F.pad(x, (left, r, t, bo)))
    windows = e.find("window")
    assert len(windows) == y.numel()
    for s in windows:
        close(s.data["value"], y[s.data["index"]])
        close(s.data["products"].sum() + s.data["bias"], y[s.data["index"]])
    for s in e.find("im2col"):
        unf = F.unfold(F.pad(x, (left, r, t, bo)), w.shape[2:], p["dilation"], 0, p["stride"])
        close(s.data["matrix"], unf[s.data["n"]])
    for s in e.find("matmul"):
        og = w.shape[0] // p["groups"]
        g = s.data["group"]
        close(s.data["output"], y[s.data["n"], g * og:(g + 1) * og])
    close(e.find("grad_output", "backward")[0].data["grad_output"], gy)
    if b is not None:
        close(e.find("grad_bias", "backward")[0].data["value"], b.grad)
    for s in e.find("grad_weight", "backward"):
        close(s.data["value"], w.grad[s.data["o"], s.data["c"]])
    for s in e.find("full_conv", "backward"):
        close(s.data["result"], x.grad[s.data["n"], s.data["c"]])
    ones = torch.ones_like(F.pad(x, (left, r, t, bo)))
    cover = F.fold(F.unfold(ones, w.shape[2:], p["dilation"], 0, p["stride"]),
                   ones.shape[2:], w.shape[2:], p["dilation"], 0, p["stride"])
    for s in e.find("col2im", "backward"):
        close(s.data["result"], x.grad[s.data["n"]])
        close(s.data["overlaps"], cover[s.data["n"]])
        for (c, rr, q), vals in s.data["terms"].items():
            close(sum(vals), s.data["result_padded"][c, rr, q])
    scatters = e.find("scatter", "backward")
    assert len(scatters) == y.numel()
    for n in range(x.shape[0]):
        last = [s for s in scatters if s.data["index"][0] == n][-1]
        close(last.data["running"][:, t:t + x.shape[2], left:left + x.shape[3]], x.grad[n])
    close(tx["grad_input"], x.grad)
    close(tx["grad_weight"], w.grad)


POOL_CASES = [
    dict(input_size=(1, 1, 5, 5), kernel_size=2),
    dict(input_size=(1, 1, 5, 5), kernel_size=2, ceil_mode=True),
    dict(input_size=(1, 2, 6, 5), kernel_size=3, stride=2, padding=1),
    dict(input_size=(2, 1, 7, 6), kernel_size=(3, 2), stride=(2, 3), padding=(1, 1),
         ceil_mode=True, grad_output="randint"),
]


@pytest.mark.parametrize("kwargs", POOL_CASES + [
    dict(input_size=(1, 1, 7, 7), kernel_size=2, dilation=2, stride=2, input="randn"),
    dict(input_size=(1, 1, 8, 8), kernel_size=3, dilation=2, stride=2, padding=1,
         ceil_mode=True, input="arange")], ids=lambda k: str(k))
def test_max_pool2d_every_step_matches_torch(kwargs: dict) -> None:
    e = minitorch.explain("max_pool2d", **kwargs)
    p = e.params
    x = t64(e.tensors["input"]).requires_grad_()
    y, idx = F.max_pool2d(x, p["kernel_size"], p["stride"], p["padding"], p["dilation"],
                          p["ceil_mode"], return_indices=True)
    y.backward(t64(e.tensors["grad_output"]))
    assert [a["out"] for a in e.find("formula")[0].data["axes"]] == list(y.shape[2:])
    windows = e.find("window")
    assert len(windows) == y.numel()
    w_ = x.shape[3]
    for s in windows:
        close(s.data["value"], y[s.data["index"]])
        assert s.data["flat_index"] == int(idx[s.data["index"]])
        r, q = s.data["source"]
        assert (r - p["padding"][0]) * w_ + (q - p["padding"][1]) == int(idx[s.data["index"]])
    for s in e.find("scatter", "backward"):
        assert s.data["target"] == divmod(int(idx[s.data["index"]]), w_)
    close(e.tensors["grad_input"], x.grad)


@pytest.mark.parametrize("kwargs", POOL_CASES + [
    dict(input_size=(1, 1, 5, 5), kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(input_size=(1, 1, 5, 6), kernel_size=3, stride=2, padding=1, ceil_mode=True,
         count_include_pad=True, input="randn"),
    dict(input_size=(1, 1, 4, 4), kernel_size=2, divisor_override=3)], ids=lambda k: str(k))
def test_avg_pool2d_every_step_matches_torch(kwargs: dict) -> None:
    e = minitorch.explain("avg_pool2d", **kwargs)
    p = e.params
    x = t64(e.tensors["input"]).requires_grad_()
    args = (p["kernel_size"], p["stride"], p["padding"], p["ceil_mode"])
    y = F.avg_pool2d(x, *args, p["count_include_pad"], p["divisor_override"])
    y.backward(t64(e.tensors["grad_output"]))
    sums = F.avg_pool2d(x, *args, True, 1)
    ones = torch.ones_like(x)
    divisor = F.avg_pool2d(ones, *args, True, 1) / F.avg_pool2d(
        ones, *args, p["count_include_pad"], p["divisor_override"])
    windows = e.find("window")
    assert len(windows) == y.numel()
    for s in windows:
        close(s.data["value"], y[s.data["index"]])
        close(s.data["total"], sums[s.data["index"]])
        close(s.data["divisor"], divisor[s.data["index"]])
    close(e.tensors["grad_input"], x.grad)
    last = e.find("scatter", "backward")[-1].data["running"]
    ph, pw = p["padding"]
    close(last[:, ph:ph + x.shape[2], pw:pw + x.shape[3]], x.grad[-1])


@pytest.mark.parametrize("kwargs", [dict(), dict(input_size=(3, 4), out_features=3,
                                                 grad_output="randn", input="randn"),
                                    dict(bias=False, seed=5)])
def test_linear_matches_torch(kwargs: dict) -> None:
    e = minitorch.explain("linear", **kwargs)
    x = t64(e.tensors["input"]).requires_grad_()
    w = t64(e.tensors["weight"]).requires_grad_()
    b = t64(e.tensors["bias"]).requires_grad_() if "bias" in e.tensors else None
    y = F.linear(x, w, b)
    y.backward(t64(e.tensors["grad_output"]))
    for s in e.find("dot"):
        close(s.data["value"], y[s.data["index"]])
    close(e.find("matmul")[0].data["result"], y)
    back = e.find("matmul", "backward")
    close(back[0].data["result"], x.grad)
    close(back[1].data["result"], w.grad)
    if b is not None:
        close(e.find("grad_bias", "backward")[0].data["value"], b.grad)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("grad", ["ones", "randn"])
def test_activations_match_torch(name: str, grad: str) -> None:
    e = minitorch.explain(name, input_size=(3, 4), grad_output=grad, seed=2)
    x = t64(e.tensors["input"]).requires_grad_()
    y = getattr(torch, name)(x)
    y.backward(t64(e.tensors["grad_output"]))
    close(e.find("elementwise")[0].data["result"], y)
    close(e.find("elementwise", "backward")[-1].data["result"], x.grad)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_cross_entropy_matches_torch(seed: int) -> None:
    e = minitorch.explain("cross_entropy", input_size=(3, 5), seed=seed)
    z = t64(e.tensors["input"]).requires_grad_()
    t = torch.tensor(e.tensors["target"])
    loss = F.cross_entropy(z, t)
    loss.backward()
    (fw,) = e.find("softmax", "forward")
    close(fw.data["logsumexp"], torch.logsumexp(z, 1))
    close(fw.data["per_sample"], F.cross_entropy(z, t, reduction="none"))
    close(fw.data["loss"], loss)
    close(e.find("softmax", "backward")[0].data["result"], z.grad)


@pytest.mark.parametrize("backend", ["numpy", "loops", "numba", "cuda-emulated"])
def test_model_layer_by_layer_matches_torch(backend: str) -> None:
    """A model runs on minitorch's own autograd: on every CPU backend."""
    from minitorch.parity import backend_unavailable

    reason = backend_unavailable(backend)
    if reason:
        pytest.skip(reason)
    with minitorch.backends.use_backend(backend):
        _check_model_against_torch()


def _check_model_against_torch() -> None:
    nn = minitorch.nn
    minitorch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(8, 3))
    ref = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU(),
                              torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(8, 3))
    ref.load_state_dict({k: torch.from_numpy(np.array(v.numpy()))
                         for k, v in model.state_dict().items()})
    e = minitorch.explain(model, input_size=(2, 1, 4, 4), target=[0, 2])
    x = torch.tensor(e.tensors["input"], dtype=torch.float32).requires_grad_()
    outs = []
    h = x
    for layer in ref:
        h = layer(h)
        h.retain_grad()
        outs.append(h)
    loss = F.cross_entropy(h, torch.tensor([0, 2]))
    loss.backward()
    layers = e.find("layer")
    assert [s.data["name"] for s in layers] == ["0", "1", "2", "3", "4"]
    for s, o in zip(layers, outs):
        np.testing.assert_allclose(s.data["output"], o.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert e.find("loss")[0].data["value"] == pytest.approx(loss.item(), rel=1e-5)
    grads = {s.data["name"]: s for s in e.find("layer_grad", "backward")}
    for i, (layer, o) in enumerate(zip(ref, outs)):
        np.testing.assert_allclose(grads[str(i)].data["grad_output"], o.grad.numpy(),
                                   rtol=1e-5, atol=1e-6)
        for k, v in layer.named_parameters():
            np.testing.assert_allclose(grads[str(i)].data["param_grads"][k], v.grad.numpy(),
                                       rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(e.tensors["grad_input"], x.grad.numpy(), rtol=1e-5, atol=1e-6)
    # each layer names the command that walks through it alone, with its own arguments
    conv_cmd = layers[0].data["command"].split()
    assert conv_cmd[:3] == ["minitorch", "explain", "conv2d"]
    alone = minitorch.explain("conv2d", input_size=(2, 1, 4, 4), out_channels=2, padding=1)
    assert alone.tensors["output"].shape == tuple(outs[0].shape)
    assert "--padding 1,1" in layers[0].data["command"]
    assert layers[2].data["command"].endswith("--stride 2 --padding 0 --dilation 1")
    from minitorch.cli import main

    for s in layers:
        if s.data["command"]:  # every suggested command runs
            assert main(s.data["command"].split()[1:] + ["--quiet"]) == 0, s.data["command"]


def test_text_is_drawn_from_the_numbers() -> None:
    e = minitorch.explain("conv2d", input_size=(1, 1, 4, 4), stride=2, padding=1)
    text = str(e)
    for s in e.find("window"):
        assert f"= {minitorch.explain.core.fmt(s.data['value'])}" in text
    for a in e.find("formula")[0].data["axes"]:
        assert a["text"] in text
    assert "⌊(4 − 3 + 2·1)/2⌋ + 1 = 2" in text
    m = str(minitorch.explain("max_pool2d", input_size=(1, 1, 5, 5), kernel_size=2,
                              ceil_mode=True))
    assert "⌈(5 − 2 + 2·0)/2⌉ + 1 = 3" in m and "ceil_mode adds 1 row(s)" in m


def test_learner_numbers_and_bad_arguments() -> None:
    x = [[[[1.0, 2, 3], [4, 5, 6], [7, 8, 9]]]]
    e = minitorch.explain("conv2d", x, weight=[[[[1.0, 0], [0, -1]]]], bias=False)
    close(e.tensors["output"], F.conv2d(t64(x), t64([[[[1.0, 0], [0, -1]]]])))
    e2 = minitorch.explain("conv2d", torch.arange(9.0).reshape(1, 1, 3, 3), kernel_size=2)
    assert e2.tensors["input"].shape == (1, 1, 3, 3)
    with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
        minitorch.explain("conv2d", input_size=(1, 1, 2, 2), kernel_size=3)
    with pytest.raises(ValueError, match="positions, more than the 2048"):
        minitorch.explain("conv2d", input_size=(1, 3, 32, 32), out_channels=32, padding=2)
    with pytest.raises(ValueError, match="unknown op"):
        minitorch.explain("conv3d")


@pytest.mark.parametrize("shape, kwargs", [
    ((1, 2, 6, 16), dict(out_channels=3, kernel_size=3, padding=1)),       # direct forward
    ((1, 2, 6, 7), dict(out_channels=2, kernel_size=3, stride=2)),         # im2col forward
    ((1, 4, 5, 5), dict(out_channels=2, kernel_size=3, groups=2, padding=1)),
    ((1, 16, 4, 8), dict(out_channels=16, kernel_size=3, padding=1)),     # flipped input grad
])
def test_conv2d_names_the_routes_numba_takes(shape: tuple, kwargs: dict) -> None:
    """The walkthrough's 'routes' step says, per dtype, which Numba kernels these shapes
    take; running the same convolution on numba must take exactly those routes."""
    from minitorch.backends import use_backend
    from minitorch.backends.numba import last_routes

    e = minitorch.explain("conv2d", input_size=shape, **kwargs)
    (step,) = e.find("routes")
    assert "routes" in e.text()
    x = e.find("input")[0].data["x"]
    w = e.find("input")[0].data["weight"]
    b = e.find("input")[0].data["bias"]
    conv = {k: v for k, v in kwargs.items() if k in ("stride", "padding", "groups")}
    for dtype in ("float32", "float64"):
        with use_backend("numba"):
            xt = minitorch.tensor(np.asarray(x, dtype=dtype), requires_grad=True)
            wt = minitorch.tensor(np.asarray(w, dtype=dtype), requires_grad=True)
            bt = minitorch.tensor(np.asarray(b, dtype=dtype), requires_grad=True)
            minitorch.nn.functional.conv2d(xt, wt, bt, **conv).sum().backward()
        assert last_routes() == step.data["routes"][dtype], dtype
