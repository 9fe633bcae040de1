"""The multi-server test runs only when asked for (``-m multiserver``, as ``.ci/run`` and
``make test-multiserver`` do): it starts two app servers, a worker, HAProxy and an S3 server (about
five minutes). Asked for, it fails (never skips) when PostgreSQL, Redis or HAProxy is missing."""

import pytest


def pytest_collection_modifyitems(config, items):
    asked = "multiserver" in (config.getoption("markexpr") or "")
    for item in items:
        if "tests/multiserver/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.multiserver)
            if not asked:
                item.add_marker(pytest.mark.skip(reason="multi-server test: run by .ci/run (make test-multiserver)"))
