"""Key remapping from the config's ``[keys]`` table: binding id -> keys.

Every binding in the app has an id; an id the app does not know is reported (file, key, the ids
there are) instead of being silently ignored.
"""

from __future__ import annotations

from textual.binding import Binding

from tui.settings import Settings


def binding_ids() -> dict[str, Binding]:
    """Every binding with an id, across the app, its screens and widgets."""
    from tui.app import StewardApp
    from tui.screens.artifact import ArtifactScreen
    from tui.screens.base import PanedScreen
    from tui.screens.checklist import ChecklistScreen
    from tui.screens.choose import ChooseModal
    from tui.screens.confirm import ConfirmModal
    from tui.screens.error import ErrorModal
    from tui.screens.help import HelpScreen
    from tui.screens.home import HomeScreen
    from tui.screens.hotspots import HotspotsScreen
    from tui.screens.incident import IncidentScreen
    from tui.screens.incident_form import IncidentForm
    from tui.screens.incidents import IncidentsScreen
    from tui.screens.note import NoteModal
    from tui.screens.search import SearchScreen
    from tui.widgets.cycle import CycleField
    from tui.widgets.rows_table import RowsTable

    out: dict[str, Binding] = {}
    for owner in (
        StewardApp,
        HomeScreen,
        SearchScreen,
        PanedScreen,
        ArtifactScreen,
        HotspotsScreen,
        HelpScreen,
        ErrorModal,
        ChecklistScreen,
        NoteModal,
        ConfirmModal,
        ChooseModal,
        IncidentsScreen,
        IncidentScreen,
        IncidentForm,
        RowsTable,
        CycleField,
    ):
        for binding in owner.BINDINGS:
            if isinstance(binding, Binding) and binding.id:
                out[binding.id] = binding
    return out


def check_keymap(settings: Settings) -> tuple[dict[str, str], str | None]:
    """(the keymap to apply, a problem to report or None)."""
    if not settings.keymap:
        return {}, None
    known = binding_ids()
    good = {k: v for k, v in settings.keymap.items() if k in known}
    unknown = sorted(set(settings.keymap) - set(known))
    if unknown:
        where = settings.config_path or "config"
        return good, (
            f"{where}: keys.{unknown[0]}: unknown binding id (known: {', '.join(sorted(known))})"
        )
    return good, None
