"""``python -m em_utils.judge._llama_server ARGS``: llama-cpp-python's server, minus llama.cpp's AMX buffers.

llama.cpp repacks weights into "extra buffer types" where the CPU allows; on a CPU with AMX (Intel
Sapphire Rapids and later) that is an AMX buffer, and on virtual machines its matrix kernel crashes
the server with a segmentation fault on the first completion (ggml-org/llama.cpp#20824; measured on
this project's Xeon hosts: the server answers ``/v1/models`` and dies on the first request). This
launcher turns the extra buffer types off (``use_extra_bufts``) when the CPU has AMX, or when
``EM_LLAMA_EXTRA_BUFTS=0``, and then runs ``llama_cpp.server`` unchanged with the same arguments.
A judge of a 135M-0.5B model loses little speed without them.
"""

from __future__ import annotations

import os
import runpy
from pathlib import Path


def cpu_has_amx(cpuinfo: str | None = None) -> bool:
    """Whether the CPU flags list AMX.

    >>> cpu_has_amx("flags : fpu avx512f amx_tile amx_int8"), cpu_has_amx("flags : fpu avx2")
    (True, False)
    """
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return False
    return any(line.startswith("flags") and "amx_tile" in line.split() for line in cpuinfo.splitlines())


def extra_buffer_types_wanted(environ: os._Environ | dict | None = None, cpuinfo: str | None = None) -> bool:
    """``EM_LLAMA_EXTRA_BUFTS`` (``0``/``1``) where set, else off on a CPU with AMX.

    >>> extra_buffer_types_wanted({}, "flags : amx_tile"), extra_buffer_types_wanted({"EM_LLAMA_EXTRA_BUFTS": "1"}, "flags : amx_tile")
    (False, True)
    """
    environ = os.environ if environ is None else environ
    setting = environ.get("EM_LLAMA_EXTRA_BUFTS")
    if setting is not None:
        return setting.strip() not in ("0", "false", "no", "")
    return not cpu_has_amx(cpuinfo)


def main() -> None:
    """Patch the model's default parameters where wanted, then run the server module as ``__main__``."""
    if not extra_buffer_types_wanted():
        import llama_cpp.llama_cpp as lib  # the binding module that llama_cpp.llama.Llama calls

        defaults = lib.llama_model_default_params

        def without_extra_bufts():
            params = defaults()
            params.use_extra_bufts = False
            return params

        lib.llama_model_default_params = without_extra_bufts
        print("em_utils: llama.cpp extra buffer types (AMX repacking) off", flush=True)
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
