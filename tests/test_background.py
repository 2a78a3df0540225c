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
    child = job._process
    assert child.is_alive()
    job.cancel()
    assert not child.is_alive()
    job.cancel()  # twice is harmless


def test_children_run_side_by_side_and_start_no_thread(monkeypatch):
    import threading

    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(background, "can_fork", lambda: True)
    threads = threading.active_count()
    jobs = [background.in_background(os.getpid) for _ in range(3)]
    assert threading.active_count() == threads  # so the next fork is as safe as the first
    pids = [job.result() for job in jobs]
    assert len(set(pids)) == 3 and os.getpid() not in pids


def test_a_result_larger_than_a_pipe_buffer_comes_back(forking):
    assert background.in_background(bytes, 10_000_000).result() == bytes(10_000_000)


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


def test_a_child_that_dies_is_a_kg_error(monkeypatch):
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("no fork on this platform")
    from kg.errors import KGError

    monkeypatch.setattr(background, "can_fork", lambda: True)
    job = background.in_background(os._exit, 1, name="the SHACL check")
    with pytest.raises(KGError, match=r"^the SHACL check stopped: its process died "
                                      r"\(out of memory\?\)$"):
        job.result()
