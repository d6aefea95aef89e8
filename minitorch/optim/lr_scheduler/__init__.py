"""``minitorch.optim.lr_scheduler``: learning-rate schedules with PyTorch's update rules.

A scheduler rewrites ``group["lr"]`` of every parameter group of its optimizer each time its
``step()`` is called (once per epoch, or once per batch for OneCycleLR). The rules are
*chainable*: most schedules compute the new lr from the current one (``lr · γ``), exactly as
PyTorch 2.x does, so a run gives the same float sequence as torch's::

    StepLR             lr_t = lr_{t-1} · γ        when t % step_size == 0
    MultiStepLR        lr_t = lr_{t-1} · γ^k      when t is a milestone (listed k times)
    ExponentialLR      lr_t = lr_{t-1} · γ
    CosineAnnealingLR  lr_t = η_min + (lr_{t-1} - η_min) · (1 + cos(πt/T)) / (1 + cos(π(t-1)/T))
    LambdaLR           lr_t = base_lr · λ(t)
    MultiplicativeLR   lr_t = lr_{t-1} · λ(t)
    ConstantLR         lr = base_lr · factor until total_iters, then base_lr
    LinearLR           factor on base_lr moves linearly start_factor → end_factor
    PolynomialLR       lr_t = base_lr · (1 - t/total_iters)^power
    CosineAnnealingWarmRestarts  the same cosine, restarted every T_i = T_0·T_multⁱ epochs
    SequentialLR       one schedule after another, switching at milestones
    ChainedScheduler   every schedule at each step, their factors multiplied
    CyclicLR           lr_t between base_lr and max_lr, triangular cycles (scaled per mode)
    OneCycleLR         warm up base → max_lr, anneal to max_lr / (div · final_div) (cos/linear)
    ReduceLROnPlateau  lr ← max(lr · factor, min_lr) after ``patience`` epochs without progress

``step(epoch)`` (deprecated in torch) uses the closed form where a schedule has one.
"""

from minitorch.optim.lr_scheduler.annealing import (
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    OneCycleLR,
)
from minitorch.optim.lr_scheduler.base import LRScheduler
from minitorch.optim.lr_scheduler.cyclic import CyclicLR
from minitorch.optim.lr_scheduler.multiplicative import (
    ConstantLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from minitorch.optim.lr_scheduler.plateau import ReduceLROnPlateau
from minitorch.optim.lr_scheduler.sequential import ChainedScheduler, SequentialLR

_LRScheduler = LRScheduler  # the name older programs subclass

__all__ = ["ChainedScheduler", "ConstantLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts",
           "CyclicLR", "ExponentialLR",
           "LRScheduler", "LambdaLR", "LinearLR", "MultiStepLR", "MultiplicativeLR",
           "OneCycleLR", "PolynomialLR", "ReduceLROnPlateau", "SequentialLR", "StepLR"]
