"""The hostile-input suite's figures, printed at the end of every run (`make test` too),
passing or not: how much was tried, how long it took, what got through."""

import pytest

_figures: list[str] = []


@pytest.fixture
def report():
    """`report(line)`: one line for the run's closing summary."""
    return _figures.append


def pytest_terminal_summary(terminalreporter):
    if _figures:
        terminalreporter.section("hostile input")
        for line in _figures:
            terminalreporter.write_line(line)
