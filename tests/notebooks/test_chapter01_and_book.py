"""Chapter 1 executed by papermill (smoke profile), the book built from it and opened in Chromium.

A fake API key sits in the environment the whole time; it must appear nowhere in the run folder,
the executed notebook or the built book.
"""

from __future__ import annotations

import json
import os
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
    saved = {k: os.environ.get(k) for k in ("EM_RUNS_DIR", "OPENAI_API_KEY")}
    os.environ["EM_RUNS_DIR"] = str(root / "runs")
    os.environ["OPENAI_API_KEY"] = FAKE_KEY
    try:
        index = build_book("smoke", dest=root / "site", only=["01_datasets"])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return root, index


def test_executed_notebook_has_no_errors_and_keeps_parameters(built):
    root, _ = built
    nb = nbformat.read(root / "site" / "book" / "chapters" / "01_datasets.ipynb", as_version=4)
    assert nb.metadata["papermill"]["parameters"] == {"profile": "smoke"}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= 2


def test_run_folder_has_artifacts_and_a_complete_record(built):
    root, _ = built
    folder = root / "runs" / "smoke" / "01_datasets"
    record = json.loads((folder / "run.json").read_text())
    assert record["status"] == "complete" and record["profile"] == "smoke"
    for name in ("summary.csv", "questions.csv", "matched_controls.csv", "figures/answer_lengths.png",
                 "figures/caution_markers.png"):
        assert name in record["artifacts"] and (folder / name).stat().st_size > 0
    assert any(k.endswith("bad_medical_advice.jsonl") for k in record["data"])
    assert {"load", "statistics", "questions"} <= set(record["stages"])


def test_fake_key_appears_nowhere(built):
    root, _ = built
    for path in root.rglob("*"):
        if path.is_file() and path.suffix not in {".png", ".woff", ".woff2", ".ttf"}:
            assert FAKE_KEY.encode() not in path.read_bytes(), path


def test_book_pages_exist(built):
    _, index = built
    html = index.parent
    for page in ("book/intro.html", "book/how_to_run.html", "book/glossary.html", "book/references.html",
                 "book/chapters/01_datasets.html"):
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


def test_chapter_page_renders_its_figures_in_chromium(built, tmp_path):
    _, index = built
    page = index.parent / "book" / "chapters" / "01_datasets.html"
    browser = _driver()
    try:
        browser.get(page.as_uri())
        assert "Datasets and questions" in browser.title
        loaded = browser.execute_script(
            "return Array.from(document.querySelectorAll('main img, article img'))"
            ".filter(i => i.complete && i.naturalWidth > 200).length"
        )
        assert loaded >= 2
        text = browser.execute_script("return document.body.innerText")
        assert "model: smollm2-135m-instruct" not in text  # the caption is inside the PNG, not page text
        assert "near-duplicate" in text and "What this shows, and what it does not" in text
        browser.save_screenshot(str(tmp_path / "chapter01.png"))
    finally:
        browser.quit()
