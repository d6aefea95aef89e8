"""Dataset, DataLoader and default_collate, checked against PyTorch's semantics."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import minitorch
from minitorch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


class Squares(Dataset):
    """Example i is (i, i*i) as Python ints."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __getitem__(self, i: int) -> tuple[int, int]:
        return i, i * i

    def __len__(self) -> int:
        return self.n


def firsts(loader: DataLoader) -> list[int]:
    return [int(v) for x, _ in loader for v in x.tolist()]


# --------------------------------------------------------------------------------- lengths
@pytest.mark.parametrize(("n", "batch_size", "drop_last", "expected"),
                         [(10, 3, False, 4), (10, 3, True, 3), (9, 3, False, 3),
                          (9, 3, True, 3), (2, 5, False, 1), (2, 5, True, 0)])
def test_len_and_batch_sizes(n: int, batch_size: int, drop_last: bool, expected: int) -> None:
    loader = DataLoader(Squares(n), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == expected
    sizes = [x.shape[0] for x, _ in loader]
    assert len(sizes) == expected
    assert all(s == batch_size for s in sizes[:-1])
    if drop_last:
        assert all(s == batch_size for s in sizes)
    else:
        assert sum(sizes) == n


def test_sequential_order_and_values() -> None:
    loader = DataLoader(Squares(7), batch_size=3)
    x, y = next(iter(loader))
    assert x.tolist() == [0, 1, 2] and y.tolist() == [0, 1, 4]
    assert firsts(loader) == list(range(7))


def test_tensor_dataset() -> None:
    xs = minitorch.from_numpy(np.arange(12, dtype=np.float32).reshape(6, 2))
    ys = minitorch.tensor([0, 1, 0, 1, 0, 1])
    ds = TensorDataset(xs, ys)
    assert len(ds) == 6
    x, y = ds[4]
    assert x.tolist() == [8.0, 9.0] and y.item() == 0
    batches = list(DataLoader(ds, batch_size=4))
    assert tuple(batches[0][0].shape) == (4, 2) and batches[0][0].dtype == minitorch.float32
    assert tuple(batches[1][0].shape) == (2, 2)
    assert batches[1][1].tolist() == [0, 1]
    with pytest.raises(AssertionError):  # as torch
        TensorDataset(xs, minitorch.tensor([1, 2]))


# --------------------------------------------------------------------------------- shuffling
def test_shuffle_with_seed_is_reproducible_and_changes_each_epoch() -> None:
    a = DataLoader(Squares(50), batch_size=8, shuffle=True, generator=123)
    b = DataLoader(Squares(50), batch_size=8, shuffle=True, seed=123)
    epoch1, epoch2 = firsts(a), firsts(a)
    assert sorted(epoch1) == list(range(50))  # a permutation
    assert epoch1 != list(range(50))
    assert epoch1 != epoch2                   # a new order every pass...
    assert [firsts(b), firsts(b)] == [epoch1, epoch2]  # ...that repeats exactly
    assert firsts(DataLoader(Squares(50), batch_size=8, shuffle=True, generator=124)) != epoch1


def test_shuffle_follows_manual_seed() -> None:
    minitorch.manual_seed(7)
    first = firsts(DataLoader(Squares(30), batch_size=4, shuffle=True))
    minitorch.manual_seed(7)
    again = firsts(DataLoader(Squares(30), batch_size=4, shuffle=True))
    assert first == again and sorted(first) == list(range(30))


def test_shuffle_with_generators() -> None:
    g1, g2 = minitorch.Generator().manual_seed(5), minitorch.Generator().manual_seed(5)
    a = DataLoader(Squares(20), batch_size=5, shuffle=True, generator=g1)
    b = DataLoader(Squares(20), batch_size=5, shuffle=True, generator=g2)
    assert firsts(a) == firsts(b)
    rng1, rng2 = np.random.default_rng(3), np.random.default_rng(3)
    a = DataLoader(Squares(20), batch_size=5, shuffle=True, generator=rng1)
    b = DataLoader(Squares(20), batch_size=5, shuffle=True, generator=rng2)
    assert firsts(a) == firsts(b)
    with pytest.raises(ValueError):
        DataLoader(Squares(3), generator=1, seed=1)


# --------------------------------------------------------------------------------- collation
def test_collate_python_numbers_follow_pytorch() -> None:
    floats = default_collate([1.5, 2.0])
    assert floats.dtype == minitorch.float64 and floats.tolist() == [1.5, 2.0]
    ints = default_collate([1, 2, 3])
    assert ints.dtype == minitorch.int64 and ints.tolist() == [1, 2, 3]
    bools = default_collate([True, False])
    assert bools.dtype == minitorch.bool and bools.tolist() == [True, False]
    assert default_collate(["a", "b"]) == ["a", "b"]


def test_collate_numpy() -> None:
    arrays = [np.full((2, 3), i, dtype=np.float32) for i in range(4)]
    batch = default_collate(arrays)
    assert tuple(batch.shape) == (4, 2, 3) and batch.dtype == minitorch.float32
    np.testing.assert_array_equal(batch.numpy(), np.stack(arrays))
    scalars = default_collate([np.float64(0.5), np.float64(1.5)])
    assert scalars.dtype == minitorch.float64 and scalars.tolist() == [0.5, 1.5]
    with pytest.raises(TypeError):
        default_collate([np.array(["x"]), np.array(["y"])])


def test_collate_containers() -> None:
    t = [minitorch.tensor([1.0, 2.0]), minitorch.tensor([3.0, 4.0])]
    stacked = default_collate(t)
    assert tuple(stacked.shape) == (2, 2) and stacked.tolist() == [[1, 2], [3, 4]]

    batch = default_collate([{"x": 1.0, "y": [1, 2]}, {"x": 2.0, "y": [3, 4]}])
    assert set(batch) == {"x", "y"}
    assert batch["x"].dtype == minitorch.float64
    assert isinstance(batch["y"], list) and [v.tolist() for v in batch["y"]] == [[1, 3], [2, 4]]

    pair = default_collate([(1, 2.0), (3, 4.0)])
    assert isinstance(pair, list)  # tuples come back as lists, as in PyTorch
    assert pair[0].tolist() == [1, 3] and pair[1].dtype == minitorch.float64

    Point = namedtuple("Point", "x y")
    point = default_collate([Point(1, 2), Point(3, 4)])
    assert isinstance(point, Point) and point.x.tolist() == [1, 3]

    with pytest.raises(RuntimeError):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError):
        default_collate([object(), object()])


def test_collate_agrees_with_pytorch() -> None:
    torch_data = pytest.importorskip("torch.utils.data")
    examples = [(i * 0.5, i, np.arange(3, dtype=np.float32) + i, {"k": i % 2 == 0})
                for i in range(3)]
    ours, theirs = default_collate(examples), torch_data.default_collate(examples)
    assert isinstance(ours, type(theirs))
    for a, b in zip(ours[:3], theirs[:3], strict=True):
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert ours[3]["k"].tolist() == theirs[3]["k"].tolist()


def test_custom_collate_fn_and_no_batching() -> None:
    loader = DataLoader(Squares(5), batch_size=2, collate_fn=lambda batch: batch)
    assert list(loader) == [[(0, 0), (1, 1)], [(2, 4), (3, 9)], [(4, 16)]]
    single = DataLoader(Squares(3), batch_size=None)
    assert len(single) == 3 and list(single) == [[0, 0], [1, 1], [2, 4]]  # tuples -> lists
    arrays = DataLoader([np.ones(2), np.zeros(2)], batch_size=None)
    first = next(iter(arrays))
    assert isinstance(first, minitorch.Tensor) and first.tolist() == [1.0, 1.0]


# --------------------------------------------------------------------------------- samplers
def test_samplers() -> None:
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    perm = list(RandomSampler(range(10), generator=0))
    assert sorted(perm) == list(range(10))
    draws = list(RandomSampler(range(3), replacement=True, num_samples=20, generator=0))
    assert len(draws) == 20 and set(draws) <= {0, 1, 2}
    batches = BatchSampler(SequentialSampler(range(5)), 2, drop_last=False)
    assert list(batches) == [[0, 1], [2, 3], [4]] and len(batches) == 3
    loader = DataLoader(Squares(6), batch_sampler=[[5, 0], [1]])
    assert [x.tolist() for x, _ in loader] == [[5, 0], [1]]
    loader = DataLoader(Squares(4), sampler=[3, 2, 1, 0], batch_size=3)
    assert firsts(loader) == [3, 2, 1, 0]
    with pytest.raises(ValueError):
        DataLoader(Squares(4), sampler=[0], shuffle=True)
    with pytest.raises(ValueError):
        DataLoader(Squares(4), batch_sampler=[[0]], batch_size=2)


def test_subset_concat_and_random_split() -> None:
    ds = Squares(10)
    sub = Subset(ds, [9, 3])
    assert len(sub) == 2 and sub[0] == (9, 81)
    both = ds + Squares(3)
    assert isinstance(both, ConcatDataset) and len(both) == 13
    assert both[11] == (1, 1) and both[-1] == (2, 4)
    a, b = random_split(ds, [7, 3], generator=0)
    assert len(a) == 7 and len(b) == 3
    assert sorted(a.indices + b.indices) == list(range(10))
    c, d = random_split(ds, [0.5, 0.5], generator=0)
    assert len(c) == len(d) == 5
    assert random_split(ds, [7, 3], generator=0)[0].indices == a.indices
    with pytest.raises(ValueError):
        random_split(ds, [4, 4])


def test_iterable_dataset() -> None:
    class Count(IterableDataset):
        def __iter__(self):  # noqa: ANN204
            return iter(range(5))

        def __len__(self) -> int:
            return 5

    loader = DataLoader(Count(), batch_size=2)
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3], [4]] and len(loader) == 3
    assert len(DataLoader(Count(), batch_size=2, drop_last=True)) == 2
    with pytest.raises(ValueError):
        DataLoader(Count(), shuffle=True)
