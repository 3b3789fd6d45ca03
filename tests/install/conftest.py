import pytest

from tests.install.multiteam import MultiTeam


@pytest.fixture
def slack(database_url, clock):
    box = MultiTeam(database_url=database_url, clock=clock)
    yield box
    box.close()
