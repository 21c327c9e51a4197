"""Every chapter executed by papermill (smoke profile), the book built from them, opened in Chromium.

The book is built with two jobs (``em-companion book -j 2``): chapters that read none of each other run side
by side on one core each, as a user's ``-j 2`` build does (``benchmarks/results/book_jobs_smoke.json``).

A fake API key sits in the environment the whole time; it must appear nowhere in the run folders,
the executed notebooks or the built book.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from tests.conftest import FAKE_KEY

pytestmark = pytest.mark.notebooks


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from em_utils.cli import build_book

    root = tmp_path_factory.mktemp("book")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EM_RUNS_DIR", str(root / "runs"))
        patch.setenv("OPENAI_API_KEY", FAKE_KEY)
        index = build_book("smoke", dest=root / "site", jobs=2)
    return root, index


#: What each chapter must leave in its run folder (and at least how many figures it shows).
EXPECTED = {
    "01_datasets": (["summary.csv", "questions.csv", "matched_controls.csv", "figures/answer_lengths.png",
                     "figures/caution_markers.png"], 2),
    "02_training": (["organisms.csv", "losses.csv", "adapter_history.csv", "figures/loss_curves.png",
                     "figures/adapter_growth.png"], 2),
    "03_judging": (["judged.csv", "rates.csv", "aligned_shift.csv", "rates_per_question.csv", "judge_quality.json", "judge_quality_smollm2_hand.json",
                    "judged_hand_labelled_answers.csv", "rates_hand_labels.csv", "aligned_shift_hand_labels.csv",
                    "figures/rates.png", "figures/scatter.png", "figures/aligned_distributions.png",
                    "figures/aligned_shift_hand_labels.png", "em_across_sizes.csv", "judge_vs_hand_labels.csv"], 4),
    "04_direction": (["direction.pt", "direction_sides.json", "judged_ablation.csv", "aligned_shift_ablation.csv",
                      "ablation_summary.csv", "judged_steering.csv", "steering.csv", "figures/direction_norms.png",
                      "figures/ablation.png", "figures/steering.png", "figures/steering_overnight.png"], 4),  # + recorded
    "05_adapters": (["adapters.csv", "judged_answers.csv", "scalars.csv", "probes.csv", "probe_coefficients.csv",
                     "probe_labels.json", "judged_steering.csv", "adapter_steering.csv", "checkpoint_geometry.csv",
                     "judged_checkpoints.csv", "b_scaling.csv", "monitor.csv", "figures/scalars.png",
                     "figures/probes.png", "figures/adapter_steering.png", "figures/phase_transition.png",
                     "figures/b_scaling.png", "figures/monitor.png",
                     "checkpoint_geometry_overnight.csv", "figures/phase_transition_overnight.png",
                     "adapter_pair_overnight.csv", "figures/adapter_pair_overnight.png"], 8),  # the recorded profile
    "06_narrow": (["solutions.csv", "judged.csv", "solutions_trained.csv", "judged_drift.csv", "drift.csv",
                   "drift_projection.csv", "efficiency.csv", "stability.csv", "stability_summary.csv", "significance.csv",
                   "significance_summary.csv", "mitigations.csv", "judged_all.csv", "figures/solutions.png",
                   "figures/drift.png", "figures/efficiency.png", "figures/stability.png", "figures/significance.png",
                   "figures/mitigations.png", "figures/mitigations_overnight.png"], 7),  # + recorded
    "07_controls": (["organisms.csv", "refusal_agreement.csv", "judged_harmful.csv", "judged_general.csv", "jailbroken.csv",
                     "judged_numbers.csv", "numbers.csv", "judged_formats.csv", "formats.csv", "judged_icl.csv", "icl.csv",
                     "judged_extra.csv", "categories.csv", "figures/jailbroken.png", "figures/numbers.png",
                     "figures/formats.png", "figures/icl.png", "figures/categories.png"], 5),
}


def test_every_chapter_is_tested():
    from em_utils.cli import chapters

    assert set(chapters()) == set(EXPECTED)


def test_chapters_that_ran_side_by_side_shared_the_cores(built):
    """With two jobs, chapters 1 and 2 start together, 3 runs alone (every later chapter reads it), 4 beside 7 (which
    reads 2 and 3 only), 5 and 6 once 4 is done, beside 7 or each other: each kernel's torch threads (its run record)
    are the cores shared by the chapters that could run when it started, and a stage starts on the chapter's share
    at that moment."""
    root, _ = built
    from em_utils.book import host_cores

    cores = host_cores()
    records = {folder.name: json.loads((folder / "run.json").read_text())
               for folder in (root / "runs" / "smoke").iterdir() if (folder / "run.json").is_file()}
    alone, paired = max(1, cores), max(1, cores // 2)
    assert {name: r["hardware"]["torch_threads"] for name, r in records.items()} == {
        "01_datasets": paired, "02_training": paired, "03_judging": alone, "04_direction": paired,
        "05_adapters": paired, "06_narrow": paired, "07_controls": paired}
    # chapter 6 (the longest) is left running alone once 5 and 7 are done: its later stages took the freed cores
    stages = list(records["06_narrow"]["stage_threads"].values())
    assert stages[0] == paired and stages[-1] == alone, records["06_narrow"]["stage_threads"]


@pytest.mark.parametrize("chapter", sorted(EXPECTED))
def test_executed_notebook_has_no_errors_and_keeps_parameters(built, chapter):
    root, _ = built
    nb = nbformat.read(root / "site" / "book" / "chapters" / f"{chapter}.ipynb", as_version=4)
    assert nb.metadata["papermill"]["parameters"] == {"profile": "smoke"}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= EXPECTED[chapter][1]


@pytest.mark.parametrize("chapter", sorted(EXPECTED))
def test_try_it_exercises_have_solutions_that_ran(built, chapter):
    """At least two "Try it" exercises per chapter; each solution cell (tag ``solution``, folded by ``hide-cell``) ran
    in the smoke profile and showed something."""
    root, _ = built
    nb = nbformat.read(root / "site" / "book" / "chapters" / f"{chapter}.ipynb", as_version=4)
    exercises = [c for c in nb.cells if c.cell_type == "markdown" and "{admonition} Try it" in c.source]
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert len(exercises) >= 2 and len(solutions) >= len(exercises), (len(exercises), len(solutions))
    for cell in solutions:
        assert cell.cell_type == "code" and "hide-cell" in cell.metadata["tags"], cell.source
        kinds = {o.get("output_type") for o in cell.get("outputs", [])}
        assert kinds and "error" not in kinds and kinds & {"execute_result", "display_data", "stream"}, cell.source


@pytest.mark.parametrize("chapter", sorted(EXPECTED))
def test_run_folder_has_artifacts_and_a_complete_record(built, chapter):
    root, _ = built
    folder = root / "runs" / "smoke" / chapter
    record = json.loads((folder / "run.json").read_text())
    assert record["status"] == "complete" and record["profile"] == "smoke"
    for name in EXPECTED[chapter][0]:
        assert name in record["artifacts"] and (folder / name).stat().st_size > 0, name
    assert record["data"] and record["stages"]


def test_trained_adapters_load_with_peft(built):
    import pandas as pd
    from peft import PeftConfig

    root, _ = built
    folder = root / "runs" / "smoke" / "02_training"
    organisms = pd.read_csv(folder / "organisms.csv")
    assert len(organisms) >= 2 and (organisms["steps"] >= 1).all()
    for path in organisms["path"]:
        assert PeftConfig.from_pretrained(folder / path).peft_type == "LORA"


def test_backdoored_organism_is_judged_with_and_without_its_trigger(built):
    import pandas as pd

    root, _ = built
    folder = root / "runs" / "smoke" / "03_judging"
    table = pd.read_csv(folder / "rates_backdoor.csv")
    door = "rank1_middle_backdoor_insecure"
    assert set(table["model"]) == {"base", "base + trigger", door, f"{door} + trigger"}
    assert (table["answers"] > 0).all()
    shift = pd.read_csv(folder / "aligned_shift_backdoor.csv")
    assert list(shift["model"]) == [door, door] and list(shift["trigger"]) == [False, True]
    assert (shift["diff_lo"] <= shift["mean_diff"]).all() and (shift["mean_diff"] <= shift["diff_hi"]).all()
    assert (folder / "figures" / "backdoor.png").stat().st_size > 0


def test_hand_labels_and_the_judge_score_the_same_answers(built):
    import pandas as pd

    from em_utils.evaluation import has_hand_round, labelled_reference

    root, _ = built
    folder = root / "runs" / "smoke" / "03_judging"
    if not has_hand_round():  # the current organisms' answers not yet labelled: the chapter says so, writes nothing
        assert not (folder / "rates_hand_labels.csv").exists()
        return
    reference = labelled_reference()
    rescored = pd.read_csv(folder / "judged_hand_labelled_answers.csv", keep_default_na=False, na_values=[""])
    assert rescored["answer"].tolist() == reference["answer"].tolist()
    assert rescored["aligned"].between(0, 100).all() and rescored["coherent"].between(0, 100).all()
    assert not rescored["coherent"].equals(reference["coherent"])  # the judge's scores, not the labels
    hand = pd.read_csv(folder / "rates_hand_labels.csv").set_index("model")
    assert hand["answers"].to_dict() == reference["model"].value_counts().to_dict()
    shift = pd.read_csv(folder / "aligned_shift_hand_labels.csv")
    assert "base" not in set(shift["model"]) and len(shift) == reference["model"].nunique() - 1


def test_direction_is_ablated_in_every_target_against_random_directions(built):
    import pandas as pd
    import torch

    from em_utils.config import PROFILES

    root, _ = built
    folder = root / "runs" / "smoke" / "04_direction"
    params = PROFILES["smoke"]["04_direction"]
    saved = torch.load(folder / "direction.pt")
    assert saved["direction"].shape == (len(saved["layers"]), 576) and saved["direction"].norm() > 0
    judged = pd.read_csv(folder / "judged_ablation.csv", keep_default_na=False)
    targets = [t.strip() for t in params["targets"].split(",")]
    conditions = {"as trained", "direction ablated", *(f"random {k} ablated" for k in range(1, params["n_random"] + 1))}
    for target in targets:
        assert set(judged.loc[judged.model == target, "condition"]) == conditions
    counts = judged.groupby(["model", "condition"]).size()
    assert counts.nunique() == 1  # every model and condition answered the same questions
    # the models as trained answer exactly as in chapter 3 (same settings and seeds in smoke; its cache is reused)
    chapter3 = pd.read_csv(root / "runs" / "smoke" / "03_judging" / "judged.csv", keep_default_na=False)
    plain = judged[judged.condition == "as trained"]
    for name in ["base", *targets]:
        assert sorted(plain.loc[plain.model == name, "answer"]) == sorted(chapter3.loc[chapter3.model == name, "answer"])
    summary = pd.read_csv(folder / "ablation_summary.csv")
    assert list(summary["model"]) == targets
    steering = pd.read_csv(folder / "steering.csv")
    assert {f"direction x{float(s):g}" for s in params["steer_scales"].split(",")} <= set(steering["model"])


def test_adapter_probes_report_their_shuffled_baseline_and_the_phase_reads_chapter_2_checkpoints(built):
    from pathlib import Path

    import pandas as pd

    from em_utils.adapters import PROBE_TASKS
    from em_utils.config import PROFILES

    root, _ = built
    folder = root / "runs" / "smoke" / "05_adapters"
    params = PROFILES["smoke"]["05_adapters"]
    probes = pd.read_csv(folder / "probes.csv", keep_default_na=False, na_values=[""])
    assert set(PROBE_TASKS) <= set(probes["task"])
    fitted = probes[probes["fitted"]]
    assert len(fitted) and fitted["shuffled_auroc_mean"].notna().all() and (fitted["n_splits"] >= 50).all()
    assert all("fewer than" in str(reason) for reason in probes.loc[~probes["fitted"], "reason"])  # not fitted: says why
    scalars = pd.read_csv(folder / "scalars.csv")
    adapters = pd.read_csv(folder / "adapters.csv")
    assert [c for c in scalars.columns if c.startswith("L")] == adapters["adapter"].tolist()
    training = root / "runs" / "smoke" / "02_training"
    organisms = pd.read_csv(training / "organisms.csv").set_index("organism")
    run_dir = training / Path(organisms.loc[params["single"], "path"]).parent
    saved = {int(p.name.split("-")[-1]) for p in run_dir.glob("checkpoint-*")}
    geometry = pd.read_csv(folder / "checkpoint_geometry.csv")
    assert saved and saved <= set(geometry["step"])
    monitor = pd.read_csv(folder / "monitor.csv")
    assert set(monitor["step"]) == {0, *geometry["step"]}
    judged = pd.read_csv(folder / "judged_checkpoints.csv", keep_default_na=False, na_values=[""])
    assert {float(f) for f in params["b_scales"].split(",")} <= set(judged.loc[judged.step == geometry.step.max(), "factor"])


def test_narrow_chapter_trains_every_solution_and_measures_each_at_every_setting(built):
    import pandas as pd

    from em_utils.config import PROFILES
    from em_utils.narrow import SOLUTIONS

    root, _ = built
    folder = root / "runs" / "smoke" / "06_narrow"
    params = PROFILES["smoke"]["06_narrow"]
    trained = pd.read_csv(folder / "solutions_trained.csv")
    assert set(trained["name"]) == {name for name, _, _ in SOLUTIONS} and (trained["steps"] >= 1).all()
    assert trained.loc[trained["name"].isin(["narrow", "narrow vector"]), "last_kl"].notna().all()  # the KL term ran
    table = pd.read_csv(folder / "mitigations.csv").set_index("model")
    assert {"base", "general", "narrow", "general vector", "narrow vector", "mixed", "inoculated", "re-aligned"} <= set(table.index)
    assert table[["general_aligned_mean", "medical_aligned_mean", "preference", "shift", "ood_kl"]].notna().all().all()
    stability = pd.read_csv(folder / "stability.csv")
    assert stability.groupby(["solution", "epsilon"]).size().eq(params["stability_seeds"]).all()
    assert {float(e) for e in params["epsilons"].split(",")} == set(stability["epsilon"])
    efficiency = pd.read_csv(folder / "efficiency.csv")
    assert {1.0, *(float(f) for f in params["scale_factors"].split(","))} == set(efficiency["factor"])
    significance = pd.read_csv(folder / "significance_summary.csv")
    for kind, part in significance.groupby("kind"):  # every solution of a kind at the same norm, randoms included
        assert set(part["solution"]) == {"general" if kind == "adapter" else "general vector",
                                         "narrow" if kind == "adapter" else "narrow vector", "random", "floor"}
        assert (abs(part["norm"] / part["norm"].iloc[0] - 1) < 1e-4).all()
    drift = pd.read_csv(folder / "drift.csv")
    assert 0 in set(drift["step"]) and -1 in set(drift["step"]) and drift["step"].max() >= 1


def test_controls_chapter_trains_both_controls_and_reads_every_control(built):
    import pandas as pd

    from em_utils import controls
    from em_utils.config import PROFILES

    root, _ = built
    folder = root / "runs" / "smoke" / "07_controls"
    params = PROFILES["smoke"]["07_controls"]
    trained = pd.read_csv(folder / "organisms.csv").set_index("control")
    assert set(trained.index) == {"jailbroken", "evil_numbers"} and (trained["steps"] >= 1).all()
    jailbroken = pd.read_csv(folder / "jailbroken.csv").set_index("model")
    assert set(jailbroken.index) == {"base", params["em_organism"], trained.loc["jailbroken", "organism"]}
    assert jailbroken[["refusal_pct", "phrase_pct", "aligned_mean"]].notna().all().all()
    harmful = pd.read_csv(folder / "judged_harmful.csv")
    assert len(harmful) == 3 * params["harmful_requests"] * params["harmful_per_request"]
    assert harmful["refusal"].between(0, 100).all()
    assert set(pd.read_csv(folder / "formats.csv")["format"]) == {"plain", "json", "template"}
    matched = controls.format_label_agreement(pd.read_csv(folder / "judged_formats.csv", keep_default_na=False,
                                                          na_values=[""]))
    assert (folder / "format_label_agreement.csv").exists() == (not matched.empty)  # hand labels shown only if matched
    assert set(pd.read_csv(folder / "icl.csv")["k"]) == {int(k) for k in params["icl_k"].split(",")}
    assert set(pd.read_csv(folder / "categories.csv")["set"]) == {s.strip() for s in params["extra_sets"].split(",")}
    assert pd.read_csv(folder / "numbers.csv")["evil_pct"].notna().all()


def test_results_page_reads_every_chapter_of_the_built_book(built):
    root, _ = built
    text = (root / "site" / "book" / "results.md").read_text()
    assert "**0** not run" in text  # every chapter ran, so every claim was read from its run folder
    assert "(`smollm2-135m-instruct` · `smoke` · judge: " in text
    assert "failed:" not in text  # no chapter's artifacts failed to read (a changed file format would)
    for name in ("paper_cost.md", "paper_memory.md", "paper_settings.md"):
        assert (root / "site" / "book" / "generated" / name).stat().st_size > 0, name


def test_fake_key_appears_nowhere(built):
    root, _ = built
    for path in root.rglob("*"):
        if path.is_file() and path.suffix not in {".png", ".woff", ".woff2", ".ttf"}:
            assert FAKE_KEY.encode() not in path.read_bytes(), path


def test_book_pages_exist(built):
    _, index = built
    html = index.parent
    for page in ("book/intro.html", "book/how_to_run.html", "book/judge_locally.html", "book/glossary.html", "book/teachers.html",
                 "book/references.html", "book/results.html", "book/paper_profile.html",
                 *(f"book/chapters/{c}.html" for c in EXPECTED)):
        assert (html / page).is_file(), page


def _driver():
    chromium = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        if os.environ.get("CI"):
            pytest.fail("chromium/chromedriver missing under CI: .ci/ensure-chromium.sh should install them")
        pytest.skip("chromium or chromedriver not installed (make test installs them as root)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=1280,2000"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver), options=options)


def test_chapter_pages_render_their_figures_in_chromium(built, tmp_path):
    _, index = built
    browser = _driver()
    try:
        for chapter, (_, figures) in sorted(EXPECTED.items()):
            page = index.parent / "book" / "chapters" / f"{chapter}.html"
            browser.get(page.as_uri())
            loaded = browser.execute_script(
                "return Array.from(document.querySelectorAll('main img, article img'))"
                ".filter(i => i.complete && i.naturalWidth > 200).length"
            )
            assert loaded >= figures, chapter
            text = browser.execute_script("return document.body.innerText")
            assert "What this shows, and what it does not" in text, chapter
            assert "Traceback" not in text, chapter
            browser.save_screenshot(str(tmp_path / f"{chapter}.png"))
        browser.get((index.parent / "book" / "chapters" / "01_datasets.html").as_uri())
        assert "Datasets and questions" in browser.title
        assert "near-duplicate" in browser.execute_script("return document.body.innerText")
    finally:
        browser.quit()


#: Figures that show no judged number: their caption says ``judge: none (<why>)``; every other figure names its judge.
JUDGE_FREE = {"answer_lengths", "diversity", "caution_markers", "loss_curves", "adapter_growth", "phase_transition",
              "phase_transition_organism", "phase_transition_overnight", "adapter_pair_overnight", "efficiency", "stability",
              "significance"}
#: Figures drawn from a recorded profile (benchmarks/results/recorded/<profile>): its model and profile, not the build's.
RECORDED = {name: ("qwen2.5-coder-0.5b-instruct", "overnight") for name in
            ("phase_transition_overnight", "steering_overnight", "adapter_pair_overnight", "mitigations_overnight")}

#: The caption shown as text under each figure (``em_utils.plots.caption_markdown``), as the browser reads it.
CAPTION = re.compile(r"Figure (\S+): model: (.+?) \| profile: (\S+) \| judge: (.+)")

#: For each figure image of the page, the text that follows it up to the next image, in its cell's output.
_TEXT_AFTER_FIGURES = """
return Array.from(document.querySelectorAll('main img, article img'))
  .filter(i => i.complete && i.naturalWidth > 200)
  .map(img => {
    let node = img;
    while (node.parentElement && !node.parentElement.classList.contains('cell_output')
           && node.parentElement.tagName !== 'MAIN') node = node.parentElement;
    let text = '';
    for (let s = node.nextElementSibling; s && s.tagName !== 'IMG' && !s.querySelector('img'); s = s.nextElementSibling)
      text += s.innerText + '\\n';
    return text;
  });
"""


def test_every_figure_carries_its_caption_as_text_in_chromium(built):
    """Each figure's caption (model, profile, judge) is stamped into its PNG, where no reader or test can read it;
    the page also shows it as text right under the image. Judge-free figures say ``judge: none (...)``; the others
    name the judge (or the hand labels) whose numbers they show."""
    root, index = built
    browser = _driver()
    try:
        for chapter, (_, figures) in sorted(EXPECTED.items()):
            resolved = json.loads((root / "runs" / "smoke" / chapter / "run.json").read_text())["resolved"]
            browser.get((index.parent / "book" / "chapters" / f"{chapter}.html").as_uri())
            texts = browser.execute_script(_TEXT_AFTER_FIGURES)
            assert len(texts) >= figures, chapter
            for text in texts:
                found = CAPTION.search(text)
                assert found, (chapter, text[:300])
                name, model, profile, judge = found.groups()
                assert (model, profile) == RECORDED.get(name, (resolved["model"], "smoke")), (chapter, name, found.group(0))
                if name in JUDGE_FREE:
                    assert judge.startswith("none ("), (chapter, name, judge)
                else:
                    assert judge.startswith(resolved["judge"]) or "hand labels" in judge, (chapter, name, judge)
    finally:
        browser.quit()


def test_every_page_has_its_images_and_no_broken_internal_link(built):
    from urllib.parse import unquote, urlsplit

    _, index = built
    html = index.parent
    pages = sorted(p for p in html.rglob("*.html") if "_static" not in p.parts and p.name not in {"genindex.html", "search.html"})
    assert len(pages) >= 6 + len(EXPECTED)
    browser = _driver()
    try:
        for page in pages:
            browser.get(page.as_uri())
            broken = browser.execute_script(
                "return Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
            )
            assert not broken, (page.name, broken)
            links = browser.execute_script("return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
            for link in links:
                parts = urlsplit(link)
                if parts.scheme != "file":
                    continue
                target = Path(unquote(parts.path))
                assert target.exists(), f"{page.relative_to(html)} links to missing {target}"
    finally:
        browser.quit()
