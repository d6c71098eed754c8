from textual.screen import Screen


class HotspotsScreen(Screen):
    BINDINGS = []
