"""em_utils: the shared library of the emergent-misalignment companion.

The modules read as the pipeline: ``paths`` and ``config`` (where things live, profiles and frozen
run configs), ``runs`` (run folders and records), ``data`` (datasets and question sets),
``models`` (loading, chat templates, layers), ``activations`` and ``interventions`` (answer-token
means captured with nnsight; the misalignment direction, steering and ablation), ``adapters``
(rank-1 adapter scalars, probes, adapter steering, the phase transition, a monitor), ``narrow``
(the KL-regularised narrow solution against the general one: learned steering vectors,
efficiency, stability, significance, mitigations), ``plots`` (figures with provenance captions) and
``cli`` (papermill runs and the book build). Notebooks import the handful of names below as ``em.<name>``; each chapter's own recipes are
called through their module (``from em_utils import evaluation`` -> ``evaluation.judged_rates``), and
everything else stays importable from its module.
"""

from . import metrics
from .config import PROFILES, ConfigError, RunConfig, chapter_config, make_config, seed_everything
from .data import DataError, load_jsonl, load_question_sets, load_sets
from .evaluation import BASE, JudgingInputs, load_organism
from .generation import sample_answers
from .interventions import decode_settings, sampling_settings
from .judge import Judge, judge_frame, make_judge
from .metrics import is_coherent, is_em
from .models import DEFAULT_MODEL, load_model, load_model_config, load_tokenizer, num_layers, resolve_layer
from .paths import resolve_data_path
from .plots import save_figure, set_style
from .runs import EarlierRuns, MissingRunError, Run, require_run, start_run
from .training import OrganismSpec, train

__version__ = "0.1.0"

__all__ = [
    # configuration and run records
    "PROFILES", "ConfigError", "RunConfig", "chapter_config", "make_config", "seed_everything",
    "Run", "start_run", "require_run", "MissingRunError", "EarlierRuns", "JudgingInputs",
    # data and models
    "DataError", "load_jsonl", "load_sets", "load_question_sets", "resolve_data_path",
    "DEFAULT_MODEL", "load_model", "load_tokenizer", "load_model_config", "load_organism", "num_layers",
    "resolve_layer",
    # training, sampling, judging
    "OrganismSpec", "train", "sample_answers", "sampling_settings", "decode_settings",
    "BASE", "Judge", "make_judge", "judge_frame", "is_em", "is_coherent", "metrics",
    # figures
    "set_style", "save_figure",
]
