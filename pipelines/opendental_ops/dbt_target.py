"""Which dbt target a command builds, and the schema each of the dbt project's layers gets there, for the code
that reads dbt's tables by name (the quality report, the simulated week).

The rule is dbt's (dbt_project/profiles.yml and macros/generate_schema_name.sql): target ``prod``, the default,
is production and builds into the schemas as named (``staging``, ``snapshots``, ``masked``, ``monitoring``,
``elementary``); target ``dev`` (``DBT_TARGET=dev``) builds beside it into ``<OPENDENTAL_DBT_SCHEMA>_<layer>``
(``dev_staging``, ...). tests/dbt/test_dbt_targets.py holds this module to what dbt itself resolves.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

PROD = "prod"
TARGETS = (PROD, "dev")
DEV_SCHEMA = "dev"


def target_name(env: Mapping[str, str] | None = None) -> str:
    """The target dbt builds with ``env`` (default: this process's): DBT_TARGET, else profiles.yml's ``prod``."""
    env = os.environ if env is None else env
    name = env.get("DBT_TARGET") or PROD
    if name not in TARGETS:
        raise ValueError(
            f"DBT_TARGET={name!r} is not a target of dbt_project/profiles.yml; use one of {', '.join(TARGETS)}"
        )
    return name


def dbt_schema(layer: str, env: Mapping[str, str] | None = None) -> str:
    """The schema of ``layer`` (a custom schema of dbt_project.yml: staging, snapshots, masked, monitoring,
    elementary) in the target of ``env``: the layer itself in prod, ``<OPENDENTAL_DBT_SCHEMA>_<layer>`` elsewhere."""
    env = os.environ if env is None else env
    if target_name(env) == PROD:
        return layer
    return f"{env.get('OPENDENTAL_DBT_SCHEMA', DEV_SCHEMA)}_{layer}"
