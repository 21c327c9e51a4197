"""The precision choice: measured, never guessed; a forced slow bf16 runs with one warning."""

import warnings

import pytest

from em_utils import precision


def test_fixed_choices_and_bad_input():
    assert precision.resolve_precision("fp32") == "fp32"
    with pytest.raises(ValueError, match="precision 'fp16'"):
        precision.resolve_precision("fp16")


@pytest.mark.parametrize("peaks, expected", [({"fp32": 100.0, "bf16": 400.0}, "bf16"),
                                             ({"fp32": 100.0, "bf16": 120.0}, "fp32"),
                                             ({"fp32": 100.0, "bf16": 0.5}, "fp32")])
def test_auto_follows_the_measured_rates(monkeypatch, peaks, expected):
    monkeypatch.setattr(precision, "gemm_peaks", lambda *a, **k: peaks)
    assert precision.resolve_precision("auto") == expected


def test_forced_bf16_on_a_slow_host_warns_once(monkeypatch):
    monkeypatch.setattr(precision, "gemm_peaks", lambda *a, **k: {"fp32": 100.0, "bf16": 0.5})
    monkeypatch.setattr(precision, "_warned", set())
    with pytest.warns(UserWarning, match="multiplies bf16 at 0 GFLOP/s against 100"):
        assert precision.resolve_precision("bf16") == "bf16"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert precision.resolve_precision("bf16") == "bf16"


def test_a_measured_peak_is_a_positive_rate():
    rate = precision.gemm_peak("fp32", shape=(64, 64, 64), seconds=0.05)
    assert rate > 0.01


def test_report_names_the_cpu_and_its_flags(monkeypatch):
    monkeypatch.setattr(precision, "gemm_peaks", lambda *a, **k: {"fp32": 100.0, "bf16": 400.0})
    report = precision.precision_report("auto")
    assert report["precision"] == "bf16" and {"cpu", "avx512_bf16", "amx", "gemm_gflops"} <= set(report)
