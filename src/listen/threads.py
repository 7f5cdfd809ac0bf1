"""The environment variables that set thread counts, in one place for the CLI and the workers.

Light on purpose: the CLI imports it before anything else, for every command.
"""

from __future__ import annotations

__all__ = ["BLAS_VARIABLES", "ENGINE_VARIABLES", "THREAD_VARIABLES"]

ENGINE_VARIABLES = ("LISTEN_ENGINE_THREADS", "OMP_NUM_THREADS")
"""Environment variables the engines read for their thread counts: each worker's engine gets
its share of the cores."""
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
"""Environment variables numpy's BLAS reads for its thread count, when numpy is first
imported: one thread, in the CLI's process and in every worker. listen's own matrix products
(the K-weighting, the true-peak filter) are small, the other cores belong to the engine and
the encoder, and an idle BLAS thread spins on its core (with ``--jobs 1`` it doubled the
worker's CPU time)."""
THREAD_VARIABLES = ENGINE_VARIABLES + BLAS_VARIABLES
"""Every thread-count variable a worker sets."""
