"""The terminal face of model-steward: the `steward` CLI and (soon) the Textual app.

Importing this package imports nothing heavy: the CLI's read path must stay fast.
"""
