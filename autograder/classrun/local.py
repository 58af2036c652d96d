"""The local executor: a pool of worker processes on this machine, one student each at a time."""
import contextlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed

from ..engine.job import grade_student


def run_locally(todo, assignment, source_dir, limits, workers, insecure):
    """Yield (student, key, record) as a local pool of ``workers`` processes finishes them."""
    # spawn: workers start clean, with no threads inherited from this process (the sandbox forks).
    context = multiprocessing.get_context("spawn")
    with single_threaded_blas(), ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(grade_student, s, str(p), assignment, str(source_dir), limits, None,
                               insecure): (s, key)
                   for s, (p, key) in todo.items()}
        for future in as_completed(futures):
            student, key = futures[future]
            try:
                record = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker died: infrastructure, not the student
                record = {"student": student, "not_graded": f"the grading worker failed ({type(exc).__name__})"}
            yield student, key, record


@contextlib.contextmanager
def single_threaded_blas():
    """Workers inherit this environment when they start (this pool's, and the mutation audit's).
    One BLAS thread each: with a thread per core in every worker, idle BLAS threads spin and two
    workers ran no faster than one."""
    names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    saved = {n: os.environ.get(n) for n in names}
    os.environ.update({n: "1" for n in names})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
