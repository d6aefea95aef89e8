"""The layers of ``nn/functional_layers.py``, ``nn/pooling.py``, ``nn/linear.py`` and the
margin losses against torch beyond the catalogue: errors on bad input, module reprs and
attributes, ParameterDict and LazyLinear, and the random layers (rrelu, alpha dropout,
dropout3d, gumbel_softmax) by their statistics and properties in training mode."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import minitorch
from parity_tests.autograd_pairs import assert_raises_like_torch

RNG = np.random.default_rng(0)
X4 = RNG.standard_normal((1, 1, 4, 4))


def _pooled(lib):
    return lib.nn.functional.max_pool2d(lib.tensor(X4), 2, return_indices=True)


BAD_CALLS = {
    "unpool_float_indices": lambda L: L.nn.functional.max_unpool2d(
        _pooled(L)[0], _pooled(L)[1].float(), 2),
    "unpool_indices_shape": lambda L: L.nn.functional.max_unpool2d(
        _pooled(L)[0], _pooled(L)[1][..., :1], 2),
    "unpool_2d_input": lambda L: L.nn.functional.max_unpool2d(
        _pooled(L)[0][0, 0], _pooled(L)[1][0, 0], 2),
    # one bad index each: with several, which one torch names depends on its threads
    "unpool_index_too_large": lambda L: L.nn.functional.max_unpool2d(
        _pooled(L)[0], _pooled(L)[1].where(_pooled(L)[1] != _pooled(L)[1].max(), 16), 2),
    "unpool_negative_index": lambda L: L.nn.functional.max_unpool2d(
        _pooled(L)[0], _pooled(L)[1].where(_pooled(L)[1] != _pooled(L)[1].max(), -3), 2),
    "unpool_output_size_range": lambda L: L.nn.functional.max_unpool2d(
        *_pooled(L), 2, output_size=(7, 7)),
    "unpool_output_size_length": lambda L: L.nn.functional.max_unpool2d(
        *_pooled(L), 2, output_size=(5,)),
    "unpool1d_index": lambda L: L.nn.functional.max_unpool1d(
        _pooled(L)[0][0], L.tensor([[[0, 1], [2, 9]]]), 2),
    "lrn_2d": lambda L: L.nn.functional.local_response_norm(L.ones(2, 3), 2),
    "lp_pool1d_1d": lambda L: L.nn.functional.lp_pool1d(L.ones(4), 2, 2),
    "bilinear_input2": lambda L: L.nn.functional.bilinear(L.ones(4, 3), L.ones(4, 5),
                                                          L.ones(2, 3, 4)),
    "bilinear_batch": lambda L: L.nn.functional.bilinear(L.ones(4, 3), L.ones(3, 5),
                                                         L.ones(2, 3, 5)),
    "bilinear_bias": lambda L: L.nn.functional.bilinear(L.ones(4, 3), L.ones(4, 5),
                                                        L.ones(2, 3, 5), L.ones(3)),
    "bilinear_ranks": lambda L: L.nn.functional.bilinear(L.ones(4, 3), L.ones(5),
                                                         L.ones(2, 3, 5)),
    "bilinear_dtypes": lambda L: L.nn.functional.bilinear(L.ones(4, 3).double(), L.ones(4, 5),
                                                          L.ones(2, 3, 5)),
    "pdist_3d": lambda L: L.nn.functional.pdist(L.ones(2, 3, 4)),
    "pdist_negative_p": lambda L: L.nn.functional.pdist(L.ones(3, 4), -1),
    "pdist_long": lambda L: L.nn.functional.pdist(L.ones(3, 4).long()),
    "shuffle_divisible": lambda L: L.nn.functional.channel_shuffle(L.ones(2, 5, 3), 2),
    "shuffle_2d": lambda L: L.nn.functional.channel_shuffle(L.ones(2, 6), 2),
    "shuffle_groups_0": lambda L: L.nn.functional.channel_shuffle(L.ones(2, 6, 3), 0),
    "rrelu_bounds": lambda L: L.nn.functional.rrelu(L.ones(3), 0.5, 0.1),
    "rrelu_long_train": lambda L: L.nn.functional.rrelu(L.arange(3), training=True),
    "rrelu_long_eval": lambda L: L.nn.functional.rrelu(L.arange(3)),
    "alpha_dropout_p": lambda L: L.nn.functional.alpha_dropout(L.ones(3), 1.5),
    "feature_alpha_dropout_1d": lambda L: L.nn.functional.feature_alpha_dropout(
        L.ones(3), 0.5, True),
    "dropout3d_p": lambda L: L.nn.functional.dropout3d(L.ones(2, 2, 2, 2), -0.1),
    "gumbel_dim": lambda L: L.nn.functional.gumbel_softmax(L.ones(4, 3), dim=2),
    "mm_p3": lambda L: L.nn.functional.multi_margin_loss(L.ones(4, 3), L.tensor([0, 2, 1, 0]),
                                                         p=3),
    "mm_target_range": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(4, 3), L.tensor([0, 2, 1, 3])),
    "mm_target_negative": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(4, 3), L.tensor([0, 2, 1, -1])),
    "mm_target_size": lambda L: L.nn.functional.multi_margin_loss(L.ones(4, 3),
                                                                  L.tensor([0, 2, 1])),
    "mm_weight_2d": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(4, 3), L.tensor([0, 2, 1, 0]), weight=L.ones(2, 3)),
    "mm_weight_size": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(4, 3), L.tensor([0, 2, 1, 0]), weight=L.ones(4)),
    "mm_weight_dtype": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(4, 3), L.tensor([0, 2, 1, 0]), weight=L.ones(3).double()),
    "mm_3d": lambda L: L.nn.functional.multi_margin_loss(L.ones(2, 3, 4), L.tensor([0, 1])),
    "mm_float_target": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(4, 3), L.tensor([0., 2., 1., 0.])),
    "mm_reduction": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(4, 3), L.tensor([0, 2, 1, 0]), reduction="bad"),
    "ml_target_size": lambda L: L.nn.functional.multilabel_margin_loss(
        L.ones(4, 3), L.zeros(3, 3).long()),
    "ml_target_range": lambda L: L.nn.functional.multilabel_margin_loss(
        L.ones(4, 3), L.zeros(4, 3).long() + 3),
    "ml_target_below_minus_one": lambda L: L.nn.functional.multilabel_margin_loss(
        L.ones(4, 3), L.zeros(4, 3).long() - 2),
    "ml_float_target": lambda L: L.nn.functional.multilabel_margin_loss(
        L.ones(4, 3), L.zeros(4, 3)),
    "ml_3d": lambda L: L.nn.functional.multilabel_margin_loss(L.ones(2, 3, 4),
                                                              L.zeros(2, 3, 4).long()),
    "triplet_ranks": lambda L: L.nn.functional.triplet_margin_with_distance_loss(
        L.ones(4, 3), L.ones(4, 3), L.ones(3)),
    "triplet_margin": lambda L: L.nn.functional.triplet_margin_with_distance_loss(
        L.ones(4, 3), L.ones(4, 3), L.ones(4, 3), margin=0),
    "triplet_reduction": lambda L: L.nn.functional.triplet_margin_with_distance_loss(
        L.ones(4, 3), L.ones(4, 3), L.ones(4, 3), reduction="x"),
    "MultiMarginLoss_p": lambda L: L.nn.MultiMarginLoss(p=3),
    "MultiMarginLoss_weight": lambda L: L.nn.MultiMarginLoss(weight=L.ones(2, 2)),
    "TripletMarginWithDistanceLoss_margin": lambda L: L.nn.TripletMarginWithDistanceLoss(
        margin=0),
    "ParameterDict_int_key": lambda L: L.nn.ParameterDict().__setitem__(1, L.ones(2)),
    "LazyLinear_then_wrong_width": lambda L: _lazy_twice(L),
}


def _lazy_twice(lib):
    layer = lib.nn.LazyLinear(3)
    layer(lib.ones(2, 5))
    return layer(lib.ones(2, 4))


@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_errors_match_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_raises_like_torch(BAD_CALLS[name])


MODULES = {
    "MaxUnpool1d": lambda L: L.nn.MaxUnpool1d(3, 2, 1),
    "MaxUnpool2d": lambda L: L.nn.MaxUnpool2d(2),
    "LPPool1d": lambda L: L.nn.LPPool1d(1.5, 3, 2),
    "LPPool2d": lambda L: L.nn.LPPool2d(2, (3, 2), ceil_mode=True),
    "LocalResponseNorm": lambda L: L.nn.LocalResponseNorm(3, k=2.0),
    "ChannelShuffle": lambda L: L.nn.ChannelShuffle(3),
    "Bilinear": lambda L: L.nn.Bilinear(3, 4, 5),
    "Bilinear_no_bias": lambda L: L.nn.Bilinear(3, 4, 5, bias=False),
    "LazyLinear": lambda L: L.nn.LazyLinear(3),
    "RReLU": lambda L: L.nn.RReLU(),
    "RReLU_inplace": lambda L: L.nn.RReLU(0.1, 0.3, True),
    "AlphaDropout": lambda L: L.nn.AlphaDropout(0.2),
    "FeatureAlphaDropout": lambda L: L.nn.FeatureAlphaDropout(),
    "Dropout3d": lambda L: L.nn.Dropout3d(0.1, inplace=True),
    "MultiMarginLoss": lambda L: L.nn.MultiMarginLoss(p=2, weight=L.ones(3)),
    "MultiLabelMarginLoss": lambda L: L.nn.MultiLabelMarginLoss(),
    "TripletMarginWithDistanceLoss": lambda L: L.nn.TripletMarginWithDistanceLoss(),
}


@pytest.mark.parametrize("name", list(MODULES))
def test_module_repr_and_state_dict_keys_match_torch(name):
    want, got = MODULES[name](torch), MODULES[name](minitorch)
    assert repr(got) == repr(want)
    assert list(got.state_dict()) == list(want.state_dict())


def test_unpool_modules_hold_tuples_as_torch():
    for lib in (torch, minitorch):
        assert lib.nn.MaxUnpool1d(3).stride == (3,)
        assert lib.nn.MaxUnpool2d((2, 3), padding=1).padding == (1, 1)


def test_bilinear_initial_weights_are_uniform_within_torchs_bound():
    layer = minitorch.nn.Bilinear(16, 4, 50)
    for p in (layer.weight, layer.bias):
        values = p.detach().numpy()
        assert np.abs(values).max() <= 1 / math.sqrt(16)
        assert np.abs(values).max() > 0.9 / math.sqrt(16)  # spread over the whole range


def test_lazy_linear_infers_in_features_and_becomes_linear():
    x = RNG.standard_normal((4, 2, 5)).astype(np.float32)
    layers = {lib.__name__: lib.nn.LazyLinear(3) for lib in (torch, minitorch)}
    for lib, layer in ((torch, layers["torch"]), (minitorch, layers["minitorch"])):
        assert repr(layer.weight) == "<UninitializedParameter>"
        layer(lib.tensor(x))
        assert type(layer) is lib.nn.Linear and layer.in_features == 5
        assert tuple(layer.weight.shape) == (3, 5) and tuple(layer.bias.shape) == (3,)
        assert repr(layer) == "Linear(in_features=5, out_features=3, bias=True)"
    bound = 1 / math.sqrt(5)
    assert np.abs(layers["minitorch"].weight.detach().numpy()).max() <= bound
    layers["minitorch"].load_state_dict({k: minitorch.tensor(v.detach().numpy())
                                         for k, v in layers["torch"].state_dict().items()})
    got = layers["minitorch"](minitorch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(got, layers["torch"](torch.tensor(x)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)
    assert len(list(layers["minitorch"].parameters())) == 2


def test_lazy_linear_without_bias():
    layer = minitorch.nn.LazyLinear(2, bias=False)
    assert layer(minitorch.ones(3, 4)).shape == (3, 2)
    assert layer.bias is None and tuple(layer.weight.shape) == (2, 4)


def test_parameter_dict_behaves_as_torchs():
    def build(lib):
        d = lib.nn.ParameterDict({"b": lib.nn.Parameter(lib.ones(2, 3)), "a": lib.zeros(2)})
        d["c"] = 3
        d.update([("e", lib.ones(1))])
        d.setdefault("d", lib.ones(4))
        return d

    want, got = build(torch), build(minitorch)
    assert list(got.keys()) == list(want.keys())
    assert list(got.state_dict()) == list(want.state_dict())
    assert [n for n, _ in got.named_parameters()] == [n for n, _ in want.named_parameters()]
    assert repr(got).replace("minitorch.", "torch.") == repr(want)
    assert type(got["a"]) is minitorch.nn.Parameter and "a" in got and len(got) == len(want)
    for d in (want, got):
        assert d.pop("b").shape == (2, 3) and "b" not in d
        assert d.popitem()[0] == "d"
        assert d.get("zz", 7) == 7
        copy = d.copy()
        d.clear()
        assert len(d) == 0 and list(copy.keys()) == ["a", "c", "e"]
    with pytest.raises(AttributeError):
        got["zz"]


def _sample(lib, fn, shape, seed=0):
    """fn(x) on standard-normal x, in training mode; as float64 NumPy."""
    lib.manual_seed(seed)
    x = lib.tensor(np.random.default_rng(seed).standard_normal(shape))
    return x.numpy(), fn(lib, x).detach().numpy()


@pytest.mark.parametrize("lib", [torch, minitorch], ids=lambda m: m.__name__)
def test_rrelu_training_draws_slopes_in_range(lib):
    x, y = _sample(lib, lambda L, x: L.nn.functional.rrelu(x, 0.1, 0.4, training=True),
                   (200, 100))
    np.testing.assert_array_equal(y[x > 0], x[x > 0])
    slopes = y[x < 0] / x[x < 0]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.4
    assert abs(slopes.mean() - 0.25) < 0.005 and abs(slopes.var() - 0.3 ** 2 / 12) < 0.001


def test_rrelu_training_gradient_is_the_drawn_slope():
    x = minitorch.tensor(RNG.standard_normal((50, 4)), requires_grad=True)
    y = minitorch.nn.functional.rrelu(x, training=True)
    y.sum().backward()
    slope = (y / x).detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), slope, rtol=1e-12)


def test_rrelu_module_in_place_and_modes():
    for lib in (torch, minitorch):
        layer = lib.nn.RReLU(0.2, 0.4, inplace=True).eval()
        x = lib.tensor([-1.0, 2.0])
        assert layer(x) is x and x.tolist() == pytest.approx([-0.3, 2.0])


@pytest.mark.parametrize("lib", [torch, minitorch], ids=lambda m: m.__name__)
@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_keeps_zero_mean_unit_variance(lib, feature):
    fn = lib.nn.functional.feature_alpha_dropout if feature else \
        lib.nn.functional.alpha_dropout
    shape = (400, 300, 4) if feature else (400, 300)
    x, y = _sample(lib, lambda L, x: fn(x, 0.2, True), shape)
    assert abs(y.mean()) < 0.02 and abs(y.var() - 1) < 0.03
    # a dropped element is λα·a·(p − 1) everywhere, a = 1/√((λα²·p + 1)(1 − p))
    lam_alpha = 1.7580993408473766
    a = 1 / math.sqrt((lam_alpha ** 2 * 0.2 + 1) * 0.8)
    dropped = np.isclose(y, lam_alpha * a * (0.2 - 1), rtol=1e-12, atol=0)
    assert abs(dropped.mean() - 0.2) < 0.01


def test_feature_alpha_dropout_drops_whole_channels():
    minitorch.manual_seed(1)
    x = minitorch.ones(20, 30, 5)
    y = minitorch.nn.functional.feature_alpha_dropout(x, 0.5, True).numpy()
    assert np.all(y == y[:, :, :1])  # one draw per (n, c)
    assert len(np.unique(y)) == 2


def test_alpha_dropout_in_place_and_eval():
    x = minitorch.randn(3, 4)
    assert minitorch.nn.functional.alpha_dropout(x, 0.5) is x  # eval: the input itself
    before = x.numpy().copy()
    assert minitorch.nn.functional.alpha_dropout(x, 0.5, True, inplace=True) is x
    assert not np.array_equal(x.numpy(), before)


@pytest.mark.parametrize("lib", [torch, minitorch], ids=lambda m: m.__name__)
def test_dropout3d_zeros_whole_channels_and_scales(lib):
    lib.manual_seed(3)
    y = lib.nn.functional.dropout3d(lib.ones(50, 40, 2, 2, 2), 0.25).numpy()
    assert np.all(y == y[:, :, :1, :1, :1])
    kept = y[:, :, 0, 0, 0] != 0
    np.testing.assert_allclose(y[:, :, 0, 0, 0][kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.03


def test_dropout3d_unbatched_and_rank_warning_as_torch():
    for lib in (torch, minitorch):
        with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
            lib.nn.functional.dropout3d(lib.ones(2, 3, 4), 0.5)
        y = lib.nn.functional.dropout3d(lib.ones(20, 2, 2, 2), 0.5)
        assert tuple(y.shape) == (20, 2, 2, 2)
        assert np.all(y.numpy() == y.numpy()[:, :1, :1, :1])


@pytest.mark.parametrize("lib", [torch, minitorch], ids=lambda m: m.__name__)
def test_gumbel_softmax_samples_the_categorical_distribution(lib):
    lib.manual_seed(0)
    probs = np.array([0.1, 0.2, 0.3, 0.4])
    logits = lib.tensor(np.log(np.tile(probs, (20000, 1))))
    soft = lib.nn.functional.gumbel_softmax(logits, tau=0.5).numpy()
    np.testing.assert_allclose(soft.sum(-1), 1, rtol=1e-12)
    hard = lib.nn.functional.gumbel_softmax(logits, hard=True).numpy()
    assert set(np.unique(hard)) == {0.0, 1.0} and np.all(hard.sum(-1) == 1)
    np.testing.assert_allclose(hard.mean(0), probs, atol=0.015)


def test_gumbel_softmax_hard_has_the_soft_gradient_and_torchs_nodes():
    for lib in (torch, minitorch):
        logits = lib.zeros(3, 5, 2, requires_grad=True)
        y = lib.nn.functional.gumbel_softmax(logits, tau=2.0, hard=True, dim=1)
        name = y.grad_fn.name() if lib is minitorch else type(y.grad_fn).__name__
        assert name == "AddBackward0"
        (y * lib.arange(10.0).reshape(1, 5, 2)).sum().backward()
        assert np.all(np.isfinite(logits.grad.numpy())) and logits.grad.abs().sum() > 0
        np.testing.assert_allclose(logits.grad.sum(1).numpy(), 0, atol=1e-6)
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        minitorch.nn.functional.gumbel_softmax(minitorch.zeros(2, 3), eps=1e-3)


def test_unpool_restores_the_pooled_maxima_with_output_size_of_four_dims():
    for lib in (torch, minitorch):
        x = lib.tensor(X4)
        y, idx = lib.nn.functional.max_pool2d(x, 2, return_indices=True)
        z = lib.nn.MaxUnpool2d(2)(y, idx, output_size=[1, 1, 4, 4])
        assert tuple(z.shape) == (1, 1, 4, 4)
        assert float((z != 0).sum()) == 4 and float(z.max()) == float(x.max())


def test_pdist_of_one_row_is_empty_and_matches_cdist():
    assert tuple(minitorch.nn.functional.pdist(minitorch.ones(1, 3)).shape) == (0,)
    x = minitorch.tensor(RNG.standard_normal((6, 3)))
    iu = np.triu_indices(6, 1)
    np.testing.assert_allclose(minitorch.nn.functional.pdist(x, 1.5).numpy(),
                               minitorch.cdist(x, x, 1.5).numpy()[iu], rtol=1e-12)


def test_no_double_backward_where_torch_has_none():
    x = minitorch.tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    target = minitorch.tensor([0, 2, 1, 0])
    for loss in (minitorch.nn.functional.pdist(x).sum(),
                 minitorch.nn.functional.multi_margin_loss(x, target)):
        (g,) = minitorch.autograd.grad(loss, x, create_graph=True)
        with pytest.raises(RuntimeError):
            minitorch.autograd.grad(g.sum(), x)
