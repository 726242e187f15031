"""Waiting for something another process or thread does: poll, never sleep and hope."""

import time


def wait_for(condition, seconds: float = 20.0) -> bool:
    """True as soon as `condition()` is, False if it never is within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
