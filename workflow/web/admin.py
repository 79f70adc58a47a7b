"""Administration: accounts (open, invite, deactivate) and organisations."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..accounts.invitations import invite_account
from ..accounts.models import Organisation, User
from ..accounts.operations import deactivate_user
from ..accounts.permissions import can_manage_accounts
from ..accounts.queries import all_accounts, organisations
from ..errors import Conflict, InvalidInput
from ..extensions import db, login_manager
from .people_forms import AccountForm, OrganisationForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _administrators_only() -> Response | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not can_manage_accounts(current_user):
        abort(403)
    return None


@bp.route("/accounts", methods=["GET", "POST"])
def accounts() -> Response | str:
    """List every account; open one and mail its owner an invitation."""
    form = AccountForm(language=str(get_locale() or "en"))
    form.organisation.choices = [SelectChoice(0, _("None"))] + [
        SelectChoice(org.id, org.name) for org, _count in organisations()
    ]
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation.data or 0)
        try:
            user = invite_account(
                current_user._get_current_object(),
                form.email.data or "",
                name=form.name.data or "",
                language=form.language.data or "en",
                organisation=organisation,
                is_admin=bool(form.is_admin.data),
            )
        except InvalidInput:
            form.email.errors.append(_("This is not a valid email address."))
        except Conflict:
            form.email.errors.append(_("An account with this address exists already."))
        else:
            db.session.commit()
            flash(
                _("The account %(email)s is open; an invitation is on its way.", email=user.email)
            )
            return redirect(url_for("admin.accounts"))
    return render_template(
        "admin/accounts.html", accounts=all_accounts(), form=form, button_form=FlaskForm()
    )


@bp.post("/accounts/<int:user_id>/deactivate")
def deactivate(user_id: int) -> Response:
    """Deactivate an account: it cannot sign in or act any more; its history stays."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "warning")
    elif user.active:
        deactivate_user(user)
        db.session.commit()
        flash(_("%(email)s is deactivated; what they did stays on record.", email=user.email))
    else:
        flash(_("%(email)s was deactivated already.", email=user.email))
    return redirect(url_for("admin.accounts"))


@bp.route("/organisations", methods=["GET", "POST"], endpoint="organisations")
def organisations_page() -> Response | str:
    """List the organisations; add one."""
    form = OrganisationForm()
    if form.validate_on_submit():
        name = " ".join((form.name.data or "").split())
        existing = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if existing is not None:
            form.name.errors.append(_("An organisation with this name exists already."))
        else:
            db.session.add(Organisation(name=name, sector=form.sector.data))
            db.session.commit()
            flash(_("%(name)s is added.", name=name))
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisations.html", organisations=organisations(), form=form)
