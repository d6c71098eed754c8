"""Stewardship playbooks as data (roles, decision rights, escalation, checklists).

Arrives with the playbooks issue; the package exists now so the layout and the import-hygiene
test cover it from the start. Never imports textual.
"""
