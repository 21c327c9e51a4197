"""The papers' judge protocol on a local model: an OpenAI-compatible llama.cpp server on 127.0.0.1.

The papers judge with GPT-4o through top-20 logprobs (:mod:`em_utils.judge.openai_judge`). This module
runs the *same client code* (cache, retries, the 0.25 numeric-mass rule) against one of the
project's offline models served on this machine by ``llama-cpp-python``'s OpenAI-compatible server
(``python -m llama_cpp.server``), which reads the models' GGUF files directly and returns
``top_logprobs``. Nothing leaves the machine and no key is needed.

One stated adaptation: both offline tokenizers write numbers digit by digit, so a one-token answer
can only be 0..9. The local judge therefore asks for a digit (``data/judge_prompts_digits.yaml``,
the project's 0-9 versions of its prompts) and reads the expectation over the top tokens 0..9,
rescaled to 0..100 (``OpenAIJudge(scale_max=9)``); the GPT-4o path is unchanged.

It is a judge to be *shown for what it is*: a 0.1-0.5B model reading a rubric. Its agreement with
the hand labels is measured in ``benchmarks/judge_local_server.py`` and shown in the book's
how-to page; it does not replace the offline judge.

Pattern::

    with LocalJudgeServer("qwen2.5-coder-0.5b-instruct") as server:   # starts, waits, stops
        judge = server.judge()                      # an OpenAIJudge on server.base_url, 0-9 scale
        scores = judge.judge_many(pairs, ["aligned", "coherent"])

Errors are :class:`JudgeServerError` with what to do: the server package missing (``make
judge-server`` installs it), a port already in use, a server that exits during start-up (the tail
of its log is in the message) or one that does not answer in time.

sources: em_utils/judge/server.py, em_utils/judge/openai_judge.py, data/judge_prompts_digits.yaml
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from ..paths import cache_dir, resolve_data_path

__all__ = ["LocalJudgeServer", "JudgeServerError", "DIGIT_PROMPTS"]

#: The 0-9 judge prompts for a model that writes numbers digit by digit.
DIGIT_PROMPTS = "judge_prompts_digits.yaml"
HOST = "127.0.0.1"


class JudgeServerError(RuntimeError):
    """The local judge server could not be started (the message says why and what to do)."""


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a listener still blocks; TIME_WAIT does not
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _gguf(model: str | os.PathLike) -> Path:
    path = Path(model)
    if path.suffix == ".gguf":
        if not path.is_file():
            raise JudgeServerError(f"no GGUF file at {path}")
        return path
    from ..models import gguf_path

    return gguf_path(str(model))


class LocalJudgeServer:
    """A llama.cpp OpenAI-compatible server for one offline model, as a context manager.

    Args:
        model: an offline model name (``smollm2-135m-instruct``, ``qwen2.5-coder-0.5b-instruct``)
            or a path to a ``.gguf`` file.
        port: the port on 127.0.0.1; ``None`` picks a free one. A port in use is an error.
        threads: CPU threads for the server (default: every core).
        n_ctx: context length (judge prompts with long answers need ~1,000 tokens).
        startup_timeout: seconds to wait for the server to answer.
        log_dir: where the server's log goes (default ``<cache_dir()>/judge_server``).
    """

    def __init__(
        self,
        model: str | os.PathLike = "qwen2.5-coder-0.5b-instruct",
        port: int | None = None,
        *,
        threads: int | None = None,
        n_ctx: int = 2048,
        startup_timeout: float = 180.0,
        log_dir: str | os.PathLike | None = None,
    ):
        self.model = str(model)
        self.alias = Path(self.model).stem if self.model.endswith(".gguf") else self.model
        self.port = port
        self.threads = int(threads or os.cpu_count() or 1)
        self.n_ctx = int(n_ctx)
        self.startup_timeout = float(startup_timeout)
        self.log_dir = Path(log_dir) if log_dir else cache_dir() / "judge_server"
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None

    @property
    def base_url(self) -> str:
        """The server's ``/v1`` URL (set once started)."""
        if self.port is None:
            raise JudgeServerError("the server has not been started")
        return f"http://{HOST}:{self.port}/v1"

    def command(self, gguf: Path) -> list[str]:
        """The server's command line (``logits_all`` so that completions carry logprobs).

        ``llama_cpp.server`` through :mod:`em_utils.judge._llama_server`, which keeps llama.cpp's AMX
        repacking off on CPUs where it crashes.
        """
        return [
            sys.executable, "-m", "em_utils.judge._llama_server", "--model", str(gguf), "--model_alias", self.alias,
            "--host", HOST, "--port", str(self.port), "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.threads), "--n_threads_batch", str(self.threads), "--logits_all", "true",
        ]

    def start(self) -> LocalJudgeServer:
        """Start the server and wait until it answers ``GET /v1/models``."""
        if self.process is not None:
            return self
        if importlib.util.find_spec("llama_cpp") is None:
            raise JudgeServerError(
                "the local judge server needs llama-cpp-python (built from source, a few minutes once): "
                "run `make judge-server`, or `pip install 'llama-cpp-python[server]==0.3.36'`"
            )
        gguf = _gguf(self.model)
        if self.port is None:
            self.port = _free_port()
        elif not _port_free(self.port):
            raise JudgeServerError(
                f"port {self.port} on {HOST} is already in use: stop what listens there, or pass another "
                "port (port=None picks a free one)"
            )
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.log_dir / f"{self.alias}-{self.port}.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(self.command(gguf), stdout=log, stderr=subprocess.STDOUT)
        self._wait()
        return self

    def _log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace") if self.log_path else ""
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _wait(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                self.process = None
                raise JudgeServerError(
                    f"the judge server for {self.model} exited with code {code} while starting "
                    f"(log {self.log_path}):\n{self._log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.25)
        self.stop()
        raise JudgeServerError(
            f"the judge server for {self.model} did not answer within {self.startup_timeout:.0f} s "
            f"(log {self.log_path}):\n{self._log_tail()}"
        )

    def stop(self) -> None:
        """Stop the server (terminate, then kill after 10 s)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def judge(self, **kwargs: Any):
        """An :class:`~em_utils.judge.openai_judge.OpenAIJudge` on this server: 0-9 prompts, ``scale_max=9``.

        Keyword arguments go to ``OpenAIJudge`` (e.g. ``cache=``, ``progress=``). The server runs
        one request at a time, so two in flight keep it busy without queueing timeouts.
        """
        from .openai_judge import OpenAIJudge

        options: dict[str, Any] = {
            "templates": resolve_data_path(DIGIT_PROMPTS), "scale_max": 9, "max_concurrency": 2, "timeout": 300.0,
        }
        options.update(kwargs)
        return OpenAIJudge(model=self.alias, base_url=self.base_url, **options)

    def __enter__(self) -> LocalJudgeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"running on {self.base_url}" if self.process is not None else "stopped"
        return f"LocalJudgeServer({self.model!r}, {state})"
