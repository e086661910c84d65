"""Contract tests: commands in, rendered replies out, through the real dispatcher.

The ``garde`` and ``say`` fixtures live in ``tests/conftest.py`` (adapter tests use them
too); ``TODAY`` and ``NOW`` are re-exported here for the tests that import them.
"""

from tests.conftest import NOW, TODAY

__all__ = ["NOW", "TODAY"]
