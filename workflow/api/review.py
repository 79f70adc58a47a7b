"""API routes: comments with their reasoned responses, and the MSF vote."""

from __future__ import annotations

from flask import url_for

from ..review import queries
from ..review.operations import add_comment, cast_vote, respond_to_comment
from . import serialize
from .core import Reply, created, current_user, json_body, route
from .inputs import parse_comment, parse_response, parse_vote
from .loaders import visible_comment, visible_commitment


@route("/commitments/<int:commitment_id>/comments")
def list_comments(commitment_id: int) -> Reply:
    """List the comments on a commitment with their responses."""
    commitment = visible_commitment(commitment_id)
    return {"comments": [serialize.comment(c) for c in queries.commitment_comments(commitment)]}


@route("/commitments/<int:commitment_id>/comments", methods=["POST"])
def post_comment(commitment_id: int) -> Reply:
    """Comment on a draft or one field of it."""
    commitment = visible_commitment(commitment_id)
    wanted = parse_comment(json_body())
    comment = add_comment(commitment, current_user(), wanted.body, wanted.field)
    return created(serialize.comment(comment), url_for(".show_comment", comment_id=comment.id))


@route("/comments/<int:comment_id>")
def show_comment(comment_id: int) -> Reply:
    """Return one comment."""
    comment, _ = visible_comment(comment_id)
    return serialize.comment(comment)


@route("/comments/<int:comment_id>/response", methods=["POST"])
def respond(comment_id: int) -> Reply:
    """Give the reasoned response to a comment."""
    comment, commitment = visible_comment(comment_id)
    wanted = parse_response(json_body())
    respond_to_comment(comment, commitment, current_user(), wanted.response, wanted.outcome)
    return serialize.comment(comment)


@route("/commitments/<int:commitment_id>/votes", methods=["POST"])
def vote(commitment_id: int) -> Reply:
    """Cast the caller's vote in the current round."""
    # cast_vote locks the row, so concurrent votes are counted one at a time.
    commitment = visible_commitment(commitment_id)
    wanted = parse_vote(json_body())
    cast, round_ = cast_vote(commitment, current_user(), wanted.decision, wanted.comment)
    return {
        "vote": serialize.vote(cast),
        "tally": serialize.tally(queries.with_voters(round_)),
        "commitment": {
            "id": commitment.id,
            "state": commitment.state,
            "version": commitment.version,
            "state_changed_at": serialize.timestamp(commitment.state_changed_at),
        },
    }, 201
