"""The benchmark's target list (``benchmarks/report.py``) on hand-made reports: which rows
become targets, their limits and PASS / MISS / N/A — no timing runs here."""

from __future__ import annotations

from benchmarks import report as rep


def _row(name, group, batch, ratio, pct=None):
    numba = {"ratio_to_ref": ratio}
    if pct is not None:
        numba["pct_peak"] = pct
    return {"name": name, "group": group, "batch": batch, "engines": {"numba": numba,
                                                                       "torch": {}}}


def _report(results, startup=None, load=0.5):
    return {"results": results, "settings": {"batch": 64}, "memory": None,
            "startup": startup, "machine": {"gpu": {}, "load_average": load}}


def test_every_row_at_the_target_batch_and_model_batches_is_a_target():
    results = [_row("conv1 3->32@32 fwd", "kernel", 64, 0.8),
               _row("conv1 3->32@32 fwd f64", "kernel", 64, 1.2),
               _row("relu fwd", "kernel", 8, 0.5),               # not the target batch
               _row("cnn train step", "model", 64, 0.9, pct=72.0),
               _row("cnn train step", "model", 1, 1.4),
               _row("cnn train step f64", "model", 256, 0.95)]
    got = {t.name: t for t in rep.targets(_report(results))}
    assert got["conv1 3->32@32 fwd b64, numba/torch"].status == "PASS"
    assert got["conv1 3->32@32 fwd f64 b64, numba/torch"].status == "MISS"
    assert not any(name.startswith("relu") for name in got)
    assert got["cnn train step b1, numba/torch"].status == "MISS"
    assert got["cnn train step f64 b256, numba/torch"].status == "PASS"
    assert got["cnn train step b64, numba/torch"].limit == "<= 1"
    share = got["float32 cnn train step, % of sgemm peak"]
    assert (share.value, share.limit, share.status) == (72.0, ">= 70", "PASS")


def test_start_up_targets_and_unmeasured_ones():
    startup = {"numba": {"cold_s": 12.0, "warm_s": 0.8}}
    got = {t.name: t for t in rep.targets(_report([], startup, load=3.5))}
    cold = got["cold start (empty Numba cache) [s]"]
    assert (cold.limit, cold.status) == ("<= 10", "MISS") and "load average 3.5" in cold.note
    assert got["warm start to first finished step [s]"].status == "PASS"
    assert got["float32 cnn train step, % of sgemm peak"].status == "N/A"
    none = {t.name: t for t in rep.targets(_report([]))}
    assert none["cold start (empty Numba cache) [s]"].status == "N/A"
