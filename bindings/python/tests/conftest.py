"""Prints the conformance closing line `N passed, M failed` after the pytest summary."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

RESULT = {}


def pytest_terminal_summary(terminalreporter):  # noqa: D103 - pytest hook
    if "passed" in RESULT:
        terminalreporter.write_line(f"conformance: {RESULT['passed']} passed, {RESULT['failed']} failed")
