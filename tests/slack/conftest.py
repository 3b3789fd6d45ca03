import pytest

from bot.sandbox.harness import Sandbox


@pytest.fixture(params=["http", "socket"])
def sandbox(request, database_url, clock):
    with Sandbox(database_url=database_url, mode=request.param, clock=clock) as box:
        yield box


@pytest.fixture
def http_sandbox(database_url, clock):
    with Sandbox(database_url=database_url, mode="http", clock=clock) as box:
        yield box
