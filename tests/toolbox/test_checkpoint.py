"""``minitorch.save`` / ``minitorch.load``: round trips of tensors, state_dicts (model and
optimizer, with state) and nested containers; training resumed from a checkpoint continues
exactly as if it had never stopped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import minitorch
from minitorch import nn
from minitorch.models import TutorialCNN


def roundtrip(obj, tmp_path: Path, name: str = "ckpt.npz"):
    minitorch.save(obj, tmp_path / name)
    return minitorch.load(tmp_path / name)


def assert_same_tensor(a: minitorch.Tensor, b: minitorch.Tensor) -> None:
    assert type(a) is type(b)
    assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape)
    assert a.requires_grad == b.requires_grad
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_tensors(tmp_path: Path) -> None:
    minitorch.manual_seed(0)
    tensors = [minitorch.randn(2, 3), minitorch.randn(4, dtype=minitorch.float64),
               minitorch.tensor([1, -2, 3]), minitorch.tensor([True, False]),
               minitorch.tensor(2.5), minitorch.zeros(0, 3), minitorch.rand(3, 4).T,
               minitorch.rand(2, requires_grad=True)]
    for i, t in enumerate(tensors):
        loaded = roundtrip(t, tmp_path, f"t{i}.npz")
        assert_same_tensor(loaded, t)
        assert loaded.grad_fn is None
    transposed = roundtrip(tensors[6], tmp_path)
    assert transposed.is_contiguous()


def test_parameter_type_is_kept(tmp_path: Path) -> None:
    weight = nn.Parameter(minitorch.rand(3, 2))
    frozen = nn.Parameter(minitorch.rand(2), requires_grad=False)
    loaded = roundtrip({"w": weight, "f": frozen, "plain": minitorch.rand(2)}, tmp_path)
    assert isinstance(loaded["w"], nn.Parameter) and loaded["w"].requires_grad
    assert isinstance(loaded["f"], nn.Parameter) and not loaded["f"].requires_grad
    assert not isinstance(loaded["plain"], nn.Parameter)
    assert_same_tensor(loaded["w"], weight)
    assert_same_tensor(loaded["f"], frozen)


def test_nested_containers(tmp_path: Path) -> None:
    obj = {"epoch": 3, "lr": 1e-3, "name": "run/1", "done": False, "nothing": None,
           "history": [{"loss": 0.5, "acc": 0.9}, {"loss": 0.25, "acc": 0.95}],
           "shape": (32, 32), "array": np.arange(4, dtype=np.int64),
           7: ["int key", (minitorch.ones(2), [minitorch.zeros(1, 1)])], "nested": {"a": {}}}
    loaded = roundtrip(obj, tmp_path)
    assert list(loaded) == list(obj)
    assert loaded["history"] == obj["history"] and loaded["shape"] == (32, 32)
    assert isinstance(loaded["shape"], tuple) and isinstance(loaded["history"], list)
    assert loaded["epoch"] == 3 and loaded["done"] is False and loaded["nothing"] is None
    np.testing.assert_array_equal(loaded["array"], obj["array"])
    assert loaded[7][0] == "int key" and isinstance(loaded[7][1], tuple)
    assert_same_tensor(loaded[7][1][0], obj[7][1][0])
    assert_same_tensor(loaded[7][1][1][0], obj[7][1][1][0])
    assert loaded["nested"] == {"a": {}}
    with pytest.raises(TypeError):
        minitorch.save({"model": object()}, tmp_path / "bad.npz")


def test_loaded_model_gives_identical_outputs(tmp_path: Path) -> None:
    minitorch.manual_seed(0)
    model = TutorialCNN().eval()
    x = minitorch.rand(2, 3, 32, 32)
    minitorch.save(model.state_dict(), tmp_path / "model.npz")
    minitorch.manual_seed(1)
    fresh = TutorialCNN().eval()
    assert not np.array_equal(fresh(x).detach().numpy(), model(x).detach().numpy())
    result = fresh.load_state_dict(minitorch.load(tmp_path / "model.npz"))
    assert not result.missing_keys and not result.unexpected_keys
    np.testing.assert_array_equal(fresh(x).detach().numpy(), model(x).detach().numpy())


def small_model() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


@pytest.mark.parametrize("make_optimizer", [
    lambda p: minitorch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-4),
    lambda p: minitorch.optim.Adam(p, lr=1e-2, betas=(0.8, 0.99)),
    lambda p: minitorch.optim.Adam(p, lr=1e-2, amsgrad=True),
], ids=["sgd-momentum", "adam", "adam-amsgrad"])
def test_resume_training_from_a_checkpoint(make_optimizer, tmp_path: Path) -> None:
    minitorch.manual_seed(0)
    x, y = minitorch.randn(8, 1, 8, 8), minitorch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    loss_fn = nn.CrossEntropyLoss()

    def steps(model, optimizer, n):
        for _ in range(n):
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()

    model = small_model()
    optimizer = make_optimizer(model.parameters())
    steps(model, optimizer, 3)
    minitorch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "step": 3}, tmp_path / "ckpt.npz")
    checkpoint = minitorch.load(tmp_path / "ckpt.npz")
    assert checkpoint["step"] == 3

    saved, loaded = optimizer.state_dict(), checkpoint["optimizer"]
    assert loaded["param_groups"] == saved["param_groups"]  # lr, betas (a tuple), ...
    assert set(loaded["state"]) == set(saved["state"]) == set(range(4))
    for i, state in saved["state"].items():
        assert set(loaded["state"][i]) == set(state)
        for key, value in state.items():
            if isinstance(value, minitorch.Tensor):
                assert_same_tensor(loaded["state"][i][key], value)
            else:
                assert loaded["state"][i][key] == value

    minitorch.manual_seed(5)
    resumed = small_model()
    resumed.load_state_dict(checkpoint["model"])
    resumed_optimizer = make_optimizer(resumed.parameters())
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    steps(model, optimizer, 2)
    steps(resumed, resumed_optimizer, 2)
    for (name, a), (_, b) in zip(model.named_parameters(), resumed.named_parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), err_msg=name)


def test_not_a_checkpoint(tmp_path: Path) -> None:
    (tmp_path / "junk.npz").write_bytes(b"not a zip file")
    with pytest.raises(ValueError):
        minitorch.load(tmp_path / "junk.npz")
