"""Learning workshops: planning, joining with a code, what the room says (notes, proposed
factors, votes), moderation back into the review, and closing.

Participants see only the workshop's snapshot: the chosen part of the review's graph, taken
when the workshop was created, with every real name in it replaced by its pseudonym.

One module a concern, every name re-exported here (``from app.services import workshops``):

- ``snapshot``: the material (``build_snapshot``) and ``RoomView``, how the room sees it.
- ``planning``: planning and changing a workshop, its join code, listing, closing.
- ``participants``: joining, notes, proposals, votes and drafts, leaving.
- ``wall``: the room wall (only what was let through, with upvotes), kept until it changes.
- ``moderation``: the facilitator's board, and showing, hiding or bringing back items.
- ``into_review``: accepted notes into the group account, accepted proposals as factors.
- ``presenter``: presenter mode's slides and the hindsight guard.
"""

from __future__ import annotations

from app.services.chronology import kpes_of
from app.services.workshops.into_review import (
    group_account,
    moderate_note,
    moderate_proposal,
    note_as_markdown,
)
from app.services.workshops.moderation import (
    STATUS_LABELS,
    board,
    hide_note,
    hide_proposal,
    note_item,
    proposal_item,
    restore_note,
    restore_proposal,
    show_note,
    show_proposal,
    summary,
    waiting,
)
from app.services.workshops.participants import (
    NOTE_PROMPTS,
    add_note,
    cast_vote,
    check_node,
    check_open,
    join_workshop,
    leave_workshop,
    normalise_code,
    notes_of,
    open_workshop_by_code,
    participant_count,
    proposals_of,
    propose_factor,
    save_draft,
    vote_counts,
    votes_of,
    withdraw_vote,
)
from app.services.workshops.planning import (
    DEFAULT_VOTES,
    GRAPH_VIEWS,
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    MAX_VOTES,
    WORKSHOP_FIELDS,
    close_workshop,
    create_workshop,
    default_questions,
    factor_votes,
    join_qr_svg,
    new_join_code,
    record_vote_totals,
    update_workshop,
    workshop_item,
    workshops_of,
)
from app.services.workshops.presenter import (
    REVEAL_STEPS,
    episode_factor_refs,
    known_at_kpe,
    presenter_slides,
    reveal_nodes,
    stage,
)
from app.services.workshops.snapshot import (
    RoomView,
    build_snapshot,
    room_view,
    room_warnings,
    snapshot_nodes,
    upstream,
)
from app.services.workshops.wall import (
    ANONYMOUS,
    author,
    is_on_wall,
    room,
    room_text,
    toggle_upvote,
    upvote_counts,
)

__all__ = [
    "ANONYMOUS",
    "DEFAULT_VOTES",
    "GRAPH_VIEWS",
    "JOIN_CODE_ALPHABET",
    "JOIN_CODE_LENGTH",
    "MAX_VOTES",
    "NOTE_PROMPTS",
    "REVEAL_STEPS",
    "STATUS_LABELS",
    "WORKSHOP_FIELDS",
    "RoomView",
    "add_note",
    "author",
    "board",
    "build_snapshot",
    "cast_vote",
    "check_node",
    "check_open",
    "close_workshop",
    "create_workshop",
    "default_questions",
    "episode_factor_refs",
    "factor_votes",
    "group_account",
    "hide_note",
    "hide_proposal",
    "is_on_wall",
    "join_qr_svg",
    "join_workshop",
    "known_at_kpe",
    "kpes_of",
    "leave_workshop",
    "moderate_note",
    "moderate_proposal",
    "new_join_code",
    "normalise_code",
    "note_as_markdown",
    "note_item",
    "notes_of",
    "open_workshop_by_code",
    "participant_count",
    "presenter_slides",
    "proposal_item",
    "proposals_of",
    "propose_factor",
    "record_vote_totals",
    "restore_note",
    "restore_proposal",
    "reveal_nodes",
    "room",
    "room_text",
    "room_view",
    "room_warnings",
    "save_draft",
    "show_note",
    "show_proposal",
    "snapshot_nodes",
    "stage",
    "summary",
    "toggle_upvote",
    "update_workshop",
    "upstream",
    "upvote_counts",
    "vote_counts",
    "votes_of",
    "waiting",
    "withdraw_vote",
    "workshop_item",
    "workshops_of",
]
