import pytest

from socle.cas import login_page
from socle.core import versioned


@pytest.fixture(autouse=True)
def _db_access_for_all(db: None) -> None:
    """Most tests touch the directory; give them the database without a marker each."""


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> None:
    """Each test starts like a new process: a rolled-back database hands out the same primary
    keys again, so no per-process copy may survive from the previous test."""
    versioned.forget_all()
    login_page.forget_all()
