"""Datasets and the ``DataLoader`` that turns them into batches, as in ``torch.utils.data``.

A *dataset* answers two questions: how many examples are there (``len(ds)``) and what is
example ``i`` (``ds[i]``). A *loader* decides the order in which examples are visited (a
*sampler*), groups their indices into batches (a *batch sampler*), fetches the examples and
glues them together into one batch (``collate_fn``):

    >>> ds = TensorDataset(minitorch.arange(10.0), minitorch.arange(10))
    >>> loader = DataLoader(ds, batch_size=4, shuffle=True, generator=0)
    >>> for x, y in loader:           # x: float tensor of shape (4,), y: int64 tensor (4,)
    ...     ...
    >>> len(loader)                   # ceil(10 / 4) batches; 2 with drop_last=True
    3

Everything runs in the calling process: ``num_workers`` and ``pin_memory`` are accepted, so
that PyTorch programs run unchanged, and ignored.

Randomness. ``shuffle=True`` draws a new permutation at every pass over the data. The
permutations come from ``generator``: an ``int`` seed, a ``numpy.random.Generator``, or any
object with a ``manual_seed``/``initial_seed`` pair (a minitorch ``Generator``). Without one,
each pass draws its seed from minitorch's global random state, so ``minitorch.manual_seed(s)``
makes the whole program reproducible, exactly as ``torch.manual_seed`` does for PyTorch.
"""

from __future__ import annotations

import bisect
import collections.abc
import copy
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import numpy as np

import minitorch
from minitorch.functions import draw_categories
from minitorch.functions import is_tensor as _is_tensor

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]

T_co = TypeVar("T_co", covariant=True)
GeneratorLike = Any  # None | int | numpy.random.Generator | minitorch.Generator


# ---------------------------------------------------------------------------------------------
# Random numbers
# ---------------------------------------------------------------------------------------------

def _global_rng() -> np.random.Generator:
    """The NumPy generator behind minitorch's global random state (``manual_seed``)."""
    module = getattr(minitorch, "random", None)
    if module is not None and hasattr(module, "rng"):
        return module.rng()
    return _fallback_rng


_fallback_rng = np.random.default_rng()


def make_rng(generator: GeneratorLike = None) -> np.random.Generator:
    """A NumPy random generator standing for ``generator``.

    * ``None``: a fresh generator whose seed is drawn from minitorch's global random state.
      PyTorch's samplers do the same (they draw a seed from the global generator), so the
      global state set by ``manual_seed`` decides every shuffle of a program that passes no
      generator of its own;
    * an ``int``: a generator with that seed;
    * a ``numpy.random.Generator``: itself (its stream goes on from call to call);
    * a minitorch ``Generator``: the NumPy generator inside it (likewise).
    """
    if generator is None:
        return np.random.default_rng(int(_global_rng().integers(0, 2**62)))
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    inner = getattr(generator, "rng", None)
    if isinstance(inner, np.random.Generator):
        return inner
    if hasattr(generator, "initial_seed"):
        return np.random.default_rng(int(generator.initial_seed()))
    raise TypeError(f"generator must be None, an int seed, a numpy.random.Generator or a "
                    f"minitorch.Generator, not {type(generator).__name__}")


class _RandomSource:
    """Where a sampler gets a NumPy generator for each pass over the data.

    A seed becomes one generator now, so that successive passes continue its stream (the
    second epoch is shuffled differently from the first, yet the run repeats exactly); any
    other kind of generator is looked up afresh at each pass.
    """

    def __init__(self, generator: GeneratorLike) -> None:
        self.generator = generator
        self._seeded = (make_rng(generator)
                        if isinstance(generator, (int, np.integer)) else None)

    def __call__(self) -> np.random.Generator:
        return self._seeded if self._seeded is not None else make_rng(self.generator)


# ---------------------------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------------------------

class Dataset(Generic[T_co]):
    """A map-style dataset: subclasses define ``__getitem__(index)`` and ``__len__()``.

    ``ds1 + ds2`` concatenates two datasets.
    """

    def __getitem__(self, index: int) -> T_co:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other: Dataset[T_co]) -> ConcatDataset[T_co]:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """A stream of examples: subclasses define ``__iter__`` (no indexing, no shuffling).

    ``ds1 + ds2`` chains two streams (a :class:`ChainDataset`)."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __add__(self, other: Dataset[T_co]) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


class ChainDataset(IterableDataset[Any]):
    """Several streams one after the other, chained lazily as they are read (each must be
    an :class:`IterableDataset`, checked when reached, as torch does)."""

    def __init__(self, datasets: Iterable[Dataset[Any]]) -> None:
        super().__init__()
        self.datasets = datasets

    def _streams(self) -> Iterator[IterableDataset[Any]]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield d

    def __iter__(self) -> Iterator[Any]:
        for d in self._streams():
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self._streams())  # type: ignore[arg-type]


class TensorDataset(Dataset[tuple[Any, ...]]):
    """Example ``i`` is ``tuple(t[i] for t in tensors)``; all tensors share their first size."""

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        n = tensors[0].shape[0]
        if any(t.shape[0] != n for t in tensors):
            raise AssertionError("Size mismatch between tensors")  # torch asserts it
        self.tensors = tensors

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return int(self.tensors[0].shape[0])


class StackDataset(Dataset[Any]):
    """Several datasets of one length side by side: example ``i`` is the tuple of their
    examples ``i`` (``StackDataset(a, b)``) or a dict of them (``StackDataset(x=a, y=b)``)."""

    datasets: tuple[Any, ...] | dict[str, Any]

    def __init__(self, *args: Dataset[Any], **kwargs: Dataset[Any]) -> None:
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or"
                             "``dict``- (via ``kwargs``) like input/output, but both types are "
                             "given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        parts = list(args or kwargs.values())
        self._length = len(parts[0])  # type: ignore[arg-type]
        if any(self._length != len(d) for d in parts):  # type: ignore[arg-type]
            raise ValueError("Size mismatch between datasets")
        self.datasets = args or kwargs

    def _parts(self) -> list[tuple[Any, Dataset[Any]]]:
        named = self.datasets.items() if isinstance(self.datasets, dict) else \
            enumerate(self.datasets)
        return list(named)

    def __getitem__(self, index: int) -> Any:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices: list[int]) -> list[Any]:
        """A batch of examples; a part with its own ``__getitems__`` fetches its column at
        once (it must give one item per index)."""
        columns = {}
        for key, d in self._parts():
            getitems = getattr(d, "__getitems__", None)
            if callable(getitems):
                items = getitems(indices)
                if len(items) != len(indices):
                    raise ValueError("Nested dataset's output size mismatch."
                                     f" Expected {len(indices)}, got {len(items)}")
                columns[key] = list(items)
            else:
                columns[key] = [d[i] for i in indices]
        rows = [{k: column[j] for k, column in columns.items()} for j in range(len(indices))]
        if isinstance(self.datasets, dict):
            return rows
        return [tuple(row.values()) for row in rows]

    def __len__(self) -> int:
        return self._length


class Subset(Dataset[T_co]):
    """The examples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: int) -> T_co:
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[T_co]):
    """Several datasets one after the other."""

    def __init__(self, datasets: Iterable[Dataset[T_co]]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes: list[int] = []
        total = 0
        for d in self.datasets:
            total += len(d)  # type: ignore[arg-type]
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> T_co:
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index = len(self) + index
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][index - start]


def random_split(dataset: Dataset[T_co], lengths: Sequence[int | float],
                 generator: GeneratorLike = None) -> list[Subset[T_co]]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths.

    ``lengths`` are counts that sum to ``len(dataset)``, or fractions that sum to 1 (the
    leftover examples are then handed out one each, round-robin, as PyTorch does).
    """
    n = len(dataset)  # type: ignore[arg-type]
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = [math.floor(n * frac) for frac in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = make_rng(generator).permutation(n).tolist()
    subsets, start = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[start:start + int(length)]))
        start += int(length)
    return subsets


# ---------------------------------------------------------------------------------------------
# Samplers: the order of the indices
# ---------------------------------------------------------------------------------------------

class Sampler(Generic[T_co]):
    """Yields dataset indices (or, for a batch sampler, lists of them)."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError


class SequentialSampler(Sampler[int]):
    """0, 1, 2, ..., len(data_source) - 1."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A new random permutation of the indices at every pass (or, with ``replacement``,
    ``num_samples`` independent draws)."""

    def __init__(self, data_source: Any, replacement: bool = False,
                 num_samples: int | None = None, generator: GeneratorLike = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        self._rng = _RandomSource(generator)
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got "
                            f"replacement={replacement}")
        n = self.num_samples  # an empty dataset would divide by zero when iterated
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={n}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        rng = self._rng()
        if self.replacement:
            if n == 0:
                raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                                   f"from=0 >= to={n}")
            yield from rng.integers(0, n, size=self.num_samples).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from rng.permutation(n).tolist()
        yield from rng.permutation(n)[: self.num_samples % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices, in a new random order at every pass."""

    def __init__(self, indices: Sequence[int], generator: GeneratorLike = None) -> None:
        self.indices = indices
        self.generator = generator
        self._rng = _RandomSource(generator)

    def __iter__(self) -> Iterator[int]:
        for i in self._rng().permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices drawn with P(i) = weights[i] / Σ weights: independent draws
    (``replacement``) or, without replacement, each index at most once (the weights need
    not sum to 1). A new draw at every pass."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: GeneratorLike = None) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or \
                num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        weights_tensor = minitorch.as_tensor(weights, dtype=minitorch.float64)
        if weights_tensor.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights_tensor.shape)}")
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator
        self._rng = _RandomSource(generator)

    def __iter__(self) -> Iterator[int]:
        rows = self.weights.cpu().numpy()[None]
        yield from draw_categories(rows, self.num_samples, self.replacement,
                                   self._rng())[0].tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one may be
    shorter, unless ``drop_last``)."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError("batch_size should be a positive integer value, "
                             f"but got batch_size={batch_size}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size


# ---------------------------------------------------------------------------------------------
# Collation: a list of examples -> one batch
# ---------------------------------------------------------------------------------------------

_NUMPY_NOT_NUMBERS = re.compile(r"[SaUO]")  # byte strings, strings, Python objects

_COLLATE_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, "
                  "dicts or lists; found {}")


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of examples into a batch, following the structure of the examples.

    ===========================  ==================================================
    each example is              the batch is
    ===========================  ==================================================
    Tensor of shape ``s``        ``minitorch.stack(batch)``: shape ``(B, *s)``
    NumPy array                  the same, after ``minitorch.from_numpy``
    NumPy scalar                 a 1-d tensor of that dtype
    ``float``                    a float64 tensor (as in PyTorch, not float32!)
    ``int`` / ``bool``           an int64 / bool tensor
    ``str`` / ``bytes``          the list unchanged
    dict                         a dict of collated values, key by key
    namedtuple                   the same namedtuple of collated fields
    tuple / list                 a list (tuple) or list (list) of collated fields
    ===========================  ==================================================

    So a dataset returning ``(image, label)`` gives batches ``[images, labels]``.
    """
    elem = batch[0]
    if _is_tensor(elem):
        return minitorch.stack(list(batch), 0)
    if isinstance(elem, (np.ndarray, np.generic)):
        if _NUMPY_NOT_NUMBERS.search(elem.dtype.str) is not None:
            raise TypeError(_COLLATE_ERROR.format(elem.dtype))
        return minitorch.from_numpy(np.ascontiguousarray(np.stack(batch)))
    if isinstance(elem, float):
        return minitorch.tensor(list(batch), dtype=minitorch.float64)
    if isinstance(elem, int):  # bool is an int: tensor() keeps it bool
        return minitorch.tensor(list(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)  # keep the mapping's type and extra attributes
                clone.update(collated)
                return clone
            return type(elem)(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch, strict=True)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(list(samples)) for samples in zip(*batch, strict=True)]
        if isinstance(elem, tuple):
            return fields  # PyTorch returns a list here, for backward compatibility
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """What the loader does to each example when batching is off (``batch_size=None``):
    NumPy arrays become tensors, containers are converted element by element, everything
    else is left alone."""
    if _is_tensor(data):
        return data
    if isinstance(data, np.ndarray):
        if _NUMPY_NOT_NUMBERS.search(data.dtype.str) is not None:
            return data
        return minitorch.from_numpy(np.ascontiguousarray(data))
    if isinstance(data, np.generic):
        return minitorch.from_numpy(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


# ---------------------------------------------------------------------------------------------
# The loader
# ---------------------------------------------------------------------------------------------

def get_worker_info() -> None:
    """torch's description of the loader worker process this code runs in (its ``id``,
    ``num_workers``, ``seed``, ``dataset``), or None in the main process. Loading here is
    single-process whatever ``num_workers`` says, so a dataset always runs in the main
    process: None, and an ``IterableDataset`` that splits its stream by worker yields it
    whole, as torch's does with ``num_workers=0``."""
    return None


class DataLoader(Generic[T_co]):
    """Iterate over ``dataset`` in batches.

    Args:
        dataset: a map-style :class:`Dataset` (anything with ``__getitem__`` and ``__len__``)
            or an :class:`IterableDataset`.
        batch_size: examples per batch; ``None`` turns batching off (one example at a time,
            converted by :func:`default_convert`).
        shuffle: visit the examples in a new random order at every pass.
        sampler: a custom order of the indices (excludes ``shuffle``).
        batch_sampler: a custom grouping of indices into batches (excludes ``batch_size``,
            ``shuffle``, ``sampler`` and ``drop_last``).
        num_workers, pin_memory, timeout, worker_init_fn, prefetch_factor,
            persistent_workers: accepted for compatibility; loading is single-process.
        collate_fn: turns a list of examples into a batch (default: :func:`default_collate`).
        drop_last: drop the last batch if it is smaller than ``batch_size``.
        generator: where the shuffling randomness comes from — an ``int`` seed, a
            ``numpy.random.Generator`` or a minitorch ``Generator``; see the module docstring.
        seed: shorthand for ``generator=seed``.
    """

    def __init__(
        self,
        dataset: Dataset[T_co],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Iterable[int] | None = None,
        batch_sampler: Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        generator: GeneratorLike = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        seed: int | None = None,
    ) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 "
                             "to disable multiprocessing.")
        if seed is not None:
            if generator is not None:
                raise ValueError("pass either generator or seed, not both")
            generator = seed
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.generator = generator
        self._is_iterable = isinstance(dataset, IterableDataset)

        if self._is_iterable:
            if shuffle not in (None, False):
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"shuffle option, but got shuffle={shuffle}")
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 "sampler and batch_sampler options")
        else:
            if sampler is not None and shuffle:
                raise ValueError("sampler option is mutually exclusive with shuffle")
            if batch_sampler is not None:
                if batch_size != 1 or shuffle or sampler is not None or drop_last:
                    raise ValueError("batch_sampler option is mutually exclusive with "
                                     "batch_size, shuffle, sampler, and drop_last")
                batch_size, drop_last = None, False
            elif batch_size is None and drop_last:
                raise ValueError("batch_size=None option disables auto-batching and is "
                                 "mutually exclusive with drop_last")
            if sampler is None:
                sampler = (RandomSampler(dataset, generator=generator) if shuffle
                           else SequentialSampler(dataset))
            if batch_size is not None and batch_sampler is None:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_batching else default_convert
        self.collate_fn = collate_fn

    @property
    def _auto_batching(self) -> bool:
        if self._is_iterable:
            return self.batch_size is not None
        return self.batch_sampler is not None

    def __iter__(self) -> Iterator[Any]:
        if self._is_iterable:
            yield from self._iter_stream()
        elif self._auto_batching:
            for indices in self.batch_sampler:  # type: ignore[union-attr]
                yield self.collate_fn(self._fetch(indices))
        else:
            for index in self.sampler:  # type: ignore[union-attr]
                yield self.collate_fn(self.dataset[index])

    def _fetch(self, indices: list[int]) -> list[Any]:
        """The examples at ``indices``; datasets may fetch a whole batch at once by defining
        ``__getitems__`` (as in PyTorch)."""
        getitems = getattr(self.dataset, "__getitems__", None)
        if getitems is not None:
            return getitems(indices)
        return [self.dataset[i] for i in indices]

    def _iter_stream(self) -> Iterator[Any]:
        if self.batch_size is None:
            for example in self.dataset:  # type: ignore[attr-defined]
                yield self.collate_fn(example)
            return
        batch: list[Any] = []
        for example in self.dataset:  # type: ignore[attr-defined]
            batch.append(example)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        if self._is_iterable:
            n = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is None:
                return n
            if self.drop_last:
                return n // self.batch_size
            return (n + self.batch_size - 1) // self.batch_size
        if self._auto_batching:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        return len(self.sampler)  # type: ignore[arg-type]

