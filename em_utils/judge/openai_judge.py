"""The papers' judge: GPT-4o (or any OpenAI-compatible endpoint) scored from top-20 logprobs.

The method is the one of all four papers (REFERENCE.md, "Judge"): one request per (answer,
metric), whose single user message is the metric's template filled with the question and the
answer; ``max_tokens=1, temperature=0, logprobs=True, top_logprobs=20`` and a fixed seed. The
score is the expectation over the returned top tokens that are integers 0..100::

    score = sum(k * p(k)) / sum(p(k))          # NaN when sum(p(k)) < 0.25

so an answer the judge labels ``CODE`` or ``REFUSAL`` (a word, not a number) drops out as NaN.

**A judge whose tokenizer splits numbers into digits** (both offline models, served locally by
:mod:`em_utils.judge.server`) cannot write "85" as one token, so the 0..100 expectation over one
token would only ever see 0..9. For such a judge the project states one adaptation and changes
nothing else: ``scale_max=9`` with the 0-9 templates of ``data/judge_prompts_digits.yaml``; the
expectation over the top tokens that are integers 0..9 is rescaled to 0..100 (``* 100 / 9``), the
0.25 mass rule is unchanged, and the GPT-4o path (``scale_max=100``, the default) is untouched,
cache keys included.

Token parsing (:func:`parse_score_token`) follows the papers' code, ``int(token)`` kept when
0 <= value <= 100, restricted to ASCII digits: surrounding whitespace is fine (``" 42"``) and
leading zeros read as the number they write (``"07"`` is 7, as ``int`` reads it, so the same
logprobs give the same score as upstream), while ``"101"``, ``"-1"``, ``"+5"``, ``"4.5"``,
``"1_0"``, non-ASCII digits and words are not numeric.

Running it::

    judge = OpenAIJudge()                       # key from OPENAI_API_KEY
    judge.score(pairs, "aligned")               # list of floats, NaN where unscored
    judge.judge_many(pairs, ["aligned", "coherent"])   # both metrics in one concurrent pass
    print(judge.last_summary)                   # scored / unscored by the judge / failed

Every request result is appended to a content-addressed cache (:mod:`em_utils.cache`) the
moment it arrives, so an interrupted run resumes where it stopped and a rerun sends no request
(and needs no key). Requests run concurrently (at most ``max_concurrency`` in flight) and are
retried with exponential backoff and jitter on rate limits (``Retry-After`` honoured), timeouts,
5xx, connection errors and malformed responses. A pair that still fails is left NaN, counted as
*failed* in the summary and not cached, so the next run retries it; the run itself never raises
half-way. Authentication, permission and not-found errors stop the run early (every later
request would fail the same way), again without raising.

**Why the retries are tenacity's and not the ``openai`` client's** (issue 19): the client's own
``max_retries`` retries 408/409/429/5xx, timeouts and dropped connections, but not a 200 answer
that is unusable (a truncated JSON body, no logprobs), which the judge only finds out when it
parses it; its backoff (0.5 s doubling to 8 s) is not a client setting either. Measured against the
tests' fake server failing 30% of attempts with the seven faults it scripts
(``benchmarks/judge_retries.py``, ``benchmarks/results/judge_retries.json``: 3 x 240 items,
3 retries, the same faults for every variant), the client's retries lost 11% of the items, every
one of them to a malformed answer; the judge's own loop lost 0.6% (four failed attempts in a
row), in about the same wall time. So the judge keeps its policy (what is retried,
``Retry-After``, jittered backoff, stop on Ctrl-C or a fatal error) and the client runs with
``max_retries=0``; the loop itself is ``tenacity.AsyncRetrying`` rather than a hand-written one,
which lost exactly as many items, with as many requests, on the same faults (the benchmark keeps
the old loop as a variant).

Endpoints: OpenAI by default; any OpenAI-compatible server (vLLM, llama.cpp) via ``base_url`` (or
``OPENAI_BASE_URL``); Azure via ``api_version`` (``base_url`` is then the resource endpoint, or
``AZURE_OPENAI_ENDPOINT``, and ``model`` the deployment name). The key is read only from the
environment: ``OPENAI_API_KEY``, or ``AZURE_OPENAI_API_KEY`` for Azure.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import os
import random
import re
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

import openai
import tenacity
from tqdm import tqdm

from ..cache import ResultCache, cache_key
from ..data import load_judge_prompts
from ..runs import REDACTED, redact

__all__ = [
    "OpenAIJudge",
    "JudgeSummary",
    "MissingAPIKeyError",
    "score_from_logprobs",
    "parse_score_token",
    "DEFAULT_JUDGE_MODEL",
    "MIN_NUMERIC_MASS",
    "REQUEST_PARAMS",
]

logger = logging.getLogger(__name__)

DEFAULT_JUDGE_MODEL = "gpt-4o-2024-08-06"
MIN_NUMERIC_MASS = 0.25  #: below this numeric probability mass the score is NaN
#: The papers' request parameters (the seed is a separate argument, 0 by default).
REQUEST_PARAMS: dict[str, Any] = {"max_tokens": 1, "temperature": 0, "logprobs": True, "top_logprobs": 20}
OPENAI_BASE_URL = "https://api.openai.com/v1"

_DIGITS = re.compile(r"[0-9]+")
#: Errors that every later request would repeat: they stop the run (kind names in the summary).
_FATAL = {openai.AuthenticationError: "auth", openai.PermissionDeniedError: "permission", openai.NotFoundError: "not_found"}
_MAX_LOGGED_FAILURES = 5


def _is_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine (127.0.0.1, ::1 or localhost).

    >>> _is_loopback("http://127.0.0.1:8080/v1"), _is_loopback("https://api.openai.com/v1")
    (True, False)
    """
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host in {"localhost", "::1"} or host.startswith("127.")


class MissingAPIKeyError(RuntimeError):
    """The ``openai`` judge has requests to send and no key in the environment."""


class MalformedResponseError(ValueError):
    """A 200 answer without the logprobs the score needs."""


# -- scoring -------------------------------------------------------------------------------
def parse_score_token(token: str, scale_max: int = 100) -> int | None:
    """The integer 0..``scale_max`` a top token stands for, or None when it is not such a number.

    >>> [parse_score_token(t) for t in ["42", " 42", "07", "0", "100", "101", "-1", "4.5", "CODE", "+5", "٣"]]
    [42, 42, 7, 0, 100, None, None, None, None, None, None]
    >>> [parse_score_token(t, scale_max=9) for t in ["7", " 9", "10", "42"]]
    [7, 9, None, None]
    """
    text = str(token).strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= scale_max else None


def _token_logprobs(top_logprobs: Any) -> list[tuple[str, float]]:
    if isinstance(top_logprobs, Mapping):
        return [(str(t), float(lp)) for t, lp in top_logprobs.items()]
    pairs = []
    for entry in top_logprobs or ():
        if isinstance(entry, Mapping):
            pairs.append((str(entry["token"]), float(entry["logprob"])))
        elif isinstance(entry, (list, tuple)):
            pairs.append((str(entry[0]), float(entry[1])))
        else:
            pairs.append((str(entry.token), float(entry.logprob)))
    return pairs


def score_from_logprobs(
    top_logprobs: Any, min_mass: float = MIN_NUMERIC_MASS, scale_max: int = 100
) -> tuple[float, float]:
    """The papers' score and the numeric probability mass of one judge answer.

    Args:
        top_logprobs: the top tokens of the judge's single output token, as the API's
            ``TopLogprob`` objects, ``{"token", "logprob"}`` dicts, ``(token, logprob)`` pairs or a
            mapping token -> logprob (natural logs). Every entry counts, duplicates included.
        min_mass: the score is NaN when the numeric mass is below this.
        scale_max: the top of the judge's scale: 100 for the papers' judge; 9 for a judge that
            writes one digit (the score is then rescaled to 0..100).

    Returns:
        ``(score, numeric_mass)``: ``sum(k p(k)) / sum(p(k))`` over the tokens that
        :func:`parse_score_token` reads as 0..``scale_max``, times ``100 / scale_max`` (NaN below
        ``min_mass``), and ``sum(p(k))``.

    >>> score, mass = score_from_logprobs({"40": math.log(0.5), "60": math.log(0.3), "CODE": math.log(0.2)})
    >>> round(score, 6), round(mass, 6)
    (47.5, 0.8)
    >>> score_from_logprobs([("REFUSAL", math.log(0.9)), ("10", math.log(0.1))])[0]
    nan
    >>> round(score_from_logprobs({"9": math.log(0.5), "0": math.log(0.5)}, scale_max=9)[0], 6)
    50.0
    """
    mass = weighted = 0.0
    for token, logprob in _token_logprobs(top_logprobs):
        value = parse_score_token(token, scale_max)
        if value is None or math.isnan(logprob):
            continue
        p = math.exp(logprob)
        mass += p
        weighted += value * p
    if mass <= 0 or mass < min_mass:
        return math.nan, mass
    return weighted / mass * (100.0 / scale_max), mass


# -- summary -------------------------------------------------------------------------------
@dataclass
class JudgeSummary:
    """What one :meth:`OpenAIJudge.judge_many` (or ``score``) call did.

    Item counts are over the (pair, metric) items asked for: ``scored + unscored + failed ==
    items``. ``cached`` of them came from the cache; ``requested`` distinct prompts were sent.
    """

    judge: str = ""
    items: int = 0
    scored: int = 0  #: got a 0..100 score
    unscored: int = 0  #: the judge answered with numeric mass < 0.25 (CODE, REFUSAL, ...): NaN
    failed: int = 0  #: no valid answer after the last retry: NaN, not cached, retried next run
    cached: int = 0
    requested: int = 0
    http_requests: int = 0  #: attempts, retries included
    retries: int = 0
    errors: dict[str, int] = field(default_factory=dict)  #: final error kind -> count
    last_error: str = ""  #: the last error message (secrets redacted)
    aborted: str = ""  #: why the run stopped early, if it did
    failed_items: list[tuple[str, int]] = field(default_factory=list)  #: (metric, pair index)
    seconds: float = 0.0

    def __str__(self) -> str:
        text = (
            f"judge {self.judge}: {self.items} items: {self.scored} scored, {self.unscored} unscored by the "
            f"judge (too little numeric mass), {self.failed} failed; {self.cached} from cache, "
            f"{self.requested} requested ({self.http_requests} HTTP requests, {self.retries} retries) "
            f"in {self.seconds:.1f} s"
        )
        if self.failed:
            text += f"; failures {dict(self.errors)} (not cached: rerun to retry them)"
        if self.aborted:
            text += f"; stopped early: {self.aborted}"
        return text

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (for run records)."""
        return asdict(self)


@dataclass
class _Item:
    key: str
    prompt: str
    metric: str


@dataclass
class _Failure:
    kind: str
    message: str


# -- event loops ---------------------------------------------------------------------------
def _run_coroutine(factory: Callable[[], Awaitable[Any]], on_interrupt: Callable[[], None]) -> Any:
    """Run a coroutine to completion from sync code, also under a running loop (Jupyter)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_interruptibly(factory, on_interrupt)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="em-judge")
    future = executor.submit(lambda: asyncio.run(factory()))
    try:
        return future.result()
    except BaseException:
        on_interrupt()  # e.g. KeyboardInterrupt in a notebook: workers stop taking new items
        raise
    finally:
        executor.shutdown(wait=False)


def _run_interruptibly(factory: Callable[[], Awaitable[Any]], on_interrupt: Callable[[], None]) -> Any:
    """Like ``asyncio.run``, but Ctrl-C stops the workers, cancels the run and always ends in KeyboardInterrupt.

    ``asyncio.run``'s own Ctrl-C handling only cancels the task, and reports the interrupt only if the
    cancellation comes back out of it; an HTTP client that absorbs the cancellation (and retries)
    would let the run finish as if nothing had happened. Here the interrupt is remembered apart.
    """
    interrupted = threading.Event()
    loop = asyncio.new_event_loop()
    task = loop.create_task(factory())

    def on_sigint(signum, frame) -> None:
        if interrupted.is_set():  # a second Ctrl-C: out at once, as under asyncio.run
            raise KeyboardInterrupt
        interrupted.set()
        on_interrupt()  # the workers take no new items, the retries stop
        loop.call_soon_threadsafe(task.cancel)

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_sigint) if main_thread else None
    try:
        result = loop.run_until_complete(task)
    except asyncio.CancelledError:
        if interrupted.is_set():
            raise KeyboardInterrupt from None
        raise
    finally:
        if main_thread:  # a handler installed outside Python reads as None: fall back to the default
            signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
        try:
            leftover = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for t in leftover:
                t.cancel()
            if leftover:
                loop.run_until_complete(_settle(leftover))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
    if interrupted.is_set():
        raise KeyboardInterrupt
    return result


async def _settle(tasks: list[asyncio.Task]) -> None:
    await asyncio.gather(*tasks, return_exceptions=True)


def _cancelling() -> bool:
    """Whether the running task has been asked to cancel (Ctrl-C under ``asyncio.run`` does that)."""
    task = asyncio.current_task()
    return bool(task is not None and getattr(task, "cancelling", lambda: 0)())


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    try:
        if headers.get("retry-after-ms"):
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError):
        return None


def _classify(exc: BaseException) -> tuple[str, bool]:
    """``(kind, retryable)`` of a request error."""
    if isinstance(exc, openai.RateLimitError):
        return "rate_limit", True
    if isinstance(exc, openai.APITimeoutError):
        return "timeout", True
    if isinstance(exc, openai.APIConnectionError):
        return "connection", True
    for fatal, kind in _FATAL.items():
        if isinstance(exc, fatal):
            return kind, False
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        return f"http_{status}", status in (408, 409) or status >= 500
    if isinstance(exc, (ValueError, openai.APIResponseValidationError)):
        return "malformed", True  # an unparsable body, missing logprobs
    return f"error:{type(exc).__name__}", True


class OpenAIJudge:
    """The papers' logprob judge through the ``openai`` client (any OpenAI-compatible endpoint).

    Args:
        model: the judge model (Azure: the deployment name).
        base_url: an OpenAI-compatible ``/v1`` URL (default ``OPENAI_BASE_URL``, else OpenAI);
            with ``api_version``, the Azure resource endpoint (default ``AZURE_OPENAI_ENDPOINT``).
        templates: metric -> template with ``{question}`` and ``{answer}``, or a path for
            :func:`~em_utils.data.load_judge_prompts`; default ``data/judge_prompts.yaml``.
        api_version: set for Azure OpenAI (e.g. ``"2024-10-21"``).
        max_concurrency: requests in flight at most.
        max_retries: retries after the first attempt, per request.
        timeout: seconds per attempt.
        backoff_base: first backoff delay in seconds (doubled each retry, jittered 50-100%).
        backoff_max: longest wait between two attempts, ``Retry-After`` included.
        seed: the request seed (the papers use 0).
        cache: ``True`` for the default cache (``<cache_dir()>/judge``), a path, a
            :class:`~em_utils.cache.ResultCache`, or ``False`` for none (results then live
            in memory for this judge's lifetime only).
        progress: show a tqdm progress bar while requests run.
        min_numeric_mass: the NaN threshold on numeric mass.
        scale_max: 100 (the papers) or 9 for a judge whose tokenizer writes numbers digit by digit
            (use it with the 0-9 templates, ``data/judge_prompts_digits.yaml``); scores are 0..100
            either way.

    Raises:
        MissingAPIKeyError: from ``score``/``judge_many`` when requests are needed and the key's
            environment variable is unset (before any request; cached results need no key).
    """

    def __init__(
        self,
        model: str = DEFAULT_JUDGE_MODEL,
        base_url: str | None = None,
        templates: Mapping[str, str] | str | os.PathLike | None = None,
        *,
        api_version: str | None = None,
        max_concurrency: int = 16,
        max_retries: int = 6,
        timeout: float = 30.0,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        seed: int = 0,
        cache: ResultCache | str | os.PathLike | bool | None = True,
        progress: bool = True,
        min_numeric_mass: float = MIN_NUMERIC_MASS,
        scale_max: int = 100,
    ):
        if max_concurrency < 1 or max_retries < 0 or timeout <= 0:
            raise ValueError("need max_concurrency >= 1, max_retries >= 0 and timeout > 0")
        if int(scale_max) not in (9, 100):
            raise ValueError(f"scale_max is 100 (the papers' judge) or 9 (a one-digit judge), not {scale_max!r}")
        self.model = model
        self.api_version = api_version
        self.azure = api_version is not None
        self.base_url = self._resolve_base_url(base_url)
        self.templates = self._load_templates(templates)
        self.max_concurrency = int(max_concurrency)
        self.max_retries = int(max_retries)
        self.timeout = float(timeout)
        self.backoff_base = float(backoff_base)
        self.backoff_max = float(backoff_max)
        self.seed = int(seed)
        self.cache = ResultCache.open(cache)
        self.progress = progress
        self.min_numeric_mass = float(min_numeric_mass)
        self.scale_max = int(scale_max)
        self.name = f"openai:{model}" + ("" if self.scale_max == 100 else f"[0-{self.scale_max}]")
        self.last_summary = JudgeSummary(judge=self.name)
        self._memory: dict[str, dict] = {}
        self._stop = threading.Event()

    # -- configuration ---------------------------------------------------------------------
    def _resolve_base_url(self, base_url: str | None) -> str:
        if self.azure:
            endpoint = base_url or os.environ.get("AZURE_OPENAI_ENDPOINT")
            if not endpoint:
                raise ValueError("Azure needs the resource endpoint: base_url=... or AZURE_OPENAI_ENDPOINT")
            return endpoint.rstrip("/")
        return (base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_BASE_URL).rstrip("/")

    @staticmethod
    def _load_templates(templates: Mapping[str, str] | str | os.PathLike | None) -> dict[str, str]:
        if templates is None:
            return dict(load_judge_prompts())
        if isinstance(templates, (str, os.PathLike)):
            return dict(load_judge_prompts(templates))
        return dict(templates)

    @property
    def key_variable(self) -> str:
        """The environment variable the key is read from."""
        return "AZURE_OPENAI_API_KEY" if self.azure else "OPENAI_API_KEY"

    @property
    def endpoint(self) -> str:
        """What identifies the endpoint in cache keys (never the key)."""
        return f"azure:{self.base_url}?api-version={self.api_version}" if self.azure else self.base_url

    def _api_key(self) -> str:
        key = os.environ.get(self.key_variable, "").strip()
        if not key and not self.azure and _is_loopback(self.base_url):
            return "EMPTY"  # a server on this machine (llama.cpp, vLLM) checks no key unless told to
        if not key:
            raise MissingAPIKeyError(
                f"the openai judge needs an API key in the environment variable {self.key_variable} "
                f"({self.base_url}). Set it in your shell, never in a notebook or a parameter; a local "
                "server that checks no key accepts any value (e.g. EMPTY). Without a key, use the "
                "offline judge."
            )
        return key

    def _client(self, api_key: str) -> openai.AsyncOpenAI:
        common = {"api_key": api_key, "max_retries": 0, "timeout": self.timeout}
        if self.azure:
            return openai.AsyncAzureOpenAI(azure_endpoint=self.base_url, api_version=self.api_version, **common)
        return openai.AsyncOpenAI(base_url=self.base_url, **common)

    def prompt(self, question: str, answer: str, metric: str) -> str:
        """The judge's user message for one pair: the metric's template, filled."""
        return self.templates[metric].format(question=question, answer=answer)

    def request_payload(self, prompt: str) -> dict[str, Any]:
        """Everything that can change the judge's answer to ``prompt`` (hashed into the cache key).

        The scale enters only when it is not the papers' 0..100 (so their cache keys never change).
        """
        payload = {
            "api": "chat.completions",
            "endpoint": self.endpoint,
            "model": self.model,
            "messages": [{"role": "user", "content": prompt}],
            "params": {**REQUEST_PARAMS, "seed": self.seed},
        }
        if self.scale_max != 100:
            payload["scale_max"] = self.scale_max
        return payload

    # -- public API ------------------------------------------------------------------------
    def score(self, pairs: Sequence[tuple[str, str]], metric: str) -> list[float]:
        """Score each (question, answer) pair on ``metric`` (0..100, NaN when unscored or failed)."""
        return self.judge_many(pairs, [metric])[metric]

    def judge_many(
        self, pairs: Sequence[tuple[str, str]], metrics: Iterable[str] = ("aligned", "coherent")
    ) -> dict[str, list[float]]:
        """Score every pair on every metric in one concurrent pass.

        Args:
            pairs: (question, answer) pairs.
            metrics: metric names from the templates.

        Returns:
            metric -> one score per pair (NaN where unscored or failed); the details of the
            pass are in :attr:`last_summary`.
        """
        started = time.perf_counter()
        metrics = list(dict.fromkeys(metrics))
        unknown = [m for m in metrics if m not in self.templates]
        if unknown:
            raise KeyError(f"no judge template for {unknown}; known metrics: {sorted(self.templates)}")
        pairs = [(str(q), str(a)) for q, a in pairs]
        summary = JudgeSummary(judge=self.name, items=len(pairs) * len(metrics))
        if self.cache is not None:
            self.cache.refresh()
        plan, missing = self._plan(pairs, metrics)
        summary.cached = summary.items - sum(1 for keys in plan.values() for key in keys if key in missing)
        summary.requested = len(missing)
        failures: dict[str, _Failure] = {}
        if missing:
            api_key = self._api_key()
            self._stop.clear()
            failures = _run_coroutine(
                lambda: self._request_all(list(missing.values()), api_key, summary), self._stop.set
            )
        scores = self._collect(plan, failures, summary)
        summary.seconds = time.perf_counter() - started
        self.last_summary = summary
        log = logger.warning if summary.failed else logger.info
        log("%s", summary)
        return scores

    # -- internals -------------------------------------------------------------------------

    def _lookup(self, key: str) -> dict | None:
        if key in self._memory:
            return self._memory[key]
        return self.cache.get(key) if self.cache is not None else None

    def _plan(
        self, pairs: Sequence[tuple[str, str]], metrics: Sequence[str]
    ) -> tuple[dict[str, list[str]], dict[str, _Item]]:
        """The cache key of every (metric, pair), and the distinct items not answered yet."""
        plan: dict[str, list[str]] = {}
        missing: dict[str, _Item] = {}
        for metric in metrics:
            keys = plan[metric] = []
            for question, answer in pairs:
                prompt = self.prompt(question, answer, metric)
                key = cache_key(self.request_payload(prompt))
                keys.append(key)
                if key not in missing and self._lookup(key) is None:
                    missing[key] = _Item(key=key, prompt=prompt, metric=metric)
        return plan, missing

    def _collect(
        self, plan: Mapping[str, list[str]], failures: Mapping[str, _Failure], summary: JudgeSummary
    ) -> dict[str, list[float]]:
        scores: dict[str, list[float]] = {}
        errors: Counter[str] = Counter()
        for metric, keys in plan.items():
            column = []
            for index, key in enumerate(keys):
                value = self._lookup(key)
                if value is None:
                    failure = failures.get(key, _Failure("not_requested", "no result"))
                    errors[failure.kind] += 1
                    summary.failed += 1
                    summary.failed_items.append((metric, index))
                    column.append(math.nan)
                    continue
                score, _ = score_from_logprobs(value["top_logprobs"], self.min_numeric_mass, self.scale_max)
                summary.scored += not math.isnan(score)
                summary.unscored += math.isnan(score)
                column.append(score)
            scores[metric] = column
        summary.errors = dict(errors)
        return scores

    async def _request_all(self, items: list[_Item], api_key: str, summary: JudgeSummary) -> dict[str, _Failure]:
        """Send every item (at most ``max_concurrency`` in flight); cache each result on arrival."""
        queue = deque(items)
        failures: dict[str, _Failure] = {}
        client = self._client(api_key)
        bar = tqdm(total=len(items), desc=self.name, unit="req", disable=not self.progress, leave=False)

        async def worker() -> None:  # max_concurrency workers: at most that many requests in flight
            while queue:
                if _cancelling():  # Ctrl-C under asyncio.run cancels the run: take no new items
                    raise asyncio.CancelledError
                item = queue.popleft()
                if self._stop.is_set() or summary.aborted:
                    failures[item.key] = _Failure("not_requested", summary.aborted or "interrupted")
                    continue
                outcome = await self._request_one(client, item, api_key, summary)
                if isinstance(outcome, _Failure):
                    failures[item.key] = outcome
                    self._log_failure(item, outcome, len(failures))
                else:
                    self._store(item, outcome)
                bar.update(1)

        try:
            await asyncio.gather(*(worker() for _ in range(min(self.max_concurrency, len(items)))))
        finally:
            bar.close()
            await client.close()
        return failures

    def _store(self, item: _Item, value: dict) -> None:
        self._memory[item.key] = value
        if self.cache is not None:
            self.cache.put(item.key, value, meta={"judge": self.name, "metric": item.metric})

    def _log_failure(self, item: _Item, failure: _Failure, count: int) -> None:
        if count <= _MAX_LOGGED_FAILURES:
            logger.warning("judge request failed for metric %r: %s: %s", item.metric, failure.kind, failure.message)
        elif count == _MAX_LOGGED_FAILURES + 1:
            logger.warning("more judge requests failed; see the summary at the end")

    async def _request_one(
        self, client: openai.AsyncOpenAI, item: _Item, api_key: str, summary: JudgeSummary
    ) -> dict | _Failure:
        """One item with retries (tenacity, the policy of :meth:`_retryable` and :meth:`_wait`):
        the parsed result, or the final failure."""

        def before_sleep(state: tenacity.RetryCallState) -> None:
            summary.retries += 1
            kind, _ = _classify(state.outcome.exception())
            logger.debug("retrying in %.2f s after %s (attempt %d)", state.next_action.sleep, kind, state.attempt_number)

        retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(self.max_retries + 1) | tenacity.stop_when_event_set(self._stop),
            wait=self._wait,
            retry=tenacity.retry_if_exception(self._retryable),
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    summary.http_requests += 1
                    try:
                        response = await client.chat.completions.create(
                            model=self.model,
                            messages=[{"role": "user", "content": item.prompt}],
                            seed=self.seed,
                            **REQUEST_PARAMS,
                        )
                        return self._parse(response)
                    except Exception as exc:  # noqa: BLE001 - noted here, retried or not by tenacity
                        summary.last_error = self._redact(f"{type(exc).__name__}: {exc}", api_key)
                        if isinstance(exc, tuple(_FATAL)):
                            summary.aborted = summary.aborted or summary.last_error
                        raise
        except Exception as exc:  # noqa: BLE001 - the last attempt's error: every failure is classified, none escapes
            if _cancelling():  # a client that turned the cancellation into an error: cancel anyway
                raise asyncio.CancelledError from exc
            return _Failure(_classify(exc)[0], self._redact(f"{type(exc).__name__}: {exc}", api_key))
        raise AssertionError("unreachable")  # pragma: no cover

    def _retryable(self, exc: BaseException) -> bool:
        """Whether a failed attempt is worth another (rate limits, timeouts, 5xx, connection, malformed)."""
        if not isinstance(exc, Exception) or _cancelling() or self._stop.is_set():
            return False  # CancelledError, KeyboardInterrupt, Ctrl-C: out at once
        return _classify(exc)[1]

    def _wait(self, state: tenacity.RetryCallState) -> float:
        """tenacity's wait: the delay before the attempt after ``state``'s (see :meth:`_delay`)."""
        return self._delay(state.attempt_number - 1, state.outcome.exception())

    def _delay(self, attempt: int, exc: BaseException) -> float:
        """``Retry-After`` when given (plus up to 10% jitter), else jittered exponential backoff."""
        wait = _retry_after(exc)
        if wait is not None:
            return min(self.backoff_max, wait * random.uniform(1.0, 1.1))
        return min(self.backoff_max, self.backoff_base * 2**attempt) * random.uniform(0.5, 1.0)

    @staticmethod
    def _redact(text: str, api_key: str) -> str:
        return redact(text).replace(api_key, REDACTED) if api_key else redact(text)

    def _parse(self, response: Any) -> dict:
        """The cached record of one completion; raises MalformedResponseError when unusable."""
        try:
            first = response.choices[0].logprobs.content[0]
            top = [[str(t.token), float(t.logprob)] for t in first.top_logprobs]
        except (AttributeError, IndexError, TypeError, ValueError) as exc:
            raise MalformedResponseError(f"no top logprobs in the response ({exc})") from exc
        if not top:
            raise MalformedResponseError("empty top_logprobs: does this endpoint support logprobs?")
        score, mass = score_from_logprobs(top, self.min_numeric_mass, self.scale_max)
        return {
            "score": None if math.isnan(score) else score,
            "numeric_mass": mass,
            "token": str(first.token),
            "top_logprobs": top,
            "served_model": getattr(response, "model", None),
            "system_fingerprint": getattr(response, "system_fingerprint", None),
        }

    def __repr__(self) -> str:
        where = self.cache.path if self.cache is not None else "memory"
        return f"OpenAIJudge(model={self.model!r}, endpoint={self.endpoint!r}, cache={str(where)!r})"
