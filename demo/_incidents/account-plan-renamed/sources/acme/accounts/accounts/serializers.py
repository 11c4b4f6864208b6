def serialize_account(account):
    return {
        "id": account.public_id,
        "name": account.name,
        "plan_id": account.plan.code,
        "currency": account.currency,
        "billing_email": account.billing_email,
    }
