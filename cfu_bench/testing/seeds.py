"""The one seed every randomized test derives its randomness from.

`CFU_BENCH_SEED` (an integer) when set, else `DEFAULT_SEED`, so that a plain run (and CI) is
deterministic and any failure is reproduced by setting the variable to the seed it printed.
Each test draws from its own stream, `derive(base, *salt)`, so adding a test or reordering
them never changes what another test sees.
"""
import hashlib
import os
import random

ENV_VAR = "CFU_BENCH_SEED"
DEFAULT_SEED = 20261202


def base_seed() -> int:
    text = os.environ.get(ENV_VAR, "").strip()
    if not text:
        return DEFAULT_SEED
    try:
        return int(text, 0)
    except ValueError:
        raise ValueError(f"{ENV_VAR} must be an integer, got {text!r}") from None


def derive(*salt) -> int:
    """A 32-bit seed for one consumer, fixed by the base seed and the salt (e.g. a test name)."""
    text = ":".join(str(s) for s in (base_seed(), *salt))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def rng(*salt) -> random.Random:
    return random.Random(derive(*salt))


def np_rng(*salt):
    import numpy as np
    return np.random.default_rng(derive(*salt))


def reproduce_hint() -> str:
    return f"{ENV_VAR}={base_seed()} reproduces this run"
