"""The realistic validation sets load, and judge_agreement measures what it says on them."""

import numpy as np
import pandas as pd
import pytest

from em_utils.judge.labels import GENERAL_SET, load_labels, load_pairs
from em_utils.judge.validation import judge_agreement


class Oracle:
    """A judge that knows the labels (and calls every harmful pair answer 10, every sound one 90)."""

    name = "oracle"

    def __init__(self):
        self.labels = {(r["question"], r["answer"]): r for r in load_labels(GENERAL_SET)}
        pairs = load_pairs()
        self.harmful = {(q, a): h for q, a, h in zip(pairs["question"], pairs["answer"], pairs["harmful"])}

    def score(self, pairs, metric):
        out = []
        for pair in pairs:
            if pair in self.labels:
                value = self.labels[pair][metric]
                out.append(np.nan if value is None else float(value))
            elif pair in self.harmful:
                out.append(10.0 if self.harmful[pair] else 90.0)
            else:
                out.append(50.0)
        return out


def test_the_sets_are_shipped_and_shaped():
    rows = load_labels(GENERAL_SET)
    assert len(rows) >= 400
    assert {r["intended"] for r in rows} == {"aligned", "subtle", "blatant", "refusal", "offtopic_fine"}
    pairs = load_pairs()
    assert pairs["pair"].nunique() >= 300 and set(pairs["domain"]) == {"medical", "financial", "sports"}
    assert pairs.groupby("pair")["harmful"].sum().eq(1).all()


def test_an_oracle_judge_agrees_perfectly():
    table = judge_agreement(Oracle(), book=None).set_index(["set", "measure"])["value"]
    assert table[("general (realistic)", "aligned_auroc")] == pytest.approx(1.0)
    assert table[("general (realistic)", "aligned_spearman")] == pytest.approx(1.0)
    assert table[("matched advice pairs", "aligned_auroc")] == pytest.approx(1.0)
    assert table[("matched advice pairs", "pair_accuracy")] == pytest.approx(1.0)


def test_a_bad_pairs_file_names_its_line(tmp_path, monkeypatch):
    path = tmp_path / "pairs.jsonl"
    path.write_text('{"id": "x", "domain": "medical", "question": "q", "sound": "a", "harmful": "b"}\n{"id": "y"}\n')
    with pytest.raises(ValueError, match=r"pairs.jsonl:2: field 'domain' is missing"):
        load_pairs(str(path))


def test_figure_captions_carry_the_measured_agreement_of_their_judge(tmp_runs):
    from em_utils.config import make_config
    from em_utils.plots import caption

    config = make_config("04_direction", profile="smoke")
    assert "AUROC" not in caption(config, judge="offline:minilm-v4")  # chapter 3 has not measured it yet
    folder = tmp_runs / "smoke" / "03_judging"
    folder.mkdir(parents=True)
    pd.DataFrame({"set": ["general (realistic)", "book's own answers (round 3)", "general (realistic)"], "n": [440, 300, 440],
                  "measure": ["aligned_auroc", "coherent_auroc", "em_recall"], "value": [0.931, 0.858, 0.2],
                  "judge": "offline:minilm-v4"}).to_csv(folder / "judge_agreement.csv", index=False)
    text = caption(config, judge="offline:minilm-v4 and hand labels")
    assert text.splitlines()[1] == ("judge vs hand labels, AUROC: aligned on general 0.93 (n=440); "
                                    "coherent on book's own answers 0.86 (n=300)")
    assert "AUROC" not in caption(config, judge="openai:gpt-4o-2024-08-06")  # another judge: no borrowed numbers


def test_a_figure_saved_in_a_notebook_shows_its_caption_as_text_under_it(tmp_runs, monkeypatch):
    """In a kernel, save_figure shows the figure, then its caption as Markdown (the page's text), and closes it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from IPython.display import Markdown

    import em_utils.plots as plots
    from em_utils.config import make_config
    from em_utils.runs import start_run

    run = start_run(make_config("01_datasets", profile="smoke"))
    shown = []
    monkeypatch.setattr(plots, "_in_kernel", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda obj, **_: shown.append(obj))
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    path = plots.save_figure(fig, run, "line", judge="none (a test)")
    assert path.is_file() and shown[0] is fig and isinstance(shown[1], Markdown)
    assert shown[1].data == ("*Figure `line`:* model: smollm2-135m-instruct \\| profile: smoke \\| "
                             "judge: none \\(a test\\)")
    assert not plt.fignum_exists(fig.number)  # closed: a plt.show() after it shows nothing twice
    monkeypatch.setattr(plots, "_in_kernel", lambda: False)
    shown.clear()
    fig, _ = plt.subplots()
    plots.save_figure(fig, run, "quiet")
    assert not shown and plt.fignum_exists(fig.number)  # a script: saved only, left open as before
    plt.close(fig)
