"""Where a model's aliases and tags live upstream, and a client to write them.

The URL of a source comes from, in order: the config's ``[[sources]]`` entry of that name, then
``MLFLOW_TRACKING_URI``, then where the replica last synced that source from.
"""

from __future__ import annotations


def client_for(replica, source: str, configured_url: str | None = None):
    """An MlflowClient for ``source``; raises SourceError when no URL is known. Few, quick
    retries: a responder waits on this, and a write that cannot land is queued instead."""
    import os

    from store.sources.mlflow import MlflowClient

    url = configured_url
    if not url and not os.environ.get("MLFLOW_TRACKING_URI"):
        synced = next(
            (s for s in replica.sources() if s.source == source and s.kind == "mlflow"), None
        )
        url = synced.location if synced is not None and synced.location else None
    return MlflowClient.from_env(url, retries=2, backoff=0.25, timeout=15.0)
