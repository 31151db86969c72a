"""Documents from the good-practice register: one entry as it would be shared, the
"7-minute briefing" (the one-page learning summary safeguarding partnerships circulate), and
an email-ready bulletin of newly shared entries.

Pure functions over frozen ``BriefingEntry`` values; the app converts its rows and applies
pseudonyms (``analysis.anonymise.substitute_document``) before rendering, then
:func:`redacted_briefing` removes whatever the anonymisation scan still finds.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from analysis.anonymise import (
    REDACTED,
    Hit,
    RegisterPerson,
    redact,
    redact_document,
    scan_document,
    substitute,
)
from analysis.documents import BulletList, Document, Markdown, Note, Paragraph, Section
from analysis.markdown import render_markdown
from analysis.taxonomy import FOUR_D_PROMPTS

DRAFT_NOTE = "Draft: not yet approved for sharing."


@dataclass(frozen=True)
class BriefingEntry:
    """One register entry as the outputs need it (agency already named safely)."""

    ref: str
    title: str
    story: str
    what_made_it_work: str = ""
    agency: str = ""
    themes: tuple[str, ...] = ()
    four_d: tuple[tuple[str, str], ...] = ()  # (discover|dream|design|deliver, text)
    is_draft: bool = True
    source: str = ""

    def prompt(self, key: str) -> str:
        """The entry's answer to one 4-D prompt, or ""."""
        return next((text for k, text in self.four_d if k == key), "")


def _heading(entry: BriefingEntry) -> str:
    return f"{entry.title} (draft)" if entry.is_draft else entry.title


def entry_document(entry: BriefingEntry) -> Document:
    """One entry with everything it says: what is scanned before it is shared."""
    blocks: list[Paragraph | Markdown | BulletList | Note] = []
    if entry.is_draft:
        blocks.append(Note(DRAFT_NOTE))
    if entry.agency:
        blocks.append(Paragraph(f"Agency: {entry.agency}"))
    blocks.append(Markdown(entry.story))
    sections = [Section(_heading(entry), tuple(blocks))]
    if entry.what_made_it_work:
        sections.append(Section("What made it work", (Markdown(entry.what_made_it_work),), level=2))
    for key, text in entry.four_d:
        sections.append(Section(FOUR_D_PROMPTS.get(key, key), (Markdown(text),), level=2))
    if entry.themes:
        sections.append(Section("Themes", (BulletList(entry.themes),), level=2))
    return Document(title=entry.title, sections=tuple(sections), contents=False)


def _first_paragraph(text: str, limit: int = 600) -> str:
    para = next((p.strip() for p in text.split("\n\n") if p.strip()), "")
    return para if len(para) <= limit else para[: limit - 1].rstrip() + "…"


def reflection_questions(entries: Sequence[BriefingEntry]) -> tuple[str, ...]:
    """Questions for a team to talk through, led by the entries' commonest themes."""
    themes = Counter(t for e in entries for t in e.themes)
    questions = [
        f"Where does “{theme}” happen in our own work, and what helps it happen every time?"
        for theme, _ in themes.most_common(3)
    ]
    questions += [
        "What got in the way of this practice the last time it did not happen?",
        "Who do we need to talk to so that it becomes the usual way of working?",
        "How will we know, in three months, that it has spread?",
    ]
    return tuple(questions)


def briefing_document(
    entries: Sequence[BriefingEntry], *, title: str, subtitle: str = ""
) -> Document:
    """The 7-minute briefing for ``entries``: what happened (in brief), why it matters, what
    worked, what to do next, questions to reflect on. Drafts are marked as drafts."""
    drafts = [e for e in entries if e.is_draft]
    head: list[Paragraph | Note] = []
    if drafts:
        head.append(
            Note(
                f"DRAFT: {len(drafts)} of {len(entries)} entries are not yet approved for "
                "sharing. Do not circulate this briefing until they are."
            )
        )
    if not entries:
        head.append(Paragraph("No good practice has been recorded yet."))
    happened: list[Paragraph | Markdown | Note] = [*head]
    for entry in entries:
        prefix = "[Draft] " if entry.is_draft else ""
        agency = f" ({entry.agency})" if entry.agency else ""
        happened.append(Paragraph(f"{prefix}{entry.title}{agency}"))
        happened.append(Markdown(_first_paragraph(entry.story)))
    themes = Counter(t for e in entries for t in e.themes)
    why: list[Paragraph | BulletList] = [
        Paragraph(
            "Reviews are geared to what went wrong. Noticing what went well, and why, is how "
            "good practice becomes the usual practice rather than the lucky exception."
        )
    ]
    dreams = [f"{e.title}: {e.prompt('dream')}" for e in entries if e.prompt("dream")]
    if dreams:
        why.append(Paragraph("If it happened every time:"))
        why.append(BulletList(tuple(dreams)))
    if themes:
        why.append(Paragraph("Themes:"))
        why.append(BulletList(tuple(f"{t} ({n})" for t, n in themes.most_common())))
    worked = [
        f"{e.title}: {e.what_made_it_work or e.prompt('discover') or 'not yet recorded'}"
        for e in entries
    ]
    next_steps = [
        f"{e.title}: {' '.join(x for x in (e.prompt('design'), e.prompt('deliver')) if x)}"
        for e in entries
        if e.prompt("design") or e.prompt("deliver")
    ]
    sections = (
        Section("What happened, in brief", tuple(happened)),
        Section("Why it matters", tuple(why)),
        Section("What worked", (BulletList(tuple(worked)),) if worked else ()),
        Section(
            "What to do next",
            (BulletList(tuple(next_steps)),)
            if next_steps
            else (Paragraph("Agree with your team who will do what to spread it."),),
        ),
        Section("Questions to reflect on", (BulletList(reflection_questions(entries)),)),
    )
    if drafts and not subtitle.startswith("DRAFT"):
        subtitle = f"DRAFT: {subtitle}" if subtitle else "DRAFT"
    return Document(title=title, subtitle=subtitle, sections=sections, contents=False)


_P = "margin:0 0 12px 0;font-family:Arial,Helvetica,sans-serif;font-size:16px;color:#0b0c0c"
_H = "margin:24px 0 8px 0;font-family:Arial,Helvetica,sans-serif;color:#0b0c0c"


def bulletin_html(entries: Sequence[BriefingEntry], *, title: str, intro: str = "") -> str:
    """An email-ready HTML bulletin: one table-free column with inline styles (mail clients
    drop style sheets). Text is escaped; Markdown goes through the sanitiser."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title></head>",
        '<body style="margin:0;padding:24px;background:#ffffff">',
        '<div style="max-width:640px;margin:0 auto">',
        f'<h1 style="{_H};font-size:28px">{html.escape(title)}</h1>',
    ]
    if intro:
        parts.append(f'<p style="{_P}">{html.escape(intro)}</p>')
    if not entries:
        parts.append(f'<p style="{_P}">Nothing new has been shared.</p>')
    for entry in entries:
        parts.append(f'<h2 style="{_H};font-size:22px">{html.escape(entry.title)}</h2>')
        if entry.agency:
            parts.append(f'<p style="{_P};color:#505a5f">{html.escape(entry.agency)}</p>')
        parts.append(f'<div style="{_P}">{render_markdown(entry.story)}</div>')
        if entry.what_made_it_work:
            parts.append(f'<h3 style="{_H};font-size:18px">What made it work</h3>')
            parts.append(f'<div style="{_P}">{render_markdown(entry.what_made_it_work)}</div>')
        if entry.themes:
            themes = ", ".join(html.escape(t) for t in entry.themes)
            parts.append(f'<p style="{_P};font-size:14px">Themes: {themes}</p>')
        parts.append('<hr style="border:0;border-top:1px solid #b1b4b6;margin:24px 0">')
    parts.append("</div></body></html>")
    return "\n".join(parts)


def pseudonymised(entry: BriefingEntry, register: Sequence[RegisterPerson]) -> BriefingEntry:
    """``entry`` with real names from ``register`` replaced by their pseudonyms."""
    if not register:
        return entry

    def sub(text: str) -> str:
        return substitute(text, register) if text else text

    return replace(
        entry,
        title=sub(entry.title),
        story=sub(entry.story),
        what_made_it_work=sub(entry.what_made_it_work),
        themes=tuple(sub(t) for t in entry.themes),
        four_d=tuple((k, sub(v)) for k, v in entry.four_d),
    )


def redacted_briefing(
    document: Document,
    entries: Sequence[BriefingEntry],
    *,
    register: Sequence[RegisterPerson],
    places: Sequence[str] = (),
) -> tuple[Document, list[Hit]]:
    """A briefing ``document`` of ``entries`` (both already pseudonymised) with every
    identifying detail the anonymisation scan finds replaced by :data:`REDACTED`, and the hits.

    When anything was removed, a notice opens the briefing: how many details, and which entries
    (by ref and title, themselves cleaned) must be fixed at source before it is circulated.
    """
    clean, hits = redact_document(document, register=register, places=places)
    if not hits:
        return clean, hits
    to_fix = [
        f"{entry.ref} “{redact(entry.title, register=register, places=places)[0]}”"
        for entry in entries
        if scan_document(entry_document(entry), register=register, places=places)
    ]
    count = len(hits)
    where = "; ".join(to_fix) if to_fix else "the review's own details"
    notice = Note(
        f"Identifying details removed: the anonymisation check found {count} "
        f"detail{'s' if count != 1 else ''} that could identify someone (such as a name, "
        f"address, postcode, phone number or date of birth). "
        f"{'They are' if count != 1 else 'It is'} shown as {REDACTED}. Do not circulate this "
        f"briefing until the entries are fixed at source in the register: {where}."
    )
    first, *rest = clean.sections or (Section("What happened, in brief"),)
    sections = (replace(first, blocks=(notice, *first.blocks)), *rest)
    return replace(clean, sections=sections), hits
