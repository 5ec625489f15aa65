import os
import sys
import uuid

import pytest

# Import the package from this source tree without installing it.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))


@pytest.fixture
def shm_name():
    """A fresh shared-memory name, unlinked after the test if still there."""
    name = f"mapview-pytest-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    yield name
    try:
        os.unlink(f"/dev/shm/{name}")
    except FileNotFoundError:
        pass
