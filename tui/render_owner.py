"""Owners and how to reach them, as short rich Text for headers and previews."""

from __future__ import annotations

from rich.text import Text


def reach(person) -> str:
    """The ways to reach a person: email, then chat handle or phone."""
    ways = [w for w in (person.email, person.contact) if w]
    return " · ".join(dict.fromkeys(ways)) or "no contact on record"


def contacts_line(report) -> Text:
    """``primary Rosa Santos rsantos@… · @rosa   backup …``, one line per role that exists."""
    text = Text(no_wrap=False)
    if report.primary:
        for o in report.primary:
            text.append("primary ", style="bold")
            text.append(f"{o.person.name} ", style="bold")
            text.append(reach(o.person) + "\n")
    else:
        text.append("primary NONE: nobody answers for this\n", style="bold red")
    if report.backup:
        for o in report.backup:
            text.append("backup  ", style="bold")
            text.append(f"{o.person.name} ")
            text.append(reach(o.person) + "\n")
    else:
        text.append("backup  none\n", style="yellow")
    if report.team:
        team = report.team
        oncall = team.oncall and f"on-call {team.oncall}"
        ways = " · ".join(w for w in (team.channel, team.email, oncall) if w)
        text.append("team    ", style="bold")
        text.append(f"{team.name} {ways}".rstrip())
    if report.inherited:
        text.append(f"\n(inherited from {report.owners_from.label})", style="dim")
    text.rstrip()
    return text
