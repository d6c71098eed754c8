"""Loading the bundled demo catalog (store/data/demo-catalog.json, made by store.demo) and the
demo's incidents (store.demo_incidents)."""

from __future__ import annotations

from importlib.resources import files

from store.replica import Replica

DEMO_SOURCE = "demo"


def demo_catalog_path():
    return files("store.data").joinpath("demo-catalog.json")


def load_demo(replica: Replica, *, reset: bool = False) -> bool:
    """Load the demo catalog unless this replica already holds it. Returns True if it loaded."""
    loaded = any(s.source == DEMO_SOURCE for s in replica.sources())
    if loaded and not reset:
        return False
    path = demo_catalog_path()
    with path.open("rb") as handle:
        from store.snapshot import parse_bytes

        doc = parse_bytes(handle.read(), "demo-catalog.json")
    replica.import_doc(doc, "demo-catalog.json", replace=True, reason="steward demo")
    from store.demo_incidents import seed

    seed(replica.conn)  # the demo's incidents (once: the timeline is append-only)
    return True
