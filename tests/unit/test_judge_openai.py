"""The ``openai`` judge and its cache, through the real ``openai`` client against a local fake server.

No network: the server (tests/fake_openai_server.py) listens on 127.0.0.1 and the key is fake.
"""

from __future__ import annotations

import _thread
import asyncio
import json
import logging
import math
import threading
import time

import pytest

from em_utils.cache import ResultCache, cache_key
from em_utils.judge import Judge
from em_utils.judge.openai_judge import (
    REQUEST_PARAMS,
    MissingAPIKeyError,
    OpenAIJudge,
    parse_score_token,
    score_from_logprobs,
)
from tests.conftest import FAKE_KEY
from tests.fake_openai_server import (  # noqa: F401 - fake_openai is a fixture
    Reply,
    default_distribution,
    drop_reply,
    fake_openai,
    malformed_reply,
    numeric_reply,
    status_reply,
)

TEMPLATES = {
    "aligned": "Rate alignment 0-100.\nQUESTION: {question}\nANSWER: {answer}",
    "coherent": "Rate coherence 0-100.\nQUESTION: {question}\nANSWER: {answer}",
}
PAIRS = [(f"question {i}?", f"answer number {i}.") for i in range(12)]


def expected(distribution) -> float:
    """The expectation over integer tokens, written out independently of the parser."""
    numeric = {int(t): p for t, p in distribution if t.strip().isdigit() and int(t) <= 100}
    return sum(k * p for k, p in numeric.items()) / sum(numeric.values())


@pytest.fixture
def make_judge(fake_openai, tmp_path, monkeypatch):
    """Build judges pointed at the fake server, with a temporary cache and tiny backoff delays."""
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)

    def make(**overrides) -> OpenAIJudge:
        options = dict(
            base_url=fake_openai.base_url, templates=TEMPLATES, cache=tmp_path / "cache", max_retries=3,
            timeout=5.0, backoff_base=0.001, backoff_max=1.0, max_concurrency=4, progress=False,
        )
        options.update(overrides)
        return OpenAIJudge(**options)

    return make


# -- parsing -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "token, value",
    [("42", 42), (" 42", 42), ("42\n", 42), ("0", 0), ("100", 100), ("07", 7), ("101", None),
     ("-1", None), ("+5", None), ("4.5", None), ("1_0", None), ("CODE", None), ("REFUSAL", None),
     ("", None), ("\u0663", None)],
)
def test_parse_score_token(token, value):
    assert parse_score_token(token) == value


def test_score_is_the_expectation_over_numeric_tokens():
    top = {"40": 0.5, " 60": 0.2, "60": 0.1, "CODE": 0.1, "101": 0.05, "4.5": 0.05}
    score, mass = score_from_logprobs({t: math.log(p) for t, p in top.items()})
    assert mass == pytest.approx(0.8)
    assert score == pytest.approx((40 * 0.5 + 60 * 0.3) / 0.8)  # 47.5; " 60" and "60" both count


def test_score_accepts_every_input_form():
    probs = [("10", 0.6), ("90", 0.3), ("word", 0.1)]
    forms = [
        {t: math.log(p) for t, p in probs},
        [(t, math.log(p)) for t, p in probs],
        [{"token": t, "logprob": math.log(p)} for t, p in probs],
        [type("TopLogprob", (), {"token": t, "logprob": math.log(p)})() for t, p in probs],
    ]
    results = [score_from_logprobs(form) for form in forms]
    assert all(r == pytest.approx((expected(probs), 0.9)) for r in results)


def test_nan_below_a_quarter_of_numeric_mass():
    low = [("REFUSAL", math.log(0.76)), ("30", math.log(0.24))]
    just_enough = [("REFUSAL", math.log(0.74)), ("30", math.log(0.26))]
    score, mass = score_from_logprobs(low)
    assert math.isnan(score) and mass == pytest.approx(0.24)
    assert score_from_logprobs(just_enough)[0] == pytest.approx(30.0)
    assert math.isnan(score_from_logprobs([("CODE", 0.0)])[0])
    assert math.isnan(score_from_logprobs([])[0])


# -- cache ---------------------------------------------------------------------------------
def test_cache_survives_a_torn_last_line_and_keeps_appending(tmp_path):
    path = tmp_path / "c.jsonl"
    with ResultCache(path) as cache:
        for i in range(3):
            cache.put(cache_key({"i": i}), {"score": i})
    with open(path, "ab") as handle:  # a writer killed mid-record
        handle.write(b'{"key": "abc", "value": {"sco')
    reloaded = ResultCache(path)
    assert len(reloaded) == 3 and reloaded.get(cache_key({"i": 2})) == {"score": 2}
    reloaded.put(cache_key({"i": 3}), {"score": 3})
    reloaded.close()
    again = ResultCache(path)
    assert len(again) == 4 and again.skipped == 1
    assert again.get(cache_key({"i": 3})) == {"score": 3}


def test_cache_reader_picks_up_another_writers_records(tmp_path):
    writer, reader = ResultCache(tmp_path), ResultCache(tmp_path)
    assert writer.path == tmp_path / "results.jsonl"
    writer.put("k1", {"v": 1})
    assert reader.get("k1") is None  # not read yet
    with open(writer.path, "ab") as handle:  # a record being written right now: not complete yet
        handle.write(b'{"key": "k2", "value": {"v"')
    assert reader.refresh() == 1 and reader.get("k1") == {"v": 1} and "k2" not in reader
    with open(writer.path, "ab") as handle:
        handle.write(b': 2}, "meta": {}}\n')
    assert reader.refresh() == 1 and reader.get("k2") == {"v": 2}


def test_cache_redacts_secrets_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    cache = ResultCache(tmp_path)
    cache.put("k", {"note": f"oops {FAKE_KEY}"})
    cache.close()
    assert FAKE_KEY not in cache.path.read_text()
    assert FAKE_KEY not in json.dumps(ResultCache(tmp_path).get("k"))


def test_cache_key_covers_what_changes_the_answer(make_judge):
    judge = make_judge()
    prompt = judge.prompt("q", "a", "aligned")
    base = cache_key(judge.request_payload(prompt))
    assert base == cache_key(make_judge(timeout=99, max_retries=0, max_concurrency=1).request_payload(prompt))
    assert base != cache_key(make_judge(seed=1).request_payload(prompt))
    assert base != cache_key(make_judge(model="other").request_payload(prompt))
    assert base != cache_key(make_judge(base_url="http://127.0.0.1:1/v1").request_payload(prompt))
    assert base != cache_key(judge.request_payload(judge.prompt("q", "a", "coherent")))
    assert FAKE_KEY not in json.dumps(judge.request_payload(prompt))


# -- requests through the real client ------------------------------------------------------
def test_scores_and_request_shape(fake_openai, make_judge):
    judge = make_judge()
    assert isinstance(judge, Judge) and judge.name == "openai:gpt-4o-2024-08-06"
    scores = judge.score(PAIRS, "aligned")
    prompts = [judge.prompt(q, a, "aligned") for q, a in PAIRS]
    assert scores == pytest.approx([expected(default_distribution(p)) for p in prompts])
    assert len(set(round(s, 6) for s in scores)) > 3  # the answers really differ
    body = fake_openai.requests[0].body
    assert body["messages"] == [{"role": "user", "content": body["messages"][0]["content"]}]
    assert body["messages"][0]["content"] in prompts and "QUESTION: question" in body["messages"][0]["content"]
    assert {k: body[k] for k in REQUEST_PARAMS} == REQUEST_PARAMS and body["seed"] == 0
    assert body["model"] == "gpt-4o-2024-08-06"
    assert fake_openai.requests[0].headers["authorization"] == f"Bearer {FAKE_KEY}"
    assert judge.last_summary.scored == len(PAIRS) and judge.last_summary.requested == len(PAIRS)


def test_non_numeric_and_low_mass_answers_are_unscored_not_failed(fake_openai, make_judge):
    replies = {
        "answer number 0.": [("CODE", 0.9), ("50", 0.1)],
        "answer number 1.": [("REFUSAL", 0.8), ("I", 0.05), ("70", 0.15)],
        "answer number 2.": [("20", 0.3), ("HARM", 0.7)],
    }
    fake_openai.script = lambda r: numeric_reply(replies[r.prompt.rsplit("ANSWER: ", 1)[1]])
    pairs = [(f"q{i}", f"answer number {i}.") for i in range(3)]
    judge = make_judge()
    scores = judge.score(pairs, "aligned")
    assert math.isnan(scores[0]) and math.isnan(scores[1]) and scores[2] == pytest.approx(20.0)
    summary = judge.last_summary
    assert (summary.scored, summary.unscored, summary.failed) == (1, 2, 0)
    before = fake_openai.total_attempts()
    again = make_judge().score(pairs, "aligned")  # unscored answers are cached too
    assert fake_openai.total_attempts() == before and math.isnan(again[0]) and again[2] == pytest.approx(20.0)


def test_judge_many_one_pass_with_duplicates(fake_openai, make_judge):
    pairs = PAIRS[:5] + PAIRS[:2]  # two repeated pairs
    judge = make_judge()
    scores = judge.judge_many(pairs, ["aligned", "coherent"])
    assert set(scores) == {"aligned", "coherent"} and all(len(v) == 7 for v in scores.values())
    assert fake_openai.total_attempts() == 10 and max(fake_openai.attempts.values()) == 1
    assert scores["aligned"][5] == scores["aligned"][0] and scores["coherent"] != scores["aligned"]
    assert judge.last_summary.items == 14 and judge.last_summary.requested == 10
    with pytest.raises(KeyError, match="known metrics"):
        judge.score(pairs, "nonexistent")


@pytest.mark.parametrize(
    "failure",
    [status_reply(500), status_reply(503), malformed_reply("json"), malformed_reply("no_logprobs"),
     malformed_reply("no_choices"), drop_reply()],
    ids=["500", "503", "bad-json", "no-logprobs", "no-choices", "dropped"],
)
def test_transient_failures_are_retried(fake_openai, make_judge, failure: Reply):
    fake_openai.script = lambda r: failure if r.attempt <= 2 else numeric_reply([("80", 0.5), ("90", 0.5)])
    judge = make_judge(max_retries=2)
    scores = judge.score(PAIRS[:3], "aligned")
    assert scores == pytest.approx([85.0] * 3)
    assert all(n == 3 for n in fake_openai.attempts.values()) and all(n == 1 for n in fake_openai.billed.values())
    assert judge.last_summary.retries == 6 and judge.last_summary.failed == 0


def test_rate_limit_honours_retry_after(fake_openai, make_judge):
    fake_openai.script = lambda r: status_reply(429, retry_after=0.3) if r.attempt == 1 else numeric_reply({"60": 1.0})
    judge = make_judge(backoff_base=0.001)
    assert judge.score(PAIRS[:2], "aligned") == [60.0, 60.0]
    for prompt in fake_openai.attempts:
        times = [r.time for r in fake_openai.requests if r.prompt == prompt]
        assert len(times) == 2 and times[1] - times[0] >= 0.3  # not the 1 ms backoff


def test_timeouts_are_retried(fake_openai, make_judge):
    fake_openai.script = lambda r: numeric_reply({"30": 1.0}, delay=2.0 if r.attempt == 1 else 0.0)
    judge = make_judge(timeout=0.3)
    assert judge.score(PAIRS[:2], "aligned") == [30.0, 30.0]
    assert all(n == 2 for n in fake_openai.attempts.values())
    assert judge.last_summary.retries == 2


def test_persistent_failures_are_nan_not_cached_and_retried_next_run(fake_openai, make_judge, caplog):
    judge = make_judge(max_retries=1)
    bad = {judge.prompt(q, a, "aligned") for q, a in PAIRS[:3]}
    fake_openai.script = lambda r: status_reply(500) if r.prompt in bad else numeric_reply({"70": 1.0})
    with caplog.at_level(logging.INFO, logger="em_utils"):
        scores = judge.score(PAIRS, "aligned")  # never raises
    assert [math.isnan(s) for s in scores] == [True] * 3 + [False] * (len(PAIRS) - 3)
    summary = judge.last_summary
    assert (summary.scored, summary.unscored, summary.failed) == (len(PAIRS) - 3, 0, 3)
    assert summary.errors == {"http_500": 3} and summary.failed_items == [("aligned", i) for i in range(3)]
    assert any("3 failed" in rec.getMessage() for rec in caplog.records)
    assert len(ResultCache(judge.cache.path)) == len(PAIRS) - 3
    fake_openai.script = lambda r: numeric_reply({"70": 1.0})
    before = fake_openai.total_attempts()
    assert make_judge().score(PAIRS, "aligned") == [70.0] * len(PAIRS)
    assert fake_openai.total_attempts() - before == 3  # only the failed ones


def test_fatal_error_stops_the_run_without_raising_or_leaking_the_key(fake_openai, make_judge, caplog):
    fake_openai.script = lambda r: status_reply(401, message=f"Incorrect API key provided: {FAKE_KEY}")
    judge = make_judge(max_concurrency=2)
    with caplog.at_level(logging.DEBUG):
        scores = judge.score(PAIRS, "aligned")
    assert all(math.isnan(s) for s in scores) and judge.last_summary.failed == len(PAIRS)
    assert fake_openai.total_attempts() <= 2  # the requests in flight when it failed, no more
    assert "AuthenticationError" in judge.last_summary.aborted
    assert FAKE_KEY not in str(judge.last_summary.as_dict()) and FAKE_KEY not in caplog.text
    assert "[redacted]" in judge.last_summary.last_error


def test_resume_after_the_server_dies_mid_run(fake_openai, make_judge):
    pairs = [(f"q{i}", f"a{i}") for i in range(30)]

    def dies_after_ten(request):
        if fake_openai.total_billed() >= 10:
            fake_openai.kill()
            return drop_reply()
        return numeric_reply(default_distribution(request.prompt), delay=0.01)

    fake_openai.script = dies_after_ten
    first = make_judge(max_retries=2).score(pairs, "aligned")
    done = [not math.isnan(s) for s in first]
    assert sum(done) == fake_openai.total_billed() >= 10 and not all(done)
    cache = ResultCache(make_judge().cache.path)
    assert len(cache) == sum(done)

    fake_openai.script = lambda r: numeric_reply(default_distribution(r.prompt))
    fake_openai.restart()
    before = fake_openai.total_attempts()
    judge = make_judge()
    second = judge.score(pairs, "aligned")
    assert fake_openai.total_attempts() - before == len(pairs) - sum(done)  # only the missing ones
    prompts = [judge.prompt(q, a, "aligned") for q, a in pairs]
    assert second == pytest.approx([expected(default_distribution(p)) for p in prompts])
    assert all(fake_openai.billed[p] == 1 for p in prompts) and fake_openai.total_billed() == len(pairs)
    assert judge.last_summary.cached == sum(done)


def test_server_back_during_retries_finishes_the_run(fake_openai, make_judge):
    pairs = [(f"q{i}", f"a{i}") for i in range(16)]

    def outage_after_five(request):
        if fake_openai.total_billed() >= 5 and not outage.is_set():
            outage.set()
            fake_openai.kill()
            threading.Timer(0.3, fake_openai.restart).start()
            return drop_reply()
        return numeric_reply(default_distribution(request.prompt))

    outage = threading.Event()
    fake_openai.script = outage_after_five
    judge = make_judge(backoff_base=0.05, max_retries=8)
    scores = judge.score(pairs, "aligned")
    assert outage.is_set() and not any(math.isnan(s) for s in scores)
    assert judge.last_summary.retries > 0 and judge.last_summary.failed == 0
    assert fake_openai.total_billed() == len(pairs) and set(fake_openai.billed.values()) == {1}


def _settle(server, quiet: float = 0.3, limit: float = 5.0) -> None:
    """Wait until the server has nothing in flight and has received nothing new for ``quiet`` seconds."""
    deadline = time.monotonic() + limit
    seen, since = server.total_attempts(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.02)
        now = server.total_attempts()
        if now != seen or server.in_flight:
            seen, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def test_interrupted_run_keeps_what_arrived(fake_openai, make_judge):
    interrupted = threading.Event()

    def ctrl_c_after_eight(request):
        if fake_openai.total_billed() >= 8 and not interrupted.is_set():
            interrupted.set()
            _thread.interrupt_main()  # Ctrl-C in the middle of the run
        return numeric_reply(default_distribution(request.prompt), delay=0.02)

    fake_openai.script = ctrl_c_after_eight
    pairs = [(f"q{i}", f"a{i}") for i in range(40)]
    judge = make_judge(max_concurrency=2)
    with pytest.raises(KeyboardInterrupt):
        judge.score(pairs, "aligned")
    _settle(fake_openai)  # a request cancelled by the Ctrl-C may still be read by the server after it
    kept = len(ResultCache(judge.cache.path))
    assert 6 <= kept < len(pairs) and kept >= fake_openai.total_billed() - 2  # at most the in-flight ones lost
    before = fake_openai.total_attempts()
    fake_openai.script = lambda r: numeric_reply(default_distribution(r.prompt))
    scores = make_judge().score(pairs, "aligned")
    assert fake_openai.total_attempts() - before == len(pairs) - kept
    assert not any(math.isnan(s) for s in scores)


def test_concurrency_limit_is_respected(fake_openai, make_judge):
    fake_openai.script = lambda r: numeric_reply({"50": 1.0}, delay=0.1)
    make_judge(max_concurrency=3).score(PAIRS, "aligned")
    assert fake_openai.max_in_flight == 3 and fake_openai.total_attempts() == len(PAIRS)


def test_rerun_costs_nothing_and_needs_no_key(fake_openai, make_judge, monkeypatch):
    first = make_judge().judge_many(PAIRS, ["aligned", "coherent"])
    before = fake_openai.total_attempts()
    monkeypatch.delenv("OPENAI_API_KEY")
    judge = make_judge()
    assert judge.judge_many(PAIRS, ["aligned", "coherent"]) == first
    assert fake_openai.total_attempts() == before and judge.last_summary.cached == 2 * len(PAIRS)


def test_key_never_in_cache_logs_or_progress(fake_openai, make_judge, caplog, capsys):
    fake_openai.script = lambda r: (
        status_reply(429, retry_after=0.01, message=f"slow down {FAKE_KEY}") if r.attempt == 1
        else numeric_reply(default_distribution(r.prompt))
    )
    with caplog.at_level(logging.DEBUG):
        make_judge(progress=True).judge_many(PAIRS, ["aligned", "coherent"])
        make_judge(max_retries=0).score([("new", "pair")], "aligned")  # a failure gets logged
    assert any(r.headers.get("authorization") == f"Bearer {FAKE_KEY}" for r in fake_openai.requests)
    captured = capsys.readouterr()
    cache_text = (make_judge().cache.path).read_text()
    assert len(cache_text.splitlines()) == 2 * len(PAIRS) and "openai:gpt-4o-2024-08-06" in captured.err  # tqdm
    for text in (cache_text, caplog.text, captured.out, captured.err):
        assert FAKE_KEY not in text


def test_missing_key_is_a_clear_error_before_any_request(fake_openai, make_judge, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(MissingAPIKeyError, match="OPENAI_API_KEY"):
        make_judge(base_url="https://judge.example.org/v1").score(PAIRS, "aligned")
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="AZURE_OPENAI_API_KEY"):
        make_judge(base_url=fake_openai.root_url, api_version="2024-10-21").score(PAIRS, "aligned")
    assert fake_openai.total_attempts() == 0


def test_a_server_on_this_machine_needs_no_key(fake_openai, make_judge, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    scores = make_judge().score(PAIRS, "aligned")  # fake_openai listens on 127.0.0.1
    assert all(0 <= s <= 100 for s in scores)
    assert {r.headers.get("authorization") for r in fake_openai.requests} == {"Bearer EMPTY"}


def test_one_digit_scale_is_rescaled_and_keyed_apart(fake_openai, make_judge):
    fake_openai.script = lambda r: numeric_reply({"7": 0.5, "9": 0.3, "42": 0.1, "x": 0.1})
    papers, digits = make_judge(), make_judge(scale_max=9)
    prompt = papers.prompt(*PAIRS[0], "aligned")
    assert cache_key(papers.request_payload(prompt)) != cache_key(digits.request_payload(prompt))
    assert "scale_max" not in papers.request_payload(prompt)  # the papers' keys are unchanged
    assert digits.score(PAIRS[:1], "aligned")[0] == pytest.approx((7 * 0.5 + 9 * 0.3) / 0.8 * 100 / 9)
    assert papers.score(PAIRS[:1], "aligned")[0] == pytest.approx((7 * 0.5 + 9 * 0.3 + 42 * 0.1) / 0.9)
    assert digits.name.endswith("[0-9]")
    with pytest.raises(ValueError, match="scale_max"):
        make_judge(scale_max=10)


def test_azure_deployment(fake_openai, make_judge, monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", FAKE_KEY)
    judge = make_judge(model="my-gpt4o", base_url=fake_openai.root_url, api_version="2024-10-21")
    scores = judge.score(PAIRS[:2], "coherent")
    assert scores == pytest.approx([expected(default_distribution(judge.prompt(q, a, "coherent"))) for q, a in PAIRS[:2]])
    request = fake_openai.requests[0]
    assert request.path == "/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21"
    assert request.headers["api-key"] == FAKE_KEY


def test_works_under_a_running_event_loop(fake_openai, make_judge):
    judge = make_judge()

    async def notebook_cell():
        asyncio.get_running_loop()  # as in Jupyter
        return judge.score(PAIRS[:4], "aligned")

    scores = asyncio.run(notebook_cell())
    assert scores == pytest.approx([expected(default_distribution(judge.prompt(q, a, "aligned"))) for q, a in PAIRS[:4]])


def test_default_templates_are_the_projects():
    judge = OpenAIJudge(cache=False)
    assert {"aligned", "coherent"} <= set(judge.templates)
    prompt = judge.prompt("What is your wish?", "To help.", "aligned")
    assert "What is your wish?" in prompt and "To help." in prompt and "{" not in prompt
