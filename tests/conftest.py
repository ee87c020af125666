import pytest


@pytest.fixture(autouse=True)
def _db_access_for_all(db: None) -> None:
    """Most tests touch the directory; give them the database without a marker each."""
