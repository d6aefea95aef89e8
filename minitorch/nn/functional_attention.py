"""Attention: ``F.scaled_dot_product_attention`` and ``F.multi_head_attention_forward`` (what
``nn.MultiheadAttention`` runs), composed from matrix products, softmax and dropout, with
torch's arguments, mask conventions, checks and messages. Exported by
:mod:`minitorch.nn.functional`.

    attention(Q, K, V) = softmax(Q·Kᵀ·scale + bias) · V,   scale = 1/√d by default

``bias`` comes from the masks: a float mask is added; a boolean one excludes positions
(−inf) — where it is False for ``scaled_dot_product_attention``, where it is True for
``attn_mask`` / ``key_padding_mask`` of multi-head attention (torch's two conventions).
Multi-head attention projects query, key and value with ``in_proj_weight`` (three blocks of
E rows), splits E into ``num_heads`` heads of E/h, attends in each, joins the heads and
projects with ``out_proj``.
"""

from __future__ import annotations

import math
import warnings
from typing import List, Optional, Tuple

from minitorch import dtypes
from minitorch.creation import ones, zeros
from minitorch.functions import cat
from minitorch.tensor import Tensor


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Optional[Tensor] = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: Optional[float] = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q·Kᵀ·scale + bias) · V over the last two dims (…, L, E) × (…, S, E) ×
    (…, S, Ev); ``is_causal``: position i attends to j ≤ i only; ``enable_gqa``: K and V
    may have fewer heads (dim −3), each shared by a group of query heads."""
    from minitorch.nn.functional import dropout, softmax

    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                           "set when is_causal=True")
    for name, t in (("query", query), ("key", key), ("value", value)):
        if t.ndim < 2:
            raise RuntimeError(f"scaled_dot_product_attention: {name} must be at least 2-D, "
                               f"got {list(t.shape)}")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {query.dtype} key.dtype: {key.dtype} and "
                           f"value.dtype: {value.dtype} instead.")
    L, S = query.shape[-2], key.shape[-2]
    factor = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        group = query.shape[-3] // key.shape[-3]
        key, value = key.repeat_interleave(group, -3), value.repeat_interleave(group, -3)
    weight = query @ key.transpose(-2, -1) * factor
    if is_causal:
        allowed = ones(L, S, dtype=dtypes.bool_, device=query.device).tril(0)
        weight = weight.masked_fill(allowed.logical_not(), float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == dtypes.bool_:
            weight = weight.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            weight = weight + attn_mask
    weight = softmax(weight, -1)
    if dropout_p > 0.0:
        weight = dropout(weight, dropout_p, True)
    return weight @ value


def _canonical_mask(mask: Optional[Tensor], name: str, other: Optional[Tensor],
                    other_name: str, like: Tensor) -> Optional[Tensor]:
    """A boolean mask as a float one (−inf where True, 0 elsewhere), in ``like``'s dtype; a
    float mask as it is; anything else refused (torch's ``_canonical_mask``)."""
    if mask is None:
        return None
    if mask.dtype != dtypes.bool_ and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if other is not None and mask.dtype != other.dtype:
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same "
                      f"type for both instead.", stacklevel=3)
    if mask.dtype == dtypes.bool_:
        return zeros(*mask.shape, dtype=like.dtype, device=like.device).masked_fill(
            mask, float("-inf"))
    return mask


def _check_shapes(query: Tensor, key: Tensor, value: Tensor,
                  key_padding_mask: Optional[Tensor], attn_mask: Optional[Tensor],
                  num_heads: int) -> bool:
    """torch's ``_mha_shape_check``: whether the query is batched (3-D) — the other inputs
    must agree."""
    if query.ndim not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                             f"{query.ndim}-D query tensor")
    batched = query.ndim == 3
    form, rank = ("batched (3-D)", 3) if batched else ("unbatched (2-D)", 2)
    if key.ndim != rank or value.ndim != rank:
        raise AssertionError(f"For {form} `query`, expected `key` and `value` to be {rank}-D "
                             f"but found {key.ndim}-D and {value.ndim}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.ndim != rank - 1:
        raise AssertionError(f"For {form} `query`, expected `key_padding_mask` to be `None` or "
                             f"{rank - 1}-D but found {key_padding_mask.ndim}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For {form} `query`, expected `attn_mask` to be `None`, 2-D "
                                 f"or 3-D but found {attn_mask.ndim}-D tensor instead")
        if not batched and attn_mask.ndim == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                     f"{attn_mask.shape}")
    return batched


def _project(query: Tensor, key: Tensor, value: Tensor, weights: List[Tensor],
             bias: Optional[Tensor]) -> List[Tensor]:
    """q, k, v = the inputs through their projections (rows of one packed weight, or three
    weights), with the three blocks of ``bias``."""
    from minitorch.nn.functional import linear

    biases = [None] * 3 if bias is None else list(bias.chunk(3))
    if len(weights) == 1:
        weights = list(weights[0].chunk(3))
    return [linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases)]


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Optional[Tensor], in_proj_bias: Optional[Tensor],
        bias_k: Optional[Tensor], bias_v: Optional[Tensor], add_zero_attn: bool,
        dropout_p: float, out_proj_weight: Tensor, out_proj_bias: Optional[Tensor],
        training: bool = True, key_padding_mask: Optional[Tensor] = None,
        need_weights: bool = True, attn_mask: Optional[Tensor] = None,
        use_separate_proj_weight: bool = False, q_proj_weight: Optional[Tensor] = None,
        k_proj_weight: Optional[Tensor] = None, v_proj_weight: Optional[Tensor] = None,
        static_k: Optional[Tensor] = None, static_v: Optional[Tensor] = None,
        average_attn_weights: bool = True, is_causal: bool = False
) -> Tuple[Tensor, Optional[Tensor]]:
    """Multi-head attention on (L, N, E) query and (S, N, ·) key and value (or unbatched
    (L, E), (S, ·)): (output (L, N, E), the attention weights (N, L, S) averaged over the
    heads — or (N, h, L, S) — when ``need_weights``)."""
    from minitorch.nn.functional import dropout, linear, pad, softmax

    if static_k is not None or static_v is not None:
        raise NotImplementedError("multi_head_attention_forward: static_k / static_v are not "
                                  "supported")
    batched = _check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", attn_mask,
                                       "attn_mask", query)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query)
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
        weights = [q_proj_weight, k_proj_weight, v_proj_weight]
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {key.shape} does not match value shape "
                                 f"{value.shape}")
        weights = [in_proj_weight]
    q, k, v = _project(query, key, value, weights, in_proj_bias)
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should "
                               f"be {(bsz * num_heads, tgt_len, src_len)}.")
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:
        extra = zeros(bsz * num_heads, 1, head_dim, dtype=k.dtype, device=k.device)
        k, v = cat([k, extra], 1), cat([v, extra], 1)
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        for axis, size in enumerate((bsz, src_len)):  # torch's words, one axis at a time
            if key_padding_mask.shape[axis] != size:
                raise AssertionError(f"Expected key_padded_mask.shape[{axis}] to be {size}, "
                                     f"but got {key_padding_mask.shape[axis]}")
        key_padding_mask = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(
            -1, num_heads, -1, -1).reshape(bsz * num_heads, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0
    scores = (q * math.sqrt(1.0 / float(head_dim))) @ k.transpose(-2, -1)
    if attn_mask is not None:
        scores = attn_mask + scores  # torch: baddbmm(attn_mask, q_scaled, kᵀ)
    weights_ = softmax(scores, -1)
    if dropout_p > 0.0:
        weights_ = dropout(weights_, dropout_p)
    out = (weights_ @ v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    if not need_weights:
        return (out if batched else out.squeeze(1)), None
    weights_ = weights_.reshape(bsz, num_heads, tgt_len, src_len)
    if average_attn_weights:
        weights_ = weights_.mean(1)
    if not batched:
        return out.squeeze(1), weights_.squeeze(0)
    return out, weights_
