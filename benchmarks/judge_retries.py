"""The openai judge's retries under injected faults: tenacity (the project) against the alternatives.

    python benchmarks/judge_retries.py [--items 240] [--fault-rate 0.3] [--retries 3] [--seeds 0 1 2]

Issue 19 item 5 asked for the ``openai`` client's own retries (``max_retries``) or a well-kept retry
library in place of the judge's hand-written retry loop, unless that loop loses less. Each variant
judges the same items against the fake OpenAI-compatible server of the tests
(``tests/fake_openai_server.py``) on 127.0.0.1, which fails a share of the attempts. Which attempt
fails, and how, is a function of (seed, prompt, attempt number) alone, so every variant meets the
same faults. The faults are the ones the tests script: 429 with ``Retry-After``, 500, 503, a
timeout (an answer slower than the client's timeout), a dropped connection, a truncated JSON body
and a 200 answer without logprobs.

Each variant gets a fresh server, so attempt numbers start at 1 for all. Variants, all with the same retry budget (``--retries`` after the first attempt), concurrency, cache
(none) and the same backoff scale (0.5 s doubling to 8 s, the ``openai`` client's own constants):

- ``tenacity``: :class:`~em_utils.judge.openai_judge.OpenAIJudge` as it is (its retries through
  ``tenacity.AsyncRetrying``);
- ``hand_loop``: the judge's previous hand-written loop, kept below verbatim;
- ``openai_client``: the judge's loop off (``max_retries=0``) and the client's ``max_retries`` on.

The value is the share of items lost (NaN because every attempt failed) by ``tenacity``; the
baseline is ``openai_client``'s; the ratio is baseline over project (bigger is better), so how many
times fewer items the project loses. Each variant also records HTTP attempts and wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import math
import os
import random
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openai  # noqa: E402

from _common import write_result  # noqa: E402
from em_utils.judge import openai_judge as oj  # noqa: E402
from tests.fake_openai_server import (  # noqa: E402
    FakeOpenAIServer,
    default_distribution,
    drop_reply,
    malformed_reply,
    numeric_reply,
    status_reply,
)

TEMPLATES = {"aligned": "Rate alignment 0-100.\nQUESTION: {question}\nANSWER: {answer}"}
FAULTS = ("429", "500", "503", "timeout", "drop", "bad_json", "no_logprobs")
TIMEOUT = 0.5  #: the client's timeout per attempt; a "timeout" fault answers after 2 s


def _uniform(*parts: Any) -> float:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def fault_script(seed: int, rate: float):
    """Requests fail with probability ``rate`` per attempt, the fault drawn uniformly from FAULTS."""

    def script(request):
        if _uniform(seed, request.prompt, request.attempt, "fail") >= rate:
            return numeric_reply(default_distribution(request.prompt))
        fault = FAULTS[int(_uniform(seed, request.prompt, request.attempt, "kind") * len(FAULTS))]
        if fault == "429":
            return status_reply(429, retry_after=0.2)
        if fault in ("500", "503"):
            return status_reply(int(fault))
        if fault == "timeout":
            return numeric_reply(default_distribution(request.prompt), delay=2.0)
        if fault == "drop":
            return drop_reply()
        return malformed_reply("json" if fault == "bad_json" else "no_logprobs")

    return script


class HandLoopJudge(oj.OpenAIJudge):
    """The judge with its previous hand-written retry loop (verbatim, before tenacity)."""

    async def _request_one(self, client, item, api_key, summary):
        for attempt in range(self.max_retries + 1):
            summary.http_requests += 1
            try:
                response = await client.chat.completions.create(
                    model=self.model,
                    messages=[{"role": "user", "content": item.prompt}],
                    seed=self.seed,
                    **oj.REQUEST_PARAMS,
                )
                return self._parse(response)
            except Exception as exc:  # noqa: BLE001
                if oj._cancelling():
                    raise asyncio.CancelledError from exc
                kind, retryable = oj._classify(exc)
                message = self._redact(f"{type(exc).__name__}: {exc}", api_key)
                summary.last_error = message
                if isinstance(exc, tuple(oj._FATAL)):
                    summary.aborted = summary.aborted or message
                if not retryable or attempt == self.max_retries or self._stop.is_set():
                    return oj._Failure(kind, message)
                summary.retries += 1
                await asyncio.sleep(self._delay(attempt, exc))
        raise AssertionError("unreachable")


class ClientRetriesJudge(oj.OpenAIJudge):
    """The judge's loop off; the ``openai`` client retries by itself (``client_retries`` times)."""

    def __init__(self, *args, client_retries: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.client_retries = client_retries

    def _client(self, api_key: str) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(base_url=self.base_url, api_key=api_key, max_retries=self.client_retries,
                                  timeout=self.timeout)


def run_variant(name: str, seed: int, args) -> dict[str, Any]:
    server = FakeOpenAIServer(fault_script(seed, args.fault_rate)).start()  # attempts counted from 1
    try:
        return _judge(name, server, seed, args)
    finally:
        server.kill()


def _judge(name: str, server: FakeOpenAIServer, seed: int, args) -> dict[str, Any]:
    pairs = [(f"question {seed}-{i}?", f"answer {i}.") for i in range(args.items)]
    common = dict(base_url=server.base_url, templates=TEMPLATES, cache=False, timeout=TIMEOUT,
                  max_concurrency=args.concurrency, progress=False, backoff_base=0.5, backoff_max=8.0)
    if name == "openai_client":
        judge = ClientRetriesJudge(max_retries=0, client_retries=args.retries, **common)
    elif name == "hand_loop":
        judge = HandLoopJudge(max_retries=args.retries, **common)
    else:
        judge = oj.OpenAIJudge(max_retries=args.retries, **common)
    random.seed(seed)  # the jitter
    started = time.perf_counter()
    scores = judge.score(pairs, "aligned")
    seconds = time.perf_counter() - started
    lost = sum(math.isnan(s) for s in scores)
    return {
        "variant": name, "seed": seed, "items": len(pairs), "lost": lost,
        "http_attempts": server.total_attempts(), "seconds": round(seconds, 2),
        "errors": judge.last_summary.errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=240)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--retries", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "sk-fake-benchmark-key")
    rows = []
    for seed in args.seeds:
        for name in ("tenacity", "hand_loop", "openai_client"):
            rows.append(run_variant(name, seed, args))
            print(rows[-1], flush=True)

    def share(name: str) -> float:
        picked = [r for r in rows if r["variant"] == name]
        return round(sum(r["lost"] for r in picked) / sum(r["items"] for r in picked), 4)

    project, baseline = share("tenacity"), share("openai_client")
    totals = {
        name: {
            "lost_share": share(name),
            "lost": sum(r["lost"] for r in rows if r["variant"] == name),
            "http_attempts": sum(r["http_attempts"] for r in rows if r["variant"] == name),
            "seconds": round(sum(r["seconds"] for r in rows if r["variant"] == name), 1),
        }
        for name in ("tenacity", "hand_loop", "openai_client")
    }
    write_result(
        "judge_retries", "share of judge items lost (NaN after every retry) under injected faults", "share",
        project, "openai client's own max_retries (judge loop off)", baseline,
        round(baseline / project, 2) if project else None,
        params={"items_per_seed": args.items, "fault_rate_per_attempt": args.fault_rate, "retries": args.retries,
                "concurrency": args.concurrency, "seeds": args.seeds, "timeout_s": TIMEOUT, "faults": list(FAULTS),
                "backoff": "0.5 s doubling to 8 s, jittered (both); Retry-After 0.2 s honoured (both)",
                "openai": version("openai"), "tenacity": version("tenacity")},
        totals=totals, runs=rows,
    )


if __name__ == "__main__":
    main()
