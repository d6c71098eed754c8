from textual.screen import Screen


class ArtifactScreen(Screen):
    BINDINGS = []

    def __init__(self, artifact_id: str):
        super().__init__()
        self.artifact_id = artifact_id
