"""utils.data.WeightedRandomSampler (and the multinomial draws behind it) against torch: its
validation errors and the draws' errors word for word, the distribution of the indices
against torch's sample of it, seeding; get_worker_info in the loading process."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import minitorch
import minitorch.utils.data as mdata

MODULES = (tdata, mdata)
NAN, INF = float("nan"), float("inf")

BUILD_ERRORS = [
    dict(weights=[1.0], num_samples=0), dict(weights=[1.0], num_samples=-2),
    dict(weights=[1.0], num_samples=2.0), dict(weights=[1.0], num_samples=True),
    dict(weights=[1.0], num_samples=2, replacement=1),
    dict(weights=[[1.0, 2.0]], num_samples=2), dict(weights=1.0, num_samples=2),
    dict(weights=[1.0], num_samples=None),
]
DRAW_ERRORS = [
    dict(weights=[0.0, 0.0], num_samples=3), dict(weights=[], num_samples=3),
    dict(weights=[1.0, -1.0], num_samples=3), dict(weights=[1.0, NAN], num_samples=3),
    dict(weights=[1.0, INF], num_samples=3), dict(weights=[INF, -1.0], num_samples=3),
    dict(weights=[1.0, -1.0], num_samples=1), dict(weights=[0.0, 0.0], num_samples=1),
    dict(weights=[1.0, 0.0, 2.0], num_samples=4, replacement=False),
    dict(weights=[1.0, NAN], num_samples=2, replacement=False),
    dict(weights=[0.0, 0.0], num_samples=2, replacement=False),
]


def _raised(build):
    caught = []
    for module in MODULES:
        with pytest.raises(Exception) as err:
            build(module)
        caught.append((type(err.value), str(err.value)))
    return caught


@pytest.mark.parametrize("kw", BUILD_ERRORS, ids=str)
def test_construction_errors_match_torch(kw):
    caught = _raised(lambda module: module.WeightedRandomSampler(**kw))
    assert caught[1] == caught[0]


@pytest.mark.parametrize("kw", DRAW_ERRORS, ids=str)
def test_errors_of_a_pass_match_torch(kw):
    caught = _raised(lambda module: list(module.WeightedRandomSampler(**kw)))
    assert caught[1] == caught[0]


MULTINOMIAL = [([1.0, NAN], 1, False), ([-1.0, 1.0], 2, True), ([1.0, INF], 3, True),
               ([0.0, 0.0], 1, True), ([[1.0, 1.0], [0.0, 0.0]], 1, False),
               ([1.0, 0.0], 3, False), ([1.0, 0.0], 0, True), ([1.0, 0.0], -1, False)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("probs,n,replacement", MULTINOMIAL, ids=str)
def test_multinomial_errors_match_torch(probs, n, replacement, dtype):
    caught = _raised(lambda module: (torch if module is tdata else minitorch).multinomial(
        (torch if module is tdata else minitorch).tensor(
            probs, dtype=getattr(torch if module is tdata else minitorch, dtype)),
        n, replacement))
    assert caught[1] == caught[0]


def test_weights_length_and_attributes_match_torch():
    made = [module.WeightedRandomSampler(torch_or_list, 7, replacement=False)
            for module, torch_or_list in ((tdata, torch.tensor([1, 2, 3, 4, 5, 6, 7])),
                                          (mdata, minitorch.tensor([1, 2, 3, 4, 5, 6, 7])))]
    assert len(made[1]) == len(made[0]) == 7
    assert made[1].weights.dtype == minitorch.float64
    np.testing.assert_array_equal(made[1].weights.numpy(), made[0].weights.numpy())
    assert (made[1].num_samples, made[1].replacement) == (made[0].num_samples,
                                                          made[0].replacement)
    assert sorted(made[1]) == sorted(made[0]) == list(range(7))


def _chi2(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return ((a - b) ** 2 / np.maximum(a + b, 1)).sum()


WEIGHTS = [0.5, 3.0, 0.0, 1.0, 2.5, 0.25]


def test_draws_with_replacement_follow_the_weights_like_torch():
    """Index frequencies of 60 000 draws agree with torch's (two-sample chi-square within
    its 99.9 % bound, 4 degrees of freedom: the zero weight is never drawn by either)."""
    n = 60_000
    torch.manual_seed(0)
    counts = [np.bincount(list(module.WeightedRandomSampler(WEIGHTS, n, generator=g)),
                          minlength=len(WEIGHTS))
              for module, g in ((tdata, None), (mdata, 0))]
    assert counts[1][2] == counts[0][2] == 0
    assert _chi2(counts[1], counts[0]) < 18.47


def test_draws_without_replacement_like_torch():
    """Each index at most once; weight-0 indices only after every other; the index drawn
    first, over 4 000 passes, as often as in torch's passes (chi-square, 4 dof)."""
    passes = 4000
    torch.manual_seed(1)
    samplers = [tdata.WeightedRandomSampler(WEIGHTS, 6, replacement=False),
                mdata.WeightedRandomSampler(WEIGHTS, 6, replacement=False, generator=1)]
    firsts = []
    for sampler in samplers:
        first = np.zeros(len(WEIGHTS), dtype=np.int64)
        for _ in range(passes):
            order = list(sampler)
            assert sorted(order) == list(range(6)) and order[-1] == 2
            first[order[0]] += 1
        firsts.append(first)
    assert _chi2(firsts[1], firsts[0]) < 18.47


def test_seeding_repeats_the_draws_and_passes_differ():
    def passes(generator):
        sampler = mdata.WeightedRandomSampler(WEIGHTS, 20, generator=generator)
        return list(sampler), list(sampler)

    first, second = passes(5)
    assert passes(5) == (first, second) and first != second
    assert passes(minitorch.Generator().manual_seed(5)) == \
        passes(minitorch.Generator().manual_seed(5))
    minitorch.manual_seed(9)
    global_seeded = passes(None)
    minitorch.manual_seed(9)
    assert passes(None) == global_seeded


def test_a_data_loader_batches_the_weighted_draws():
    ds = mdata.TensorDataset(minitorch.arange(6.0))
    sampler = mdata.WeightedRandomSampler([0.0, 1.0, 0.0, 1.0, 0.0, 0.0], 10, generator=3)
    values = [x.tolist() for (x,) in mdata.DataLoader(ds, batch_size=4, sampler=sampler)]
    assert [len(v) for v in values] == [4, 4, 2]
    assert set(sum(values, [])) <= {1.0, 3.0}


class _Probe:
    """A dataset whose items report ``get_worker_info()`` as seen while loading them."""

    def __init__(self, module):
        self.module = module

    def __len__(self):
        return 3

    def __getitem__(self, i):
        return self.module.get_worker_info() is None


def test_get_worker_info_is_none_in_the_loading_process():
    """In the main process torch's is None; minitorch loads every batch in the calling
    process (``num_workers`` is accepted and not used), so it is None there too."""
    for module in MODULES:
        assert module.get_worker_info() is None
        assert all(module.DataLoader(_Probe(module), batch_size=None))
    assert all(mdata.DataLoader(_Probe(mdata), batch_size=None, num_workers=2))
