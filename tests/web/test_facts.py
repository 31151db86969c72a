"""One conversion of a review's rows into the analysis' facts (app/services/facts.py): the
factor page's checks, the voice of the child in the KPEs and the graph all read a factor's
evidence the same way, and a reader who may not read accounts gets no account refs."""

from __future__ import annotations

from typing import Any

from analysis.factors import EvidenceFacts
from app.services import factors as factor_service
from app.services.facts import account_facts, evidence_facts, factor_facts, link_facts
from app.services.graph import graph_input
from models import Account, Factor, Link, Review
from tests.conftest import World


def test_a_factor_becomes_the_same_facts_for_its_page_and_the_graph(
    world: World, db_session: Any
) -> None:
    review = db_session.get(Review, world.review_id)
    factor = factor_service.factor_by_ref(db_session, review, world.factor_ref)
    assert factor is not None
    factor_service.update_factor(
        session=db_session,
        factor=factor,
        expected_version=factor.version,
        evidence=[
            {"source": "agency_record", "event": world.event_ref},
            {"source": "practitioner_account", "account": world.account_ref},
        ],
    )
    db_session.commit()
    factor = db_session.get(Factor, factor.id)

    facts = factor_facts(factor)
    assert (facts.ref, facts.type, facts.level, facts.label) == (
        factor.ref,
        factor.type,
        factor.level,
        factor.label,
    )
    assert facts.description == factor.description
    assert facts.seips_component == factor.seips_component
    assert set(facts.evidence) == {
        EvidenceFacts(source="agency_record", event=world.event_ref),
        EvidenceFacts(source="practitioner_account", account=world.account_ref),
    }
    # The graph of a reader who may read accounts holds the same evidence; one who may not
    # keeps the evidence but loses the account's ref.
    for show_accounts in (True, False):
        node = next(
            f
            for f in graph_input(db_session, review, show_accounts=show_accounts).factors
            if f.ref == factor.ref
        )
        assert node.evidence == evidence_facts(factor, show_accounts=show_accounts)
    hidden = evidence_facts(factor, show_accounts=False)
    assert {e.account for e in hidden} == {None}
    assert {e.source for e in hidden} == {"agency_record", "practitioner_account"}


def test_accounts_and_links_become_their_facts(world: World, db_session: Any) -> None:
    account = db_session.query(Account).filter_by(review_id=world.review_id).first()
    facts = account_facts(account)
    assert facts.ref == account.ref and facts.kind == account.contributor_kind
    assert facts.events == frozenset(e.ref for e in account.events)
    link = db_session.query(Link).filter_by(review_id=world.review_id).first()
    facts_of_link = link_facts(link)
    assert (facts_of_link.source, facts_of_link.target, facts_of_link.relation) == (
        link.source,
        link.target,
        link.relation,
    )
