"""StackDataset and ChainDataset against torch.utils.data: the same examples, batches,
lengths and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import minitorch
import minitorch.utils.data as mdata

LIBS = [(torch, tdata), (minitorch, mdata)]


def _plain(value):
    """Examples and batches as nested Python lists, dicts and numbers."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def _squares(data, n):
    class Squares(data.Dataset):
        def __getitem__(self, i):
            return i * i

        def __len__(self):
            return n

    return Squares()


def _batched(data, n, short=False):
    """A dataset that fetches whole batches with ``__getitems__`` (one item short if asked)."""
    class Batched(data.Dataset):
        def __getitem__(self, i):
            return -i

        def __getitems__(self, indices):
            return [-i for i in indices][:len(indices) - short]

        def __len__(self):
            return n

    return Batched()


def _stacks(lib, data, keyed):
    x = lib.tensor(np.arange(12.0).reshape(6, 2))
    parts = dict(x=data.TensorDataset(x), sq=_squares(data, 6), neg=_batched(data, 6))
    return data.StackDataset(**parts) if keyed else data.StackDataset(*parts.values())


@pytest.mark.parametrize("keyed", [False, True])
def test_stack_dataset_items_batches_and_loader_match_torch(keyed):
    runs = []
    for lib, data in LIBS:
        ds = _stacks(lib, data, keyed)
        loader = data.DataLoader(ds, batch_size=4)
        runs.append((len(ds), _plain(ds[3]), _plain(ds.__getitems__([5, 0, 2])),
                     [_plain(batch) for batch in loader], type(ds.datasets).__name__))
    assert runs[1] == runs[0]


def _stack_errors(lib, data):
    a, b = _squares(data, 3), _squares(data, 4)
    yield lambda: data.StackDataset()
    yield lambda: data.StackDataset(a, y=a)
    yield lambda: data.StackDataset(a, b)
    yield lambda: data.StackDataset(x=a, y=b)
    yield lambda: data.StackDataset(a, _batched(data, 3, short=True)).__getitems__([0, 1])
    yield lambda: data.StackDataset(x=_batched(data, 3, short=True)).__getitems__([0, 1])


def test_stack_dataset_errors_match_torch():
    for t_make, m_make in zip(_stack_errors(*LIBS[0]), _stack_errors(*LIBS[1])):
        with pytest.raises(ValueError) as want:
            t_make()
        with pytest.raises(ValueError) as got:
            m_make()
        assert str(got.value) == str(want.value)


def _stream(data, start, stop, sized=True):
    class Stream(data.IterableDataset):
        def __iter__(self):
            return iter(range(start, stop))

    if sized:
        Stream.__len__ = lambda self: stop - start
    return Stream()


def test_chain_dataset_streams_lengths_and_loader_match_torch():
    runs = []
    for _, data in LIBS:
        chained = data.ChainDataset([_stream(data, 0, 3), _stream(data, 10, 15)])
        added = _stream(data, 0, 2) + _stream(data, 5, 7)
        loader = data.DataLoader(chained, batch_size=3)
        runs.append((list(chained), len(chained), type(added).__name__, list(added),
                     [batch.tolist() for batch in loader], len(loader)))
    assert runs[1] == runs[0]


def test_chain_dataset_errors_match_torch():
    outcomes = []
    for _, data in LIBS:
        mixed = data.ChainDataset([_stream(data, 0, 2), _squares(data, 2)])
        items = []
        with pytest.raises(AssertionError) as iterating:
            for item in mixed:  # the streams before the map-style one are read first
                items.append(item)
        with pytest.raises(AssertionError) as sizing:
            len(mixed)
        with pytest.raises(TypeError):
            len(data.ChainDataset([_stream(data, 0, 2, sized=False)]))
        outcomes.append((items, str(iterating.value), str(sizing.value)))
    assert outcomes[1] == outcomes[0]
