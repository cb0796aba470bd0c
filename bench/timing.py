"""Timing helper shared by the side-by-side scripts (bench/compare_*.py)."""
import time


def best_of(fn, repeat):
    """The fastest of `repeat` calls of fn, in seconds: the least disturbed by whatever else the machine does."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best
