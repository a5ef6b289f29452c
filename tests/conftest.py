"""Shared test settings.

Hypothesis: no per-example deadline. CI runs on a shared 2-core machine where a slow moment is
not a failure of the code under test; performance is measured in ``benchmarks/`` instead.
"""

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("intygscheck", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("intygscheck")


@pytest.fixture(autouse=True, scope="session")
def _shipped_fmb_table(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test uses the FMB table shipped with the package, whatever this machine imported
    (a user table would change the limits the tests expect). Subprocesses inherit it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INTYGSCHECK_FMB_TABLE", str(tmp_path_factory.mktemp("fmb") / "absent.json"))
        yield
