"""The Transformer of "Attention Is All You Need", as torch builds it: ``TransformerEncoderLayer``
(self-attention, then a feed-forward block, each with dropout, a residual connection and
layer norm — after the residual, or before each block with ``norm_first``),
``TransformerDecoderLayer`` (self-attention, attention over the encoder's output, feed-forward),
the ``TransformerEncoder`` / ``TransformerDecoder`` stacks (copies of one layer, an optional
final norm) and ``Transformer`` (both, Xavier-initialised). Same submodules, parameter names,
arguments and ``repr`` as torch's; composed from :class:`MultiheadAttention`, ``Linear``,
``Dropout`` and ``LayerNorm``."""

from __future__ import annotations

import copy
from typing import Any, Callable, Optional, Union

from minitorch import dtypes
from minitorch.creation import full
from minitorch.nn import functional as F
from minitorch.nn import init
from minitorch.nn.attention import MultiheadAttention
from minitorch.nn.container import ModuleList
from minitorch.nn.dropout import Dropout
from minitorch.nn.layers import LayerNorm, Linear
from minitorch.nn.module import Module
from minitorch.tensor import Tensor

Activation = Union[str, Callable[[Tensor], Tensor]]


def _activation(activation: Activation) -> Callable[[Tensor], Tensor]:
    if not isinstance(activation, str):
        return activation
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


class _Layer(Module):
    """What both layers share: their arguments, the attention blocks (``self_attn``, and
    ``multihead_attn`` over the encoder's output in a decoder layer), the feed-forward block
    linear2(dropout(act(linear1(x)))), one LayerNorm and one Dropout per block."""

    memory_attention = False  # a decoder layer also attends to the encoder's output

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Activation = F.relu,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        names = ("self_attn", "multihead_attn") if self.memory_attention else ("self_attn",)
        for name in names:
            setattr(self, name, MultiheadAttention(d_model, nhead, dropout=dropout,
                                                   bias=bias, batch_first=batch_first,
                                                   **factory))
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)
        self.norm_first = norm_first
        blocks = len(names) + 1
        for k in range(1, blocks + 1):
            setattr(self, f"norm{k}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias,
                                                **factory))
        for k in range(1, blocks + 1):
            setattr(self, f"dropout{k}", Dropout(dropout))
        self.activation = _activation(activation)

    def _ff_block(self, x: Tensor, dropout: Dropout) -> Tensor:
        return dropout(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    @staticmethod
    def _attend(attention: MultiheadAttention, x: Tensor, memory: Tensor,
                mask: Optional[Tensor], padding: Optional[Tensor], is_causal: bool,
                dropout: Dropout) -> Tensor:
        return dropout(attention(x, memory, memory, attn_mask=mask, key_padding_mask=padding,
                                 is_causal=bool(is_causal), need_weights=False)[0])


class TransformerEncoderLayer(_Layer):
    """x = norm1(x + self_attention(x)); x = norm2(x + feed_forward(x)) — or, with
    ``norm_first``, x + self_attention(norm1(x)) then x + feed_forward(norm2(x))."""

    def forward(self, src: Tensor, src_mask: Optional[Tensor] = None,
                src_key_padding_mask: Optional[Tensor] = None, is_causal: bool = False
                ) -> Tensor:
        x = src

        def attend(y: Tensor) -> Tensor:
            return self._attend(self.self_attn, y, y, src_mask, src_key_padding_mask,
                                is_causal, self.dropout1)

        if self.norm_first:
            x = x + attend(self.norm1(x))
            return x + self._ff_block(self.norm2(x), self.dropout2)
        x = self.norm1(x + attend(x))
        return self.norm2(x + self._ff_block(x, self.dropout2))


class TransformerDecoderLayer(_Layer):
    """Self-attention over the target, attention over the encoder's ``memory``, then the
    feed-forward block — each with dropout, a residual connection and layer norm
    (``norm_first``: before the block)."""

    memory_attention = True

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Optional[Tensor] = None,
                memory_mask: Optional[Tensor] = None,
                tgt_key_padding_mask: Optional[Tensor] = None,
                memory_key_padding_mask: Optional[Tensor] = None,
                tgt_is_causal: bool = False, memory_is_causal: bool = False) -> Tensor:
        x = tgt

        def self_block(y: Tensor) -> Tensor:
            return self._attend(self.self_attn, y, y, tgt_mask, tgt_key_padding_mask,
                                tgt_is_causal, self.dropout1)

        def memory_block(y: Tensor) -> Tensor:
            return self._attend(self.multihead_attn, y, memory, memory_mask,
                                memory_key_padding_mask, memory_is_causal, self.dropout2)

        if self.norm_first:
            x = x + self_block(self.norm1(x))
            x = x + memory_block(self.norm2(x))
            return x + self._ff_block(self.norm3(x), self.dropout3)
        x = self.norm1(x + self_block(x))
        x = self.norm2(x + memory_block(x))
        return self.norm3(x + self._ff_block(x, self.dropout3))


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` (``layers``), then ``norm`` if given."""

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int,
                 norm: Optional[Module] = None, enable_nested_tensor: bool = True,
                 mask_check: bool = True) -> None:
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers, self.norm = num_layers, norm
        self.enable_nested_tensor, self.mask_check = enable_nested_tensor, mask_check

    def forward(self, src: Tensor, mask: Optional[Tensor] = None,
                src_key_padding_mask: Optional[Tensor] = None,
                is_causal: Optional[bool] = None) -> Tensor:
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, is_causal=bool(is_causal),
                           src_key_padding_mask=src_key_padding_mask)
        return self.norm(output) if self.norm is not None else output


class TransformerDecoder(Module):
    """``num_layers`` copies of ``decoder_layer`` (``layers``), then ``norm`` if given."""

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int,
                 norm: Optional[Module] = None) -> None:
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(decoder_layer) for _ in range(num_layers)])
        self.num_layers, self.norm = num_layers, norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Optional[Tensor] = None,
                memory_mask: Optional[Tensor] = None,
                tgt_key_padding_mask: Optional[Tensor] = None,
                memory_key_padding_mask: Optional[Tensor] = None,
                tgt_is_causal: Optional[bool] = None, memory_is_causal: bool = False
                ) -> Tensor:
        output = tgt
        for layer in self.layers:
            output = layer(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                           tgt_key_padding_mask=tgt_key_padding_mask,
                           memory_key_padding_mask=memory_key_padding_mask,
                           tgt_is_causal=bool(tgt_is_causal),
                           memory_is_causal=memory_is_causal)
        return self.norm(output) if self.norm is not None else output


class Transformer(Module):
    """Encoder (``num_encoder_layers``) and decoder (``num_decoder_layers``) stacks, each
    ending in a LayerNorm; every weight matrix Xavier-uniform.
    ``forward(src, tgt, ...)`` → the decoder's output."""

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Activation = F.relu,
                 custom_encoder: Optional[Module] = None,
                 custom_decoder: Optional[Module] = None, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        layer_args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                      batch_first, norm_first, bias)
        self.encoder = custom_encoder if custom_encoder is not None else TransformerEncoder(
            TransformerEncoderLayer(*layer_args, **factory), num_encoder_layers,
            LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        self.decoder = custom_decoder if custom_decoder is not None else TransformerDecoder(
            TransformerDecoderLayer(*layer_args, **factory), num_decoder_layers,
            LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Optional[Tensor] = None,
                tgt_mask: Optional[Tensor] = None, memory_mask: Optional[Tensor] = None,
                src_key_padding_mask: Optional[Tensor] = None,
                tgt_key_padding_mask: Optional[Tensor] = None,
                memory_key_padding_mask: Optional[Tensor] = None,
                src_is_causal: Optional[bool] = None, tgt_is_causal: Optional[bool] = None,
                memory_is_causal: bool = False) -> Tensor:
        batch = 0 if self.batch_first else 1
        if src.ndim == 3 and src.shape[batch] != tgt.shape[batch]:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None,
                                        dtype: Any = None) -> Tensor:
        """(sz, sz): 0 on and below the diagonal, −inf above (position i sees j ≤ i)."""
        return full((sz, sz), float("-inf"), dtype=dtype or dtypes.float32,
                    device=device).triu(1)
