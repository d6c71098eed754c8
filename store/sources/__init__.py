"""Readers of upstream catalogs (MLflow) used by the sync engine; loaded only by sync."""
