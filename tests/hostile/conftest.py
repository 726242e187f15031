"""The hostile-input suite's figures, printed at the end of every run (`make test` too),
passing or not: how much was tried, how long it took, what got through."""

import pytest

FIGURE = "hostile input"


@pytest.fixture
def report(request):
    """`report(line)`: one line for the run's closing summary. Kept on the test's report, so
    that a parallel run's workers hand it to the process that prints the summary."""

    def add(line: str) -> None:
        request.node.user_properties.append((FIGURE, line))

    return add


def pytest_terminal_summary(terminalreporter):
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        # The teardown report has every line, those added by fixtures as they end included.
        if getattr(report, "when", None) == "teardown"
        for name, value in getattr(report, "user_properties", ())
        if name == FIGURE
    ]
    if lines:
        terminalreporter.section(FIGURE)
        for line in lines:
            terminalreporter.write_line(line)
