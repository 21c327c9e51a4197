"""A small OpenAI-compatible HTTP server for testing the ``openai`` judge offline.

It speaks ``POST /v1/chat/completions`` (and Azure's
``POST /openai/deployments/{deployment}/chat/completions?api-version=...``) on 127.0.0.1 with the
real response shape, logprobs included, so the tests go through the real ``openai`` client. What
it answers is scriptable per test: a *script* maps each :class:`Request` to a :class:`Reply`,
built with the helpers below (numeric top-20 answers, non-numeric tokens, low numeric mass, a
status code with ``Retry-After``, a slow answer, a malformed body, a dropped connection). The
server counts requests per distinct prompt (``attempts``) and valid answers sent (``billed``),
tracks how many requests are in flight at once, and can die mid-run (``kill``) and come back on
the same port (``restart``).

Use it through the ``fake_openai`` fixture (import it into a test module)::

    def test_x(fake_openai):
        fake_openai.script = lambda request: numeric_reply({"40": 0.5, "60": 0.5})
        ...  # point a client at fake_openai.base_url
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

__all__ = [
    "FakeOpenAIServer",
    "Request",
    "Reply",
    "completion_body",
    "numeric_reply",
    "default_distribution",
    "status_reply",
    "malformed_reply",
    "drop_reply",
    "fake_openai",
]

Distribution = Mapping[str, float] | Sequence[tuple[str, float]]


@dataclass(frozen=True)
class Request:
    """One request as the server received it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    prompt: str  #: the content of the last user message ("" when absent)
    attempt: int  #: 1 for the first request carrying this prompt, 2 for the second, ...
    number: int  #: 1-based index of this request since the server was created
    time: float  #: ``time.monotonic()`` when the request arrived


@dataclass
class Reply:
    """What the server sends back."""

    status: int = 200
    body: bytes | dict | None = None
    distribution: list[tuple[str, float]] | None = None  #: a completion with these top tokens
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  #: seconds to wait before answering (for timeouts)
    drop: bool = False  #: close the connection without any answer
    billable: bool = False  #: a valid completion (counted in ``billed``)


def _pairs(distribution: Distribution) -> list[tuple[str, float]]:
    items = distribution.items() if isinstance(distribution, Mapping) else distribution
    return [(str(token), float(p)) for token, p in items]


def completion_body(distribution: Distribution, model: str = "gpt-4o-2024-08-06", top_n: int = 20) -> dict:
    """A ``chat.completion`` object whose one generated token has these top-token probabilities.

    Args:
        distribution: token -> probability (or (token, probability) pairs), most likely first
            after sorting; probabilities are written as natural-log ``logprob`` values.
        model: the ``model`` field of the response.
        top_n: how many top tokens to return (the request's ``top_logprobs``).

    Returns:
        The response as a JSON-ready dict, in the shape the OpenAI API returns.
    """
    ranked = sorted(_pairs(distribution), key=lambda item: -item[1])[: max(top_n, 1)]

    def entry(token: str, p: float) -> dict:
        logprob = math.log(p) if p > 0 else -9999.0
        return {"token": token, "logprob": logprob, "bytes": list(token.encode("utf-8"))}

    top = [entry(token, p) for token, p in ranked]
    chosen = dict(top[0]) if top else entry("", 1.0)
    chosen["top_logprobs"] = top if top_n > 0 else []
    return {
        "id": "chatcmpl-fake" + hashlib.sha1(json.dumps(ranked).encode()).hexdigest()[:12],
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": chosen["token"], "refusal": None},
                "logprobs": {"content": [chosen], "refusal": None},
                "finish_reason": "length",
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 1, "total_tokens": 101},
    }


def numeric_reply(distribution: Distribution, delay: float = 0.0) -> Reply:
    """A valid completion with these top-token probabilities (numeric or not)."""
    return Reply(distribution=_pairs(distribution), delay=delay, billable=True)


def default_distribution(prompt: str) -> list[tuple[str, float]]:
    """A deterministic top-20 distribution for a prompt: numbers around a prompt-dependent centre.

    Nineteen integer tokens near a centre in 5..95 and one word (``"I"``) share the mass, so the
    expected score is close to the centre and differs between prompts.
    """
    centre = 5 + int(hashlib.sha256(prompt.encode("utf-8")).hexdigest(), 16) % 91
    tokens = [str(min(100, max(0, centre + offset))) for offset in range(-9, 10)]
    weights = [math.exp(-0.5 * (offset / 3) ** 2) for offset in range(-9, 10)]
    merged: dict[str, float] = {}
    for token, weight in zip(tokens, weights):
        merged[token] = merged.get(token, 0.0) + weight
    total = sum(merged.values()) / 0.9  # 90% numeric mass, 10% on a word
    pairs = [(token, weight / total) for token, weight in merged.items()]
    return pairs + [("I", 0.1)]


def status_reply(status: int, retry_after: float | None = None, message: str = "fake error") -> Reply:
    """An error status with an OpenAI-style error body (and ``Retry-After`` when given)."""
    headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
    body = {"error": {"message": message, "type": "fake_error", "param": None, "code": str(status)}}
    return Reply(status=status, body=body, headers=headers)


def malformed_reply(kind: str = "json") -> Reply:
    """A 200 answer that is not a usable completion.

    Args:
        kind: ``"json"`` (a truncated JSON body), ``"no_logprobs"`` (valid JSON, no logprobs) or
            ``"no_choices"`` (valid JSON, empty ``choices``).
    """
    if kind == "json":
        return Reply(body=b'{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"ind')
    body = completion_body([("50", 1.0)])
    if kind == "no_logprobs":
        body["choices"][0]["logprobs"] = None
    elif kind == "no_choices":
        body["choices"] = []
    else:
        raise ValueError(f"unknown malformed kind {kind!r}")
    return Reply(body=body)


def drop_reply(delay: float = 0.0) -> Reply:
    """Close the connection without answering (what a crashing server does)."""
    return Reply(drop=True, delay=delay)


def _default_script(request: Request) -> Reply:
    return numeric_reply(default_distribution(request.prompt))


class _Handler(BaseHTTPRequestHandler):
    """Routes each POST to the owning :class:`FakeOpenAIServer`."""

    server_version = "FakeOpenAI/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the default stderr log
        return

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.server.owner._handle(self)  # type: ignore[attr-defined]


class FakeOpenAIServer:
    """An OpenAI-compatible chat-completions server on 127.0.0.1, scriptable per test.

    Attributes:
        script: ``Request -> Reply``; the default answers every prompt with
            :func:`default_distribution`.
        attempts: requests received per prompt (every try, failed ones included).
        billed: valid completions sent per prompt (what a real API would bill).
        max_in_flight: the most requests handled at the same time so far.
        requests: every :class:`Request` received, in order.
    """

    def __init__(self, script: Callable[[Request], Reply] | None = None):
        self.script: Callable[[Request], Reply] = script or _default_script
        self.attempts: Counter[str] = Counter()
        self.billed: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.port = 0
        self._lock = threading.Lock()
        self._dead = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` (the Azure endpoint form)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1`` (the OpenAI ``base_url`` form)."""
        return f"{self.root_url}/v1"

    @property
    def alive(self) -> bool:
        """Whether the server accepts and answers requests."""
        return self._httpd is not None and not self._dead.is_set()

    def start(self) -> "FakeOpenAIServer":
        """Listen on a free port (or, after :meth:`kill`, on the same port again)."""
        if self.alive:
            return self
        httpd = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        httpd.owner = self  # type: ignore[attr-defined]
        self.port = httpd.server_address[1]
        self._dead.clear()
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()
        return self

    restart = start

    def kill(self) -> None:
        """Die now: refuse new connections and drop requests being handled. Safe from a script."""
        self._dead.set()
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return

        def _close() -> None:
            httpd.shutdown()
            httpd.server_close()

        if threading.current_thread() is self._thread:  # pragma: no cover - not reachable from handlers
            threading.Thread(target=_close, daemon=True).start()
        else:
            _close()

    close = kill

    def total_attempts(self) -> int:
        """All requests received so far."""
        return sum(self.attempts.values())

    def total_billed(self) -> int:
        """All valid completions sent so far."""
        return sum(self.billed.values())

    # -- request handling ------------------------------------------------------------------
    def _read(self, handler: BaseHTTPRequestHandler) -> Request:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        messages = body.get("messages") or []
        users = [m.get("content", "") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        prompt = users[-1] if users else ""
        with self._lock:
            self.attempts[prompt] += 1
            request = Request(
                path=handler.path,
                headers={k.lower(): v for k, v in handler.headers.items()},
                body=body,
                prompt=prompt if isinstance(prompt, str) else json.dumps(prompt),
                attempt=self.attempts[prompt],
                number=len(self.requests) + 1,
                time=time.monotonic(),
            )
            self.requests.append(request)
        return request

    def _route_ok(self, path: str) -> bool:
        bare = path.split("?", 1)[0]
        return bare == "/v1/chat/completions" or (
            bare.startswith("/openai/deployments/") and bare.endswith("/chat/completions")
        )

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        if self._dead.is_set():
            handler.close_connection = True
            return
        request = self._read(handler)
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if not self._route_ok(request.path):
                reply = status_reply(404, message=f"no route {request.path}")
            else:
                reply = self.script(request)
            self._send(handler, request, reply)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _send(self, handler: BaseHTTPRequestHandler, request: Request, reply: Reply) -> None:
        if reply.delay:
            deadline = time.monotonic() + reply.delay
            while time.monotonic() < deadline and not self._dead.is_set():
                time.sleep(0.005)
        if reply.drop or self._dead.is_set():
            handler.close_connection = True
            return
        body = reply.body
        if reply.distribution is not None:  # answer with what the request asked for
            top_n = int(request.body.get("top_logprobs") or 0) if request.body.get("logprobs") else 0
            body = completion_body(reply.distribution, model=str(request.body.get("model", "")), top_n=top_n)
        data = body if isinstance(body, bytes) else json.dumps(body if body is not None else {}).encode()
        # billed before the bytes go out: a client that has its answer must find it counted (counted
        # after the write, a test on a busy machine could look before this thread got to it)
        billable = reply.billable and reply.status == 200
        if billable:
            with self._lock:
                self.billed[request.prompt] += 1
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
            handler.wfile.flush()
        except OSError:  # the client gave up (timeout): nothing was delivered, nothing billed
            if billable:
                with self._lock:
                    self.billed[request.prompt] -= 1


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    """A started :class:`FakeOpenAIServer`, killed after the test."""
    server = FakeOpenAIServer().start()
    try:
        yield server
    finally:
        server.kill()
