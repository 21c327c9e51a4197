"""The time per chapter that the README and the teachers' page state, written from the recorded book timings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from em_utils import book_times

ROOT = Path(__file__).resolve().parents[2]


def _record(root: Path, profile: str, chapters: dict[str, float], **extra) -> None:
    folder = root / "benchmarks" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{"chapter": c, "wall_s": s, "stages_s": {"load": 0.2, "train": s * 0.6, "sample": s * 0.3},
             "commit": "0123456789abcdef"} for c, s in chapters.items()]
    record = {"name": f"book_{profile}", "value": round(sum(chapters.values()) / 60, 2), "date": "2026-12-02",
              "machine": "x86_64 2 cores Test CPU", "cpu_flags": ["avx512f"], "chapters": rows, **extra}
    (folder / f"book_{profile}.json").write_text(json.dumps(record))


def test_the_table_is_computed_from_the_records_with_host_date_and_commit(tmp_path):
    _record(tmp_path, "demo", {"01_datasets": 9.0, "02_training": 1226.5}, baseline_value=60.0, note="fresh clone")
    text = book_times.times_markdown(root=tmp_path)
    assert "- `demo`: **20 min 36 s** of chapters in all (budget 60 min), measured 2026-12-02 on x86_64 2 cores " \
           "Test CPU (CPU flags avx512f) at commit `0123456` (`benchmarks/results/book_demo.json`: fresh clone)." in text
    assert "- `quick`: no timing recorded" in text  # a profile without a record says so, no column of blanks
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0] == "| chapter | `demo` | `demo`: its longest stages |"
    assert rows[1] == "| 1 datasets | 9 s | train 5 s, sample 3 s |"  # no notebook here: the id names the chapter
    assert rows[2] == "| 2 training | 20 min 26 s | train 12 min 16 s, sample 6 min 08 s |"
    assert rows[3] == "| **all chapters** | **20 min 36 s** |  |"


def test_a_chapter_one_record_lacks_reads_not_recorded_and_no_record_at_all_says_so(tmp_path):
    assert book_times.times_markdown(root=tmp_path).startswith("No book timing is recorded yet")
    _record(tmp_path, "quick", {"01_datasets": 5.5})
    _record(tmp_path, "demo", {"01_datasets": 9.0, "07_controls": 295.8})
    table = book_times.times_table({p: book_times.load_book_time(p, tmp_path) for p in book_times.PROFILES},
                                   root=tmp_path)
    assert "| 7 controls | not recorded |  | 4 min 56 s |" in table


def test_chapter_names_come_from_the_notebooks_titles():
    assert book_times.chapter_name("03_judging") == "3 Sampling and judging"
    assert book_times.chapter_name("07_controls") == "7 Controls"


def test_the_readme_time_table_is_the_one_the_records_give():
    text = (ROOT / "README.md").read_text()
    assert book_times.readme_block() in text, (
        "README.md's time table is stale: run `python -m em_utils.book_times --readme`")


def test_update_readme_rewrites_only_between_its_markers(tmp_path):
    _record(tmp_path, "demo", {"01_datasets": 9.0})
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n\n{book_times.README_START}\nold | 13 s\n{book_times.README_END}\n\nafter\n")
    assert book_times.update_readme(readme, root=tmp_path) and not book_times.update_readme(readme, root=tmp_path)
    text = readme.read_text()
    assert text.startswith("before\n\n") and text.endswith("\n\nafter\n") and "13 s" not in text and "| 9 s |" in text
    readme.write_text("no markers")
    with pytest.raises(ValueError, match="no time-table markers"):
        book_times.update_readme(readme, root=tmp_path)


def test_the_book_build_writes_the_table_the_teachers_page_includes_and_the_page_types_no_time(tmp_path, tmp_runs):
    from em_utils.results import write_book_pages

    written = write_book_pages(tmp_path / "book", "smoke")
    page = tmp_path / "book" / "generated" / "book_times.md"
    assert page in written and page.read_text() == book_times.times_markdown()
    teachers = (ROOT / "book" / "teachers.md").read_text()
    assert "```{include} generated/book_times.md" in teachers
    section = teachers.split("## How long each chapter takes on 2 cores", 1)[1].split("\n## ", 1)[0]
    assert not re.search(r"\d+\s*(s|min|minutes)\b", section), section  # every time on the page is the table's
