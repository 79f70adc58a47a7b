"""API routes: comments with their reasoned responses, and the MSF vote."""

from __future__ import annotations

from flask import url_for

from ..review import queries
from ..review import schemas as review
from ..review.operations import add_comment, cast_vote, respond_to_comment
from . import serialize
from .core import Body, Reply, created, current_user, route
from .loaders import visible_comment, visible_commitment


@route(
    "/commitments/<int:commitment_id>/comments",
    reply=review.CommentList,
    tag="review",
    summary="Comments and their responses",
)
def list_comments(commitment_id: int) -> Reply:
    """List the comments on a commitment with their responses."""
    commitment = visible_commitment(commitment_id)
    return review.CommentList(
        comments=[serialize.comment(c) for c in queries.commitment_comments(commitment)]
    )


@route(
    "/commitments/<int:commitment_id>/comments",
    "POST",
    body=review.CommentInput,
    reply=review.Comment,
    status=201,
    tag="review",
    summary="Comment on the draft or one field of it",
    operation_id="addComment",
)
def post_comment(commitment_id: int, body: Body[review.CommentInput]) -> Reply:
    """Comment on a draft or one field of it."""
    commitment = visible_commitment(commitment_id)
    wanted = body()
    comment = add_comment(commitment, current_user(), wanted.body, wanted.field)
    return created(serialize.comment(comment), url_for(".show_comment", comment_id=comment.id))


@route("/comments/<int:comment_id>", reply=review.Comment, tag="review", summary="One comment")
def show_comment(comment_id: int) -> Reply:
    """Return one comment."""
    comment, _ = visible_comment(comment_id)
    return serialize.comment(comment)


@route(
    "/comments/<int:comment_id>/response",
    "POST",
    body=review.ResponseInput,
    reply=review.Comment,
    tag="review",
    summary="Give the reasoned response to a comment (drafters and the point of contact)",
    operation_id="respondToComment",
)
def respond(comment_id: int, body: Body[review.ResponseInput]) -> Reply:
    """Give the reasoned response to a comment."""
    comment, commitment = visible_comment(comment_id)
    wanted = body()
    respond_to_comment(comment, commitment, current_user(), wanted.response, wanted.outcome)
    return serialize.comment(comment)


@route(
    "/commitments/<int:commitment_id>/votes",
    "POST",
    body=review.VoteInput,
    reply=review.VoteResult,
    status=201,
    tag="review",
    summary="Vote in the current MSF round; the deciding vote fires approve or reject",
    operation_id="castVote",
)
def vote(commitment_id: int, body: Body[review.VoteInput]) -> Reply:
    """Cast the caller's vote in the current round."""
    # cast_vote locks the row, so concurrent votes are counted one at a time.
    commitment = visible_commitment(commitment_id)
    wanted = body()
    cast, round_ = cast_vote(commitment, current_user(), wanted.decision, wanted.comment)
    return review.VoteResult(
        vote=serialize.vote(cast),
        tally=serialize.tally(queries.with_voters(round_)),
        commitment=review.VotedCommitment(
            id=commitment.id,
            state=commitment.state,
            version=commitment.version,
            state_changed_at=commitment.state_changed_at,
        ),
    ), 201
