"""The replica's public API: one object per thread, wrapping one SQLite connection.

Everything a screen or a CLI command needs goes through here and comes back as frozen
dataclasses from ``store.models``. No SQL lives outside ``store/``.
"""

from __future__ import annotations

import contextlib
import os
from datetime import timedelta
from typing import TYPE_CHECKING

from store.connection import connect
from store.identity import Identity
from store.owners import owner_report
from store.refs import RefError, resolve

if TYPE_CHECKING:
    from pathlib import Path

    from store.models import Artifact, OwnerReport
    from store.reports import (
        AliasSpan,
        AuditEntry,
        AuditVerdict,
        DeploymentRow,
        Finding,
        Hotspots,
        Lineage,
        SearchHit,
        SourceState,
        VersionDiff,
        VersionRow,
    )

# Query modules are imported inside the methods that use them, so a one-shot CLI read
# (``steward owner X --json``) loads only what it needs.


class Replica:
    def __init__(
        self,
        path: str | Path,
        *,
        who: Identity | None = None,
        readonly: bool = False,
        create: bool = True,
    ):
        self.path = os.fspath(path)
        self.who = who or Identity.current()
        self.readonly = readonly
        self.conn = connect(self.path, create=create, readonly=readonly)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Replica:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # Reads -----------------------------------------------------------------------------------

    def resolve(self, ref: str) -> Artifact:
        return resolve(self.conn, ref)

    def owners(self, ref: str | Artifact) -> OwnerReport:
        return owner_report(self.conn, self._artifact(ref))

    def lineage(self, ref: str | Artifact, direction: str = "both", depth: int = 10) -> Lineage:
        from store import lineage

        return lineage.lineage(self.conn, self._artifact(ref), direction, depth)

    def diff(
        self, after_ref: str | Artifact, before_ref: str | Artifact | None = None
    ) -> VersionDiff:
        from store.diff import default_before, diff_versions, version_of

        after, alias = version_of(self.conn, self._artifact(after_ref))
        if before_ref is None:
            before, why = default_before(self.conn, after, alias)
        else:
            before, _ = version_of(self.conn, self._artifact(before_ref))
            why = "given"
        return diff_versions(self.conn, after, before, why)

    def history(
        self, ref: str | Artifact, alias: str | None = None, at: str | None = None
    ) -> tuple[Artifact, str | None, list[AliasSpan]]:
        """(model, alias, positions). A deployment REF names its alias; an alias the model
        never had is refused with the aliases it has."""
        from store import history

        artifact = self._artifact(ref)
        try:
            model_id, named_alias = history.model_of(self.conn, artifact)
        except ValueError as exc:
            raise RefError(str(exc)) from None
        alias = alias or named_alias
        model = self.resolve(model_id)
        if alias:
            known = sorted({s.alias for s in history.alias_history(self.conn, model_id)})
            if alias not in known:
                listed = ", ".join(known) if known else "none recorded"
                raise RefError(f"{model.name} has no alias {alias!r} (its aliases: {listed})")
        if at:
            return model, alias, history.served_at(self.conn, model_id, at, alias)
        return model, alias, history.alias_history(self.conn, model_id, alias)

    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        from store import search

        return search.search(self.conn, text, limit)

    def check(self, stale_after: timedelta = timedelta(hours=24)) -> list[Finding]:
        from store import governance

        return governance.check(self.conn, stale_after)

    # Triage (store.triage): paged, indexed reads for the terminal UI --------------------------

    def deployments(self, limit: int = 200, offset: int = 0) -> list[DeploymentRow]:
        from store import triage

        return triage.deployments(self.conn, limit, offset)

    def count_deployments(self) -> int:
        from store import triage

        return triage.count_deployments(self.conn)

    def versions(self, ref: str | Artifact) -> list[VersionRow]:
        """The versions of the model a model, version or deployment REF belongs to."""
        from store import triage

        return triage.versions(self.conn, self._model_id(self._artifact(ref)))

    def hotspots(self, stale_after: timedelta = timedelta(hours=24), limit: int = 50) -> Hotspots:
        from store import triage

        return triage.hotspots(self.conn, self.check(stale_after), limit)

    def finding_counts(self, stale_after: timedelta = timedelta(hours=24)) -> dict[str, int]:
        from store import triage

        return triage.finding_counts(self.check(stale_after))

    def data_version(self) -> int:
        """Changes when another connection commits: poll it to know when to re-read."""
        from store import triage

        return triage.data_version(self.conn)

    def findings_for(
        self, artifact: Artifact, stale_after: timedelta = timedelta(hours=24)
    ) -> list[Finding]:
        """Findings about the artifact; for a deployment also about the version it serves and
        its model, for a version also about its model."""
        from store.diff import version_of

        ids = {artifact.id}
        if artifact.kind in ("deployment", "model_version") and artifact.model_id:
            ids.add(artifact.model_id)
        if artifact.kind == "deployment":
            with contextlib.suppress(RefError):  # it may serve nothing the replica knows
                ids.add(version_of(self.conn, artifact)[0].id)
        return [f for f in self.check(stale_after) if f.artifact_id in ids]

    def sources(self) -> list[SourceState]:
        from store.reports import SourceState

        rows = self.conn.execute(
            "SELECT source, kind, location, data_as_of, last_attempt, last_success, last_error,"
            " last_error_at FROM sync_state ORDER BY source"
        ).fetchall()
        return [SourceState(*r) for r in rows]

    def counts(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT kind, count(*) FROM artifacts GROUP BY kind"))

    def audit_entries(self, limit: int = 50, offset: int = 0) -> list[AuditEntry]:
        from store import audit

        return audit.entries(self.conn, limit=limit, offset=offset)

    def audit_verify(self, expect_head: str | None = None) -> AuditVerdict:
        """The audit log's chain, then the incident timeline's: the first break in either."""
        from store import audit, incidents

        verdict = audit.verify(self.conn, expect_head)
        if verdict.ok:
            timeline = incidents.verify(self.conn)
            if not timeline.ok:
                return timeline
        return verdict

    # Writes (each one transaction, each one audited) ------------------------------------------

    def import_file(self, path: str | Path, *, replace: bool = False, reason: str | None = None):
        from store.snapshot import gc_paused, import_snapshot, load_file

        with gc_paused():
            doc = load_file(path)
            return import_snapshot(
                self.conn, doc, str(path), self.who, replace=replace, reason=reason
            )

    def import_doc(self, doc: dict, name: str, *, replace: bool = False, reason: str | None = None):
        from store.snapshot import import_snapshot

        return import_snapshot(self.conn, doc, name, self.who, replace=replace, reason=reason)

    def export_file(self, path: str | Path, source: str | None = None) -> tuple[dict, int]:
        from store.snapshot import export_snapshot, write_snapshot

        if source is None:  # one source keeps its name, so export -> import -> export is stable
            names = [s.source for s in self.sources()]
            source = names[0] if len(names) == 1 else f"replica:{os.path.basename(self.path)}"
        doc = export_snapshot(self.conn, source)
        return doc, write_snapshot(doc, path)

    def freshness(self) -> dict:
        """How old the replica is: the newest successful refresh of any source."""
        from store.clock import age

        sources = self.sources()
        last = max((s.last_success for s in sources if s.last_success), default=None)
        old = age(last)
        return {
            "refreshed": last,
            "age_seconds": int(old.total_seconds()) if old is not None else None,
            "failing": sorted(s.source for s in sources if s.last_error),
        }

    # Syncs (each one transaction; a failure changes nothing and is recorded) -----------------

    def sync_mlflow(
        self,
        name: str,
        url: str | None,
        keys=None,
        progress=None,
        client=None,
        accept_deletions: bool = False,
    ):
        """Mirror an MLflow registry. Raises SyncError (one line naming the endpoint)."""
        import time

        from store.config import TagKeys
        from store.errors import SyncError
        from store.sources.mlflow import MlflowClient, SourceError
        from store.sources.mlflow_catalog import read_mlflow
        from store.sync import apply, record_failure

        started = time.perf_counter()
        location = url or os.environ.get("MLFLOW_TRACKING_URI") or ""
        try:
            client = client or MlflowClient.from_env(url)
            with client:
                desired = read_mlflow(
                    client, name, location, self.conn, keys or TagKeys(), progress
                )
        except SourceError as exc:
            record_failure(self.conn, name, "mlflow", location, str(exc))
            raise SyncError(f"sync {name}: {exc}") from None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            message = f"unexpected response from MLflow at {location}: {type(exc).__name__}: {exc}"
            record_failure(self.conn, name, "mlflow", location, message)
            raise SyncError(f"sync {name}: {message}") from None
        desired.stats["read_seconds"] = round(time.perf_counter() - started, 3)
        try:
            summary = apply(self.conn, desired, self.who, accept_deletions=accept_deletions)
        except SyncError as exc:
            record_failure(self.conn, name, "mlflow", location, str(exc))
            raise
        summary.stats["apply_seconds"] = round(summary.seconds, 3)
        summary.seconds = time.perf_counter() - started  # reading and writing, end to end
        return summary

    def sync_file(self, name: str | None, location: str, *, reason: str | None = None):
        """Load a snapshot from a path or an http(s) URL, merged like `steward import`."""
        from store.errors import SnapshotError, SyncError
        from store.snapshot import gc_paused, import_snapshot, load_file, parse_bytes, prepare
        from store.sync import record_failure

        label = name or os.path.basename(location.rstrip("/")) or location
        try:
            with gc_paused():
                if location.startswith(("http://", "https://")):
                    doc = parse_bytes(_fetch(location), location)
                else:
                    doc = load_file(location)
                prepared = prepare(doc, location)
                return import_snapshot(
                    self.conn, prepared, location, self.who, reason=reason, source=(label, "file")
                )
        except (SnapshotError, SyncError) as exc:
            record_failure(self.conn, label, "file", location, str(exc))
            raise

    # Actions (store.rollback, store.handoff, store.outbox): decision rights from the playbook,
    # the local record, audit row and outbox entry in one transaction, then a push upstream ----

    def rights(self, playbook=None):
        """The playbook's decision rights for the acting user (``store.rights``): under
        ``playbook``, else under the playbooks steward loads (the last good set)."""
        from store.rights import load_rights, rights_for

        if playbook is not None:
            return rights_for(self.conn, playbook, self.who.user)
        return load_rights(self.conn, self.who.user)

    def upstream(self, ref: str | Artifact) -> tuple[str, str | None]:
        """(source name, kind) the model behind ``ref`` was synced from: where its aliases and
        owner tags live (kind ``mlflow``), or None when that source was never synced here."""
        from store.rollback import model_and_alias, upstream_of

        model, _, _ = model_and_alias(self.conn, self._artifact(ref), None)
        return upstream_of(self.conn, model)

    def plan_rollback(self, ref: str | Artifact, alias: str | None = None, to: str | None = None):
        """What a rollback of ``ref``'s ``alias`` would do: a ``RollbackPlan`` (reads only)."""
        from store.rollback import plan

        return plan(self.conn, ref, alias, to)

    def rollback(
        self,
        plan,
        client,
        *,
        rights=None,
        incident: str | None = None,
        run_id: str | None = None,
        reason: str | None = None,
    ):
        """Carry out a ``RollbackPlan``: an ``ExecuteResult`` (applied, queued or conflict).
        Raises ``RightsError`` / ``PreflightError`` / ``ActionError`` before writing."""
        from store.rollback import execute

        return execute(
            self.conn,
            plan,
            self.who,
            client,
            rights=rights or self.rights(),
            incident=incident,
            run_id=run_id,
            reason=reason,
        )

    def outbox(self, limit: int = 50, pending_only: bool = False):
        """Outbox entries, newest first (or only those not yet pushed, oldest first)."""
        from store import outbox

        return outbox.pending(self.conn) if pending_only else outbox.entries(self.conn, limit)

    def retry_outbox(self, client_for_source):
        """Push every queued entry once; ``client_for_source(name)`` builds a client."""
        from store import outbox

        return outbox.retry_all(self.conn, client_for_source, self.who)

    def handoff(
        self,
        ref: str | Artifact,
        type: str,  # noqa: A002
        to: str,
        client,
        *,
        keys=None,
        rights=None,
        from_person: str | None = None,
        reason: str | None = None,
        incident: str | None = None,
        push_upstream: bool | None = None,
    ):
        """Hand ``type`` (primary/backup) ownership of ``ref``'s model to ``to``."""
        from store.config import TagKeys
        from store.handoff import handoff

        return handoff(
            self.conn,
            ref,
            type,
            to,
            self.who,
            client,
            keys or TagKeys(),
            rights or self.rights(),
            reason,
            from_person=from_person,
            incident=incident,
            push_upstream=push_upstream,
        )

    def _artifact(self, ref: str | Artifact) -> Artifact:
        return ref if not isinstance(ref, str) else self.resolve(ref)

    @staticmethod
    def _model_id(artifact: Artifact) -> str:
        if artifact.kind == "model":
            return artifact.id
        if artifact.kind in ("model_version", "deployment") and artifact.model_id:
            return artifact.model_id
        raise RefError(f"{artifact.label} is a {artifact.kind}; versions belong to models")


def _fetch(url: str) -> bytes:
    import httpx

    from store.errors import SyncError

    try:
        response = httpx.get(url, timeout=60.0, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise SyncError(f"GET {url}: {exc}") from None
    if response.status_code != 200:
        raise SyncError(f"GET {url}: HTTP {response.status_code}")
    return response.content
