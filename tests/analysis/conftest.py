import pytest

from casemgr.analysis import services


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """The Parquet copies of this test's runs, where both the run and the pages find them."""
    path = tmp_path / "analysis-cache"
    monkeypatch.setattr(services, "default_cache_dir", lambda: path)
    return path
