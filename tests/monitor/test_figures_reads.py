"""The figures hand the board the vote rounds and reports they read for themselves: the cards,
votes and reports come out as when the board reads its own, on the demo plan."""

from __future__ import annotations

from workflow.engine.audit import utcnow
from workflow.monitor.queries import Board, board, figures


def waiting(the_board: Board) -> list[tuple]:
    return [
        (
            card.commitment.id,
            card.votes_cast,
            card.voters,
            card.sides_not_voted,
            card.voted_by,
            card.unanswered,
            card.report_period,
            card.report_due,
            card.report_waiting_acceptance,
            card.due,
            card.overdue,
        )
        for card in the_board.cards
    ]


def test_figures_see_the_board_the_board_page_sees(demo):
    now = utcnow()
    found = figures(demo, now)
    own = board(demo, now=now)
    assert waiting(found.board) == waiting(own)
    assert found.board.members == own.members
    assert any(card.voters for card in own.cards)  # a vote is open: rounds were compared
    assert any(card.report_period for card in own.cards)  # so are reports
    assert found.outstanding_votes == [
        ("Demo MSF Member (civil society) 2", "civil_society", 1),
        ("Demo MSF Member (government) 1", "government", 1),
        ("Demo MSF Member (government) 2", "government", 1),
    ]
    assert found.reports == {"due": 1, "late": 1, "submitted": 1, "accepted": 2}
    assert [p["done"] for p in found.progress if p["done"]] == [2]
