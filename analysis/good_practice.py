"""Documents from the good-practice register: one entry as it would be shared, the
"7-minute briefing" (the one-page learning summary safeguarding partnerships circulate), and
an email-ready bulletin of newly shared entries.

Pure functions over frozen ``BriefingEntry`` values; the app converts its rows and applies
pseudonyms (``analysis.anonymise.substitute_document``) before rendering, then
:func:`redacted_briefing` removes whatever the anonymisation scan still finds.
"""

from __future__ import annotations

import html
import re
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
from analysis.documents.model import BulletList, Document, Markdown, Note, Paragraph, Section
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


_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s")


def _first_paragraph(text: str, limit: int = 600) -> str:
    """The opening of Markdown ``text`` within about ``limit`` characters: whole paragraphs and
    whole list items (a list stays a list), then the whole sentences of the next paragraph
    that fit. Only an opening sentence longer than the limit is cut, with an ellipsis."""
    blocks = [b.strip("\n") for b in re.split(r"\n[ \t]*\n", text) if b.strip()]
    kept: list[str] = []
    used = 0
    for block in blocks:
        lines = [line for line in block.splitlines() if line.strip()]
        if all(_LIST_ITEM.match(line) for line in lines):
            items = []
            for line in lines:
                if used + len(line) > limit:
                    break
                items.append(line.rstrip())
                used += len(line) + 1
            if items:
                kept.append("\n".join(items))
            if len(items) < len(lines):
                break
            continue
        flat = " ".join(block.split())
        if used + len(flat) <= limit:
            kept.append(flat)
            used += len(flat) + 2
            continue
        opening = _whole_sentences(flat, limit - used)
        if opening:
            kept.append(opening)
        elif not kept:
            kept.append(_trimmed(flat, limit))
        break
    return "\n\n".join(kept)


def _whole_sentences(text: str, limit: int) -> str:
    """The sentences of ``text`` that fit in ``limit`` characters, whole ("" if none does)."""
    fitted = ""
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
        candidate = f"{fitted} {sentence}".strip()
        if len(candidate) > limit:
            break
        fitted = candidate
    return fitted


def _trimmed(text: str, limit: int) -> str:
    """``text`` on one line within ``limit`` characters: its whole sentences that fit; only a
    first sentence longer than the limit is cut, at a word, with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    whole = _whole_sentences(flat, limit)
    if whole:
        return whole
    cut = flat[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"


def _first_sentence(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    sentence = re.split(r"(?<=[.!?])\s", flat, maxsplit=1)[0]
    return _trimmed(sentence, limit)


def drafts_phrase(drafts: int, total: int) -> str:
    """ "1 of 2 entries is", "3 of 8 entries are": the verb agrees with the drafts."""
    noun = "entry" if total == 1 else "entries"
    return f"{drafts} of {total} {noun} {'is' if drafts == 1 else 'are'}"


def reflection_questions(entries: Sequence[BriefingEntry], limit: int = 4) -> tuple[str, ...]:
    """Questions for a team to talk through, led by the entries' commonest themes."""
    themes = Counter(t for e in entries for t in e.themes)
    questions = [
        f"Where does “{theme}” happen in our own work, and what helps it happen every time?"
        for theme, _ in themes.most_common(2)
    ]
    questions += [
        "What got in the way of this practice the last time it did not happen?",
        "Who do we need to talk to so that it becomes the usual way of working?",
        "How will we know, in three months, that it has spread?",
    ]
    return tuple(questions[:limit])


@dataclass(frozen=True)
class ReviewBrief:
    """What a review's own record says, for the briefing: the case in brief (Markdown, from
    the terms of reference), the review type and period, and facts on why the practice
    matters (how the chronology was appraised, what the review found)."""

    summary: str = ""
    context: str = ""  # "Local child safeguarding practice review, January 2022 to March 2025"
    why: tuple[str, ...] = ()


# The limits that keep a briefing on one page (it is circulated as one page).
BRIEF_SUMMARY_CHARS = 420
WORKED_CHARS = 150
NEXT_CHARS = 120
WHY_DREAMS = 2


def briefing_document(
    entries: Sequence[BriefingEntry],
    *,
    title: str,
    subtitle: str = "",
    brief: ReviewBrief | None = None,
) -> Document:
    """The 7-minute briefing for ``entries``, compact enough for one page: what happened (in
    brief: the review's own summary, or a line per entry), why it matters (from the review,
    the entries' themes and what it would look like every time), what worked (one short item
    per entry: its title and what made it work), what to do next (who will do what), and
    questions to reflect on. Drafts are marked as drafts."""
    drafts = [e for e in entries if e.is_draft]
    happened: list[Paragraph | Markdown | Note | BulletList] = []
    if drafts:
        happened.append(
            Note(
                f"DRAFT: {drafts_phrase(len(drafts), len(entries))} not yet "
                "approved for sharing. Do not circulate this briefing until "
                f"{'it is' if len(drafts) == 1 else 'they are'}."
            )
        )
    if brief is not None and brief.summary.strip():
        happened.append(Markdown(_first_paragraph(brief.summary, BRIEF_SUMMARY_CHARS)))
        if brief.context:
            happened.append(Paragraph(brief.context))
    elif entries:
        happened.append(
            BulletList(
                tuple(
                    f"{e.title}{f' ({e.agency})' if e.agency else ''}: "
                    f"{_first_sentence(e.story, 110)}"
                    for e in entries
                )
            )
        )
    if not entries:
        happened.append(Paragraph("No good practice has been recorded yet."))
    why: list[Paragraph | BulletList] = [Paragraph(line) for line in (brief.why if brief else ())]
    themes = Counter(t for e in entries for t in e.themes)
    if themes:
        why.append(
            Paragraph("Themes: " + ", ".join(f"{t} ({n})" for t, n in themes.most_common(6)) + ".")
        )
    dreams = [e.prompt("dream") for e in entries if e.prompt("dream")][:WHY_DREAMS]
    if dreams:
        why.append(
            Paragraph("If it happened every time: " + " ".join(_trimmed(d, 160) for d in dreams))
        )
    if not why:
        why.append(
            Paragraph(
                "Reviews are geared to what went wrong. Noticing what went well, and why, is how "
                "good practice becomes the usual practice rather than the lucky exception."
            )
        )
    worked = [
        f"{'[Draft] ' if e.is_draft else ''}{e.title}: "
        + _trimmed(e.what_made_it_work or e.prompt("discover") or "not yet recorded", WORKED_CHARS)
        for e in entries
    ]
    next_steps = [
        _trimmed(e.prompt("deliver") or e.prompt("design"), NEXT_CHARS)
        for e in entries
        if e.prompt("deliver") or e.prompt("design")
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
    return Document(title=title, subtitle=subtitle, sections=sections, contents=False, compact=True)


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
