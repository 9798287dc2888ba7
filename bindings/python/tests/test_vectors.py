"""Every conformance vector through the Python API."""

import conftest
import poci
from vectors import REPOSITORY_VECTORS, run_all, vectors_dir


def test_every_vector_passes():
    passed, failures, _ = run_all(vectors_dir())
    conftest.RESULT.update(passed=passed, failed=len(failures))
    print(f"{passed} passed, {len(failures)} failed")
    assert passed > 0
    assert failures == [], "\n".join(failures[:20])


def test_every_error_code_is_exercised():
    _, _, codes = run_all(REPOSITORY_VECTORS)
    # Reserved (SPEC.md 9): no chain passing 6.4 step 6a spends the signature budget.
    assert set(poci.error_codes()) - {"CHAIN_TOO_COMPLEX"} <= codes
