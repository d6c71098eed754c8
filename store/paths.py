"""Where steward keeps its files: the platform data dir, unless the user names a path."""

from __future__ import annotations

import os
from pathlib import Path

APP = "model-steward"


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False)


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP, appauthor=False)


def default_replica() -> Path:
    """``STEWARD_DB`` if set, else ``replica.db`` in the platform data dir."""
    env = os.environ.get("STEWARD_DB")
    return Path(env) if env else data_dir() / "replica.db"


def demo_replica() -> Path:
    return data_dir() / "demo.db"
