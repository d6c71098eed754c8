"""Provenance as an expandable tree: where an artifact came from (deployment -> version -> run ->
datasets) and what depends on it, built from one ``Replica.lineage(ref, "both", depth)`` answer.

Node data is a key: an artifact id for artifact nodes, ``#...`` for the branches and facts (params,
metrics, commit). A node is found again after a refill by its path of keys, so a replica change
keeps what was expanded and where the cursor was.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from store.models import KIND_RANK
from tui.render_detail import num

KIND = {
    "model": "model",
    "model_version": "version",
    "deployment": "deploy",
    "run": "run",
    "dataset": "dataset",
}
BRANCHES = (("up", "#up", "came from (upstream)"), ("down", "#down", "used by (downstream)"))


class ProvenanceTree(Tree[str]):
    """Enter on an artifact posts ``Chosen``; space expands or collapses."""

    @dataclass
    class Chosen(Message):
        tree: ProvenanceTree
        artifact_id: str

        @property
        def control(self) -> ProvenanceTree:
            return self.tree

    def __init__(self, **kwargs) -> None:
        super().__init__(Text("loading…", style="italic"), data="#root", **kwargs)
        self.auto_expand = False
        self.lineage = None

    # -- filling ------------------------------------------------------------------------------

    def show(self, lineage) -> None:
        if lineage == self.lineage:
            return  # nothing changed: keep the tree exactly as the user left it
        state = self._state() if self.lineage is not None else None
        self.lineage = lineage
        nodes = {n.artifact.id: n for n in lineage.nodes}
        links: dict[str, dict[str, list]] = {"up": {}, "down": {}}
        for e in lineage.edges:
            links["up"].setdefault(e.downstream, []).append((e.relation, e.upstream))
            links["down"].setdefault(e.upstream, []).append((e.relation, e.downstream))
        root = nodes[lineage.root.id]
        self.reset(self._label(root, None), "#root")
        self._facts(self.root, root)
        for direction, key, title in BRANCHES:
            if links[direction].get(lineage.root.id):
                branch = self.root.add(Text(title, style="italic"), key)
                self._grow(branch, lineage.root.id, links[direction], nodes, direction, set())
        if not self.root.children:
            self.root.add_leaf(Text("no lineage recorded", style="italic"), "#none")
        if lineage.truncated:
            self.root.add_leaf(Text("(truncated: too many nodes)", style="yellow"), "#more")
        self._restore(state) if state else self._expand_defaults()

    def _grow(self, branch: TreeNode, node_id: str, links, nodes, direction, seen) -> None:
        seen.add(node_id)
        for relation, other in sorted(links.get(node_id, []), key=lambda x: _order(x, nodes)):
            node = nodes.get(other)
            if node is None or (direction == "up") != (node.depth > 0):
                continue
            child = branch.add(self._label(node, relation), other)
            if other in seen:
                child.allow_expand = False
                child.label = child.label + Text("  (shown above)", style="dim")
                continue
            self._facts(child, node)
            self._grow(child, other, links, nodes, direction, seen)
            if not child.children:
                child.allow_expand = False

    def _facts(self, parent: TreeNode, node) -> None:
        if node.code_commit:
            parent.add_leaf(Text.assemble(("commit ", "bold"), node.code_commit[:12]), "#commit")
        if node.metrics:
            group = parent.add(Text(f"metrics ({len(node.metrics)})", style="bold"), "#metrics")
            for k, v in node.metrics.items():
                group.add_leaf(Text.assemble((k, "dim"), f" {num(v)}"), f"#m:{k}")
        if node.params:
            group = parent.add(Text(f"params ({len(node.params)})", style="bold"), "#params")
            for k, v in node.params.items():
                group.add_leaf(Text.assemble((k, "dim"), f" {v}"), f"#p:{k}")
        a = node.artifact
        if a.kind == "dataset" and a.uri:
            parent.add_leaf(Text.assemble(("uri ", "bold"), a.uri), "#uri")

    @staticmethod
    def _label(node, relation: str | None) -> Text:
        a = node.artifact
        text = Text()
        if relation:
            text.append(f"{relation} ", style="dim")
        text.append(KIND.get(a.kind, a.kind) + " ", style="cyan")
        name = a.label if a.kind != "run" else f"{a.name} ({a.id.rsplit('/', 1)[-1][:8]})"
        text.append(name, style="bold")
        if a.digest:
            text.append(f"  {a.digest[:8]}", style="dim")
        if a.deleted_upstream:
            text.append("  deleted upstream", style="yellow")
        return text

    # -- expansion ----------------------------------------------------------------------------

    def _expand_defaults(self) -> None:
        """Root and both branches open; then the path to the first run, with its metrics."""
        self.root.expand()
        for branch in self.root.children:
            if branch.data in ("#up", "#down"):
                branch.expand()
        kinds = {n.artifact.id: n.artifact.kind for n in self.lineage.nodes}
        path = [self.root] if self.lineage.root.kind == "run" else _first_run(self.root, kinds)
        for node in path or []:
            node.expand()
        for child in path[-1].children if path else ():
            if child.data == "#metrics":
                child.expand()

    def _state(self) -> tuple[set, tuple | None]:
        expanded = {_path(n) for n in _walk(self.root) if n.is_expanded}
        cursor = self.cursor_node
        return expanded, _path(cursor) if cursor is not None else None

    def _restore(self, state) -> None:
        expanded, cursor = state
        target = None
        for node in _walk(self.root):
            path = _path(node)
            if path in expanded:
                node.expand()
            if path == cursor:
                target = node
        if target is not None:
            self.call_after_refresh(self.move_cursor, target)

    # -- choosing -----------------------------------------------------------------------------

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        key = event.node.data or ""
        if key.startswith("#"):
            event.node.toggle()
        else:
            self.post_message(self.Chosen(self, key))

    def current_artifact(self) -> str | None:
        node = self.cursor_node
        key = node.data if node is not None else None
        return key if key and not key.startswith("#") else None


def _order(link, nodes) -> tuple:
    relation, other = link
    node = nodes.get(other)
    a = node.artifact if node else None
    number = -int(a.version) if a and a.version and a.version.isdigit() else 0
    return (relation, KIND_RANK.get(a.kind, 9) if a else 9, number, a.label if a else other)


def _walk(node: TreeNode):
    yield node
    for child in node.children:
        yield from _walk(child)


def _path(node: TreeNode) -> tuple:
    keys = []
    while node is not None:
        keys.append(node.data)
        node = node.parent
    return tuple(reversed(keys))


def _first_run(node: TreeNode, kinds: dict[str, str], trail: tuple = ()) -> list | None:
    """The nodes from a branch down to the first run (depth first, upstream before downstream)."""
    for child in node.children:
        key = child.data or ""
        if kinds.get(key) == "run":
            return [*trail, child]
        if child.children and (key in ("#up", "#down") or key in kinds):
            found = _first_run(child, kinds, (*trail, child))
            if found:
                return found
    return None
