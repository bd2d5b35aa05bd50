import pytest

from pipeline.reference import load_reference


@pytest.fixture(scope="session")
def ref():
    return load_reference()
