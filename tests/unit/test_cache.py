"""The one cache of samples and scores (``em_utils.cache``): files written before it still read.

The two literal lines below are what the two caches it replaced wrote (``em_utils/judge_cache.py``
and ``SampleCache`` in ``em_utils/generation.py`` of commit c93a494, run once to produce them):
existing cache files must keep working, so a change that breaks these tests breaks users' caches.
"""

from __future__ import annotations

import json
import math

import pytest

from em_utils import cache as cache_module
from em_utils.cache import JsonlCache, ResultCache, SampleCache, cache_key
from em_utils.judge.openai_judge import OpenAIJudge, score_from_logprobs

JUDGE_KEY = "24c01016ca0eaf3f520d81ea06a807c2f26d6247ca2842045062a1a1103c9f22"
OLD_RESULT_LINE = (
    '{"key":"24c01016ca0eaf3f520d81ea06a807c2f26d6247ca2842045062a1a1103c9f22","value":{"score":12.5,'
    '"numeric_mass":0.99,"token":"10","top_logprobs":[["10",-0.5],["20",-1.2]],"served_model":'
    '"gpt-4o-2024-08-06","system_fingerprint":null},"meta":{"judge":"openai:gpt-4o-2024-08-06",'
    '"metric":"aligned"},"time":"2025-01-02T03:04:05+00:00"}'
)
OLD_RESULT_VALUE = {"score": 12.5, "numeric_mass": 0.99, "token": "10", "top_logprobs": [["10", -0.5], ["20", -1.2]],
                    "served_model": "gpt-4o-2024-08-06", "system_fingerprint": None}
SAMPLE_KEY = "dbaae0421c3d00c94f3680b7115e80ba1cca5b018dd00355828112658a3d857c"
OLD_SAMPLE_LINE = ('{"key": "dbaae0421c3d00c94f3680b7115e80ba1cca5b018dd00355828112658a3d857c", '
                   '"answer": "Héllo — there \\"friend\\"\\n", "n_new_tokens": 5, "finished": true}')
OLD_SAMPLE_RECORD = {"answer": 'Héllo — there "friend"\n', "n_new_tokens": 5, "finished": True}


def _write(path, *lines: str, end: str = "\n") -> None:
    path.write_bytes("\n".join(lines).encode("utf-8") + end.encode())


def test_an_old_judge_cache_file_reads_unchanged(tmp_path):
    path = tmp_path / "judge" / "results.jsonl"
    path.parent.mkdir()
    _write(path, OLD_RESULT_LINE)
    cache = ResultCache(tmp_path / "judge")  # a folder: results.jsonl inside, as before
    assert cache.path == path and cache.keys() == [JUDGE_KEY] and cache.skipped == 0
    assert cache.get(JUDGE_KEY) == OLD_RESULT_VALUE


def test_an_old_judge_cache_answers_the_judge_with_no_request_and_no_key(tmp_path, monkeypatch):
    """The key of this request is pinned: the line above is found by the judge as it is today."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    _write(tmp_path / "results.jsonl", OLD_RESULT_LINE)
    judge = OpenAIJudge(base_url="http://127.0.0.1:9/v1", templates={"aligned": "Rate: {question} / {answer}"},
                        cache=tmp_path, progress=False, max_retries=0)
    assert cache_key(judge.request_payload(judge.prompt("Hi?", "Héllo — there", "aligned"))) == JUDGE_KEY
    score = judge.score([("Hi?", "Héllo — there")], "aligned")
    expected = score_from_logprobs(OLD_RESULT_VALUE["top_logprobs"])[0]
    assert not math.isnan(expected) and score == [pytest.approx(expected)]
    assert judge.last_summary.failed == 0


def test_an_old_sample_cache_file_reads_unchanged(tmp_path):
    path = tmp_path / "samples.jsonl"
    _write(path, OLD_SAMPLE_LINE)
    cache = SampleCache(path)
    assert len(cache) == 1 and cache.skipped == 0
    assert cache.get(SAMPLE_KEY) == {"key": SAMPLE_KEY, **OLD_SAMPLE_RECORD}
    assert cache.records == {SAMPLE_KEY: {"key": SAMPLE_KEY, **OLD_SAMPLE_RECORD}}
    assert SampleCache(tmp_path).path == path  # a folder: samples.jsonl inside


def test_new_lines_are_spelled_as_the_old_ones(tmp_path, monkeypatch):
    """Byte for byte, so that files written now are read by older checkouts too."""
    monkeypatch.setattr(cache_module, "_now", lambda: "2025-01-02T03:04:05+00:00")
    results = ResultCache(tmp_path / "r.jsonl")
    results.put(JUDGE_KEY, OLD_RESULT_VALUE, meta={"judge": "openai:gpt-4o-2024-08-06", "metric": "aligned"})
    samples = SampleCache(tmp_path / "s.jsonl")
    samples.put(SAMPLE_KEY, OLD_SAMPLE_RECORD)
    results.close(), samples.close()
    assert (tmp_path / "r.jsonl").read_bytes() == (OLD_RESULT_LINE + "\n").encode("utf-8")
    assert (tmp_path / "s.jsonl").read_bytes() == (OLD_SAMPLE_LINE + "\n").encode("utf-8")
    assert samples.get(SAMPLE_KEY) == {"key": SAMPLE_KEY, **OLD_SAMPLE_RECORD}


@pytest.mark.parametrize("kind, line, key", [(ResultCache, OLD_RESULT_LINE, JUDGE_KEY),
                                             (SampleCache, OLD_SAMPLE_LINE, SAMPLE_KEY)])
def test_appending_after_an_old_file_with_a_torn_last_line(kind, line, key, tmp_path):
    path = tmp_path / "c.jsonl"
    _write(path, line, '{"key": "half a li', end="")  # a run killed mid-write
    cache = kind(path)
    assert len(cache) == 1 and cache.skipped == 0  # the torn line is not complete yet: not read
    cache.put("new", {"answer": "x"})
    cache.close()
    again = kind(path)
    assert sorted(again.keys()) == sorted([key, "new"]) and again.skipped == 1
    assert path.read_text(encoding="utf-8").count("\n") == 3  # the new record did not glue onto the torn one


def test_a_line_split_only_by_unicode_line_breaks_stays_one_record(tmp_path):
    """An answer with U+2028 or NEL is one line (the old sample reader lost such records)."""
    cache = SampleCache(tmp_path)
    cache.put("k", {"answer": "one\u2028two\x85three"})
    assert SampleCache(tmp_path).get("k")["answer"] == "one\u2028two\x85three"


def test_open_takes_what_callers_pass(tmp_path):
    assert SampleCache.open(None) is None and SampleCache.open(False) is None
    made = SampleCache.open(True, default=lambda: tmp_path / "d.jsonl")
    assert isinstance(made, SampleCache) and made.path == tmp_path / "d.jsonl"
    assert SampleCache.open(made) is made
    assert ResultCache.open(tmp_path).path == tmp_path / "results.jsonl"
    assert isinstance(ResultCache.open(str(tmp_path / "x.jsonl")), JsonlCache)
