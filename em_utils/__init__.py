"""em_utils: the shared library of the emergent-misalignment companion.

The modules read as the pipeline: ``paths`` and ``config`` (where things live, profiles and frozen
run configs), ``runs`` (run folders and records), ``data`` (datasets and question sets),
``models`` (loading, chat templates, layers), ``plots`` (figures with provenance captions) and
``cli`` (papermill runs and the book build). Notebooks import the handful of names below.
"""

from .config import PROFILES, ConfigError, RunConfig, make_config, seed_everything
from .data import (
    TRAINING_SETS,
    DataError,
    Question,
    duplicate_summary,
    file_sha256,
    load_judge_prompts,
    load_jsonl,
    load_questions,
    load_sets,
    compare_matched,
    examples_markdown,
    load_question_sets,
    near_duplicates,
    questions_frame,
    summarise_sets,
    to_frame,
)
from .judge import COHERENT_MIN, EM_ALIGNED_MAX, Judge, is_coherent, is_em, judge_frame
from .judge_cache import ResultCache, cache_key
from .judge_openai import JudgeSummary, MissingAPIKeyError, OpenAIJudge, score_from_logprobs
from .models import (
    DEFAULT_MODEL,
    LayerError,
    ModelNotFoundError,
    chat_prompt,
    decoder_layers,
    load_model,
    load_tokenizer,
    num_layers,
    prepare_embedded,
    resolve_layer,
    resolve_layers,
)
from .paths import cache_dir, data_dir, project_root, resolve_data_path, runs_dir
from .plots import caption, plot_answer_lengths, plot_caution, save_figure, set_style
from .runs import MissingRunError, Run, read_record, require_run, start_run
from .training import (
    ORGANISMS,
    OrganismSpec,
    TrainingError,
    adapter_norms,
    organism,
    train,
)

__version__ = "0.1.0"

__all__ = [
    "PROFILES",
    "ConfigError",
    "RunConfig",
    "make_config",
    "seed_everything",
    "TRAINING_SETS",
    "DataError",
    "Question",
    "duplicate_summary",
    "file_sha256",
    "load_judge_prompts",
    "load_jsonl",
    "load_questions",
    "load_sets",
    "compare_matched",
    "examples_markdown",
    "load_question_sets",
    "near_duplicates",
    "questions_frame",
    "summarise_sets",
    "to_frame",
    "COHERENT_MIN",
    "EM_ALIGNED_MAX",
    "Judge",
    "is_coherent",
    "is_em",
    "judge_frame",
    "ResultCache",
    "cache_key",
    "JudgeSummary",
    "MissingAPIKeyError",
    "OpenAIJudge",
    "score_from_logprobs",
    "DEFAULT_MODEL",
    "LayerError",
    "ModelNotFoundError",
    "chat_prompt",
    "decoder_layers",
    "load_model",
    "load_tokenizer",
    "num_layers",
    "prepare_embedded",
    "resolve_layer",
    "resolve_layers",
    "cache_dir",
    "data_dir",
    "project_root",
    "resolve_data_path",
    "runs_dir",
    "caption",
    "plot_answer_lengths",
    "plot_caution",
    "save_figure",
    "set_style",
    "MissingRunError",
    "Run",
    "read_record",
    "require_run",
    "start_run",
    "ORGANISMS",
    "OrganismSpec",
    "TrainingError",
    "adapter_norms",
    "organism",
    "train",
]
