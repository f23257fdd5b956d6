"""Shared test settings.

Hypothesis profiles, chosen with the environment variable HYPOTHESIS_PROFILE:

* ``ci`` (default): 50 examples per property, so that the whole suite stays
  fast enough to run on every change;
* ``thorough``: many thousands of examples per property, for a run before a release or after
  a change to the scanner, the rewriter or a table::

      HYPOTHESIS_PROFILE=thorough pytest tests/test_properties.py
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The commands the tests run share one cache of built tables, not the user's, removed at exit.
# One for the whole run: the process that starts pytest makes it, and the xdist workers it
# starts inherit its name, so each table (and the filter of other languages' words, 4 s to
# build) is built once per run, not once per worker. Concurrent writers are safe: the cache
# writes each file beside its target and renames it, and makes its secret with a link.
_CACHE = os.environ.get("NORMALISE_TEST_CACHE_DIR")
if _CACHE is None:
    _CACHE = tempfile.mkdtemp(prefix="normalise-test-cache-")
    os.environ["NORMALISE_TEST_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
os.environ["NORMALISE_CACHE_DIR"] = _CACHE


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes several seconds (deselect with -m 'not slow')")
