"""Working with PyTorch and NumPy: state_dicts both ways, DLPack without copies."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch
from minitorch.models import TutorialCNN, seed_cnn_layers

torch = pytest.importorskip("torch")


class TorchTutorialCNN(torch.nn.Module):
    """The tutorial's network in PyTorch, with the same ``model.N.*`` state_dict keys."""

    def __init__(self) -> None:
        super().__init__()
        self.model = seed_cnn_layers(torch.nn)

    def forward(self, data):
        return self.model(data)


def outputs(ours: TutorialCNN, theirs: TorchTutorialCNN, x: np.ndarray):
    with minitorch.no_grad():
        a = ours(minitorch.from_numpy(x)).numpy()
    with torch.no_grad():
        b = theirs(torch.from_numpy(x)).numpy()
    return a, b


@pytest.fixture
def images() -> np.ndarray:
    return np.random.default_rng(0).random((4, 3, 32, 32), dtype=np.float32)


def test_same_keys_and_shapes() -> None:
    ours, theirs = TutorialCNN().state_dict(), TorchTutorialCNN().state_dict()
    assert list(ours) == list(theirs)
    assert all(tuple(ours[k].shape) == tuple(theirs[k].shape) for k in ours)


def test_torch_state_dict_into_minitorch(images: np.ndarray) -> None:
    torch.manual_seed(1)
    theirs = TorchTutorialCNN().eval()
    ours = TutorialCNN().eval()
    # a torch state_dict, as numpy arrays (what torch.load(...) then .numpy() would give)
    result = ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[k].numpy(), v.numpy())
    a, b = outputs(ours, theirs, images)
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert (a.argmax(1) == b.argmax(1)).all()


def test_torch_tensors_into_minitorch_via_dlpack(images: np.ndarray) -> None:
    theirs = TorchTutorialCNN().eval()
    ours = TutorialCNN().eval()
    ours.load_state_dict({k: minitorch.from_dlpack(v) for k, v in theirs.state_dict().items()})
    a, b = outputs(ours, theirs, images)
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_minitorch_state_dict_into_torch(images: np.ndarray) -> None:
    minitorch.manual_seed(2)
    ours = TutorialCNN().eval()
    theirs = TorchTutorialCNN().eval()
    state = {k: torch.from_numpy(t.numpy()) for k, t in ours.state_dict().items()}
    theirs.load_state_dict(state)  # strict: every key matches
    a, b = outputs(ours, theirs, images)
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    # and back again: the round trip changes nothing
    again = TutorialCNN()
    again.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    for k, v in ours.state_dict().items():
        np.testing.assert_array_equal(again.state_dict()[k].numpy(), v.numpy())


def test_trained_minitorch_model_agrees_with_torch(images: np.ndarray) -> None:
    """After a few optimizer steps in minitorch, torch with the same weights agrees."""
    minitorch.manual_seed(3)
    ours = TutorialCNN()
    opt = minitorch.optim.Adam(ours.parameters(), lr=1e-2)
    x, y = minitorch.from_numpy(images), minitorch.tensor([0, 1, 2, 3])
    for _ in range(3):
        opt.zero_grad()
        minitorch.nn.functional.cross_entropy(ours(x), y).backward()
        opt.step()
    theirs = TorchTutorialCNN()
    theirs.load_state_dict({k: torch.from_numpy(t.numpy()) for k, t in
                            ours.state_dict().items()})
    a, b = outputs(ours.eval(), theirs.eval(), images)
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------------------------------------
# DLPack: the same memory, no copies
# ---------------------------------------------------------------------------------------------

def test_dlpack_with_numpy_shares_memory() -> None:
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = minitorch.from_dlpack(a)
    assert tuple(t.shape) == (3, 4) and t.dtype == minitorch.float32
    assert np.shares_memory(t.numpy(), a)
    back = np.from_dlpack(t)  # Tensor.__dlpack__
    assert np.shares_memory(back, a)
    a[0, 0] = 42.0  # a write on one side is seen on the other
    assert t[0, 0].item() == 42.0 and back[0, 0] == 42.0
    for dtype in (np.float64, np.int64, np.bool_):
        arr = np.ones(5, dtype=dtype)
        assert np.shares_memory(minitorch.from_dlpack(arr).numpy(), arr)


def test_dlpack_with_torch_shares_memory() -> None:
    src = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    t = minitorch.from_dlpack(src)
    assert t.numpy().ctypes.data == src.data_ptr()
    back = torch.from_dlpack(t)
    assert back.data_ptr() == src.data_ptr()
    src[1, 2] = -7.0
    assert t[1, 2].item() == -7.0 and back[1, 2].item() == -7.0
    # strided (transposed) views keep their strides, still without a copy
    view = minitorch.from_dlpack(src.t())
    assert tuple(view.shape) == (4, 3) and view.numpy().ctypes.data == src.data_ptr()
    np.testing.assert_array_equal(view.numpy(), src.t().numpy())


def test_dlpack_of_a_tensor_that_requires_grad() -> None:
    x = minitorch.rand(3, requires_grad=True)
    y = x * 2
    out = torch.from_dlpack(y)  # the data only: no autograd link
    np.testing.assert_array_equal(out.numpy(), y.detach().numpy())
    assert out.data_ptr() == y.detach().numpy().ctypes.data
