"""Help for the screen underneath: what it shows, and every key that works there, with the
binding id to remap it in the config's [keys] table."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

# Screens' own words for keys that only make sense once explained.
_DESCRIBE = {"app.pop_screen": "Back", "quit_or_back": "Quit (back on inner screens)"}


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close help", id="help.close"),
        Binding("j,down", "scroll(1)", "Scroll down", show=False, id="help.down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id="help.up"),
    ]

    def __init__(self, screen: Screen):
        super().__init__()
        self.target = screen

    def compose(self) -> ComposeResult:
        name = getattr(self.target, "TITLE", None) or type(self.target).__name__.replace(
            "Screen", ""
        )
        with VerticalScroll(id="help-box"):
            yield Label(f"Help: {name}", id="help-title")
            about = getattr(self.target, "HELP", "") or (self.target.__doc__ or "")
            yield Static(" ".join(about.split()), id="help-about")
            yield Static(self._keys(), id="help-keys")
            yield Label("esc close · keys remap in the config's [keys] table", id="help-foot")

    def _keys(self) -> Table:
        table = Table(box=None, padding=(0, 1), show_header=True, header_style="bold")
        table.add_column("key", no_wrap=True)
        table.add_column("does")
        table.add_column("id", style="dim", no_wrap=True)
        grouped: dict[tuple, list[str]] = {}
        bindings: dict[tuple, Binding] = {}
        for key, active in self.target.active_bindings.items():
            binding = active.binding
            if not binding.id:  # Textual's own (focus, copy); ours all have ids
                continue
            slot = (binding.id or binding.action, binding.action)
            grouped.setdefault(slot, []).append(self.app.get_key_display(binding) or key)
            bindings[slot] = binding
        for slot, keys in grouped.items():
            binding = bindings[slot]
            what = binding.description or _DESCRIBE.get(binding.action, binding.action)
            shown = " ".join(dict.fromkeys(keys))
            table.add_row(Text(shown, style="bold"), what, binding.id or "")
        return table

    def action_scroll(self, step: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=step, animate=False)

    def action_dismiss(self) -> None:
        self.dismiss(None)
