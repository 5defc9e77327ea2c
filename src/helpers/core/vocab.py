"""The project's domain vocabulary: names every layer shares.

Chapters, parameter validation and the publishing tools all speak of SCO
statuses, the five Central Asian states and the trade flows a reader may
choose. They live here, in the core, so that a chapter module never has to
import the parameter machinery (or anything above it) to know them. Standard
library only, like the rest of what the command line imports before a kernel
starts.
"""

from __future__ import annotations

#: SCO statuses from the closest tie to the loosest (display order everywhere).
STATUS_ORDER = ("member", "observer", "dialogue_partner", "partner")

#: Categories of the trips' outcomes, in display order (the xi_outcomes schema's enum).
OUTCOME_CATEGORIES = ("security", "trade", "energy", "transport", "people_to_people", "institutional")

#: The five Central Asian states, in the order every chapter lists them.
CENTRAL_ASIA = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
#: Trade flows a reader can choose, and the flow of the data each reads
#: (balance is computed from the two flows).
TRADE_FLOW_OF_CHOICE = {"total": "total", "exports": "china_exports", "imports": "china_imports", "balance": "balance"}


def reporter_sides(reporter: str) -> tuple[str, ...]:
    """The sides whose figures a run with ``reporter`` draws: ``("china", "partner")`` for "both"."""
    return ("china", "partner") if reporter == "both" else (reporter,)


def kind_words(kind: str) -> str:
    """A source kind as a reader reads it: ``state_media`` -> "state media"."""
    return str(kind).replace("_", " ")
