"""docs/COVERAGE.md is the table ``python -m minitorch.coverage`` makes now (not a stale one),
and the table itself tells the truth about a few names."""

from __future__ import annotations

from minitorch import coverage


def test_committed_coverage_table_is_current() -> None:
    assert coverage.main(["--check"]) == 0, \
        "docs/COVERAGE.md is stale: run python -m minitorch.coverage and commit it"


def test_table_marks_present_and_missing_names() -> None:
    _, sections = coverage.collect()
    tensor = dict(sections["torch.Tensor"]["methods and attributes"])
    torch_fns = dict(sections["torch"]["functions"])
    assert tensor["mm"] and tensor["norm"] and tensor["type"] and tensor["topk"]
    assert torch_fns["bmm"] and torch_fns["einsum"] and torch_fns["set_printoptions"]
    assert tensor["half"] and not tensor["bfloat16"]  # bfloat16 is not one of minitorch's dtypes
    assert sum(ok for _, ok in tensor.items()) < len(tensor)  # the table shows gaps too
