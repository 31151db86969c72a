"""A review's rows as the analysis' plain facts: the one place a factor, its evidence, an
account or a link becomes the dataclass the checks in ``analysis.factors`` and the graph in
``analysis.graph`` read. The factor pages, the voice of the child in the KPEs and the graph all
convert here, so they judge the same factor the same way."""

from __future__ import annotations

from analysis.factors import AccountFacts, EvidenceFacts, FactorFacts, LinkFacts
from models import Account, Factor, Link


def evidence_facts(factor: Factor, *, show_accounts: bool = True) -> tuple[EvidenceFacts, ...]:
    """What each piece of the factor's evidence rests on: its source kind and the refs of the
    event and the account. Without ``show_accounts`` (for a reader who may not read accounts)
    no account ref is kept."""
    return tuple(
        EvidenceFacts(
            source=e.source,
            event=e.event.ref if e.event else None,
            account=e.account.ref if e.account and show_accounts else None,
        )
        for e in factor.evidence
    )


def factor_facts(factor: Factor, *, show_accounts: bool = True) -> FactorFacts:
    """The factor as ``analysis.factors`` checks it (its warnings, wording, triangulation)."""
    return FactorFacts(
        ref=factor.ref,
        type=factor.type,
        level=factor.level,
        label=factor.label,
        description=factor.description,
        seips_component=factor.seips_component,
        evidence=evidence_facts(factor, show_accounts=show_accounts),
    )


def account_facts(account: Account) -> AccountFacts:
    """The account's contributor kind and the refs of the events it speaks to."""
    return AccountFacts(
        ref=account.ref,
        kind=account.contributor_kind,
        events=frozenset(e.ref for e in account.events),
    )


def link_facts(link: Link) -> LinkFacts:
    return LinkFacts(source=link.source, target=link.target, relation=link.relation)
