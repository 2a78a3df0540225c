"""kg.background: one call in a forked child, its result or error handed back."""

from __future__ import annotations

import os
import time

import pytest

import kg.background as background
from kg.errors import ValidationError


@pytest.fixture(params=[True, False], ids=["forked", "inline"])
def forking(request, monkeypatch):
    if request.param and "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(background, "can_fork", lambda: request.param)
    return request.param


def test_result_comes_back_from_the_child(forking):
    pid = background.in_background(os.getpid).result()
    assert (pid != os.getpid()) is forking


def test_arguments_reach_the_child_without_pickling(forking):
    unpicklable = lambda x: x * 2  # noqa: E731  (a lambda cannot be pickled)
    assert background.in_background(lambda f, n: f(n), unpicklable, 21).result() == 42


def test_a_kg_error_is_raised_by_result_with_its_message(forking):
    def fail():
        raise ValidationError("the built graph violates kg's SHACL shapes")

    job = background.in_background(fail)
    with pytest.raises(ValidationError, match="^the built graph violates kg's SHACL shapes$"):
        job.result()


def test_cancel_ends_the_child(monkeypatch):
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(background, "can_fork", lambda: True)
    job = background.in_background(time.sleep, 60)
    children = list(job._pool._processes.values())
    assert children and all(p.is_alive() for p in children)
    job.cancel()
    assert not any(p.is_alive() for p in children)
    job.cancel()  # twice is harmless


def test_can_fork_is_false_while_another_thread_runs():
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert background.can_fork() is False
    finally:
        stop.set()
        thread.join()
