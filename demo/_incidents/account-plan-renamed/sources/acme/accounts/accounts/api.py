from flask import Blueprint, jsonify

from accounts import models, serializers

bp = Blueprint("accounts", __name__)


@bp.get("/v1/accounts/<account_id>")
def get_account(account_id):
    account = models.Account.by_public_id(account_id)
    return jsonify(serializers.serialize_account(account))
