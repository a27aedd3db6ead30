"""Where things live. Nothing here is computed at import time."""

from __future__ import annotations

import os
from pathlib import Path

GUIDE_ENV = "DLSTUDY_GUIDE"
HOME_ENV = "DLSTUDY_HOME"
DATABASE_URL_ENV = "DLSTUDY_DATABASE_URL"
DATABASE_NAME = "dlstudy.db"


def shipped_guide() -> Path:
    """The guide that ships with dlstudy: inside the installed package, or in a source checkout."""
    packaged = Path(__file__).parent / "data" / "topics.yaml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "data" / "topics.yaml"


def guide_path() -> Path:
    """The guide in use: `DLSTUDY_GUIDE` if set, else the shipped one."""
    override = os.environ.get(GUIDE_ENV)
    return Path(override).expanduser() if override else shipped_guide()


def data_dir() -> Path:
    """The learner's data folder: `DLSTUDY_HOME` if set, else the platform's user data folder."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_data_path("dlstudy", appauthor=False)


def cache_dir() -> Path:
    """Where the parsed guide is kept between runs: beside the data under `DLSTUDY_HOME`, else the user cache."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser() / "cache"
    import platformdirs

    return platformdirs.user_cache_path("dlstudy", appauthor=False)


_chosen_url: list[str] = []  # the root option `--database-url`, for the command being run


def choose_database_url(url: str | None) -> None:
    """The `--database-url` of the command being run (None when it has ended), ahead of the environment."""
    _chosen_url[:] = [] if url is None else [url]


def database_url() -> str | None:
    """The database on a server, as a SQLAlchemy URL (`--database-url`, else `DLSTUDY_DATABASE_URL`);
    None: the SQLite file in the data folder."""
    return (_chosen_url[0] if _chosen_url else os.environ.get(DATABASE_URL_ENV, "")).strip() or None


def database_path() -> Path:
    return data_dir() / DATABASE_NAME


def backups_dir() -> Path:
    return data_dir() / "backups"
