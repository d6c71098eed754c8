"""A one-line choice among a few values, cycled with left and right: ``◀ SEV2 Major ▶``.

For a form that is filled in from the keyboard: no dropdown to open, and the meaning of the
value shown beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static


class CycleField(Static, can_focus=True):
    BINDINGS = [
        Binding("right,l", "step(1)", "Next", show=False, id="cycle.next"),
        Binding("left,h", "step(-1)", "Previous", show=False, id="cycle.previous"),
    ]
    DEFAULT_CSS = """
    CycleField { height: 1; width: 1fr; background: $boost; padding: 0 1; }
    CycleField:focus { background: $accent 20%; }
    """

    @dataclass
    class Changed(Message):
        field: CycleField
        value: str

        @property
        def control(self) -> CycleField:
            return self.field

    def __init__(self, options: list[tuple[str, str, str]], value: str | None = None, **kw):
        """``options``: (value, label, what it means)."""
        super().__init__("", **kw)
        self.options = options
        values = [o[0] for o in options]
        self.index = values.index(value) if value in values else 0

    @property
    def value(self) -> str:
        return self.options[self.index][0]

    def on_mount(self) -> None:
        self._show()

    def action_step(self, step: int) -> None:
        self.index = (self.index + step) % len(self.options)
        self._show()
        self.post_message(self.Changed(self, self.value))

    def _show(self) -> None:
        _, label, meaning = self.options[self.index]
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("◀ ", style="dim")
        text.append(label, style="bold")
        text.append(" ▶ ", style="dim")
        text.append(meaning, style="dim")
        self.update(text)
