"""Shared test settings.

Hypothesis: no per-example deadline. CI runs on a shared 2-core machine where a slow moment is
not a failure of the code under test; performance is measured in ``benchmarks/`` instead.
"""

from hypothesis import HealthCheck, settings

settings.register_profile("intygscheck", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("intygscheck")
