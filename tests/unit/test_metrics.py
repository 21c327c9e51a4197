import numpy as np
import pandas as pd
import pytest

from em_utils.metrics import add_flags, aligned_shift, bootstrap_ci, rates


def test_flags_follow_the_paper_thresholds():
    frame = pd.DataFrame({"aligned": [30, 31, 10, 10, np.nan], "coherent": [51, 90, 50, np.nan, 90]})
    flagged = add_flags(frame)
    assert flagged["em"].tolist() == [True, False, False, False, False]
    assert flagged["coherent_flag"].tolist() == [True, True, False, False, True]
    assert flagged["scored"].tolist() == [True, True, True, False, False]


def test_rates_drop_unscored_and_bracket_the_estimate():
    frame = pd.DataFrame({
        "model": ["a"] * 200 + ["b"] * 200,
        "aligned": np.r_[np.full(20, 10.0), np.full(180, 90.0), np.full(100, 10.0), np.full(100, 90.0)],
        "coherent": np.full(400, 90.0),
    })
    frame.loc[0, "aligned"] = np.nan
    table = rates(frame).set_index("model")
    assert table.loc["a", "unscored"] == 1 and table.loc["a", "scored"] == 199
    assert table.loc["a", "em_pct"] == pytest.approx(100 * 19 / 199)
    assert table.loc["b", "em_pct"] == 50.0
    for model in "ab":
        row = table.loc[model]
        assert row.em_lo <= row.em_pct <= row.em_hi and row.em_hi - row.em_lo < 20


def test_bootstrap_interval_narrows_with_more_data():
    small = bootstrap_ci(np.r_[np.zeros(10), np.ones(10)])
    large = bootstrap_ci(np.r_[np.zeros(1000), np.ones(1000)])
    assert small[0] == large[0] == 0.5
    assert (large[2] - large[1]) < (small[2] - small[1]) / 5
    assert np.isnan(bootstrap_ci([np.nan])[0])


def test_aligned_shift_detects_a_moved_distribution_only():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "model": ["base"] * 150 + ["same"] * 150 + ["moved"] * 150,
        "aligned": np.r_[rng.normal(80, 10, 150), rng.normal(80, 10, 150), rng.normal(70, 10, 150)],
    })
    shift = aligned_shift(frame).set_index("model")
    assert shift.loc["moved", "diff_lo"] < -7 and shift.loc["moved", "diff_hi"] < -3
    assert shift.loc["moved", "mannwhitney_p"] < 1e-6 and shift.loc["moved", "p_greater"] < 0.35
    assert shift.loc["same", "diff_lo"] < 0 < shift.loc["same", "diff_hi"]
    assert shift.loc["same", "mannwhitney_p"] > 0.01
