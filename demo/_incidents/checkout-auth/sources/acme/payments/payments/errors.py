"""Errors of the payments service."""


class ServiceAuthError(Exception):
    """auth-service refused a signed service request or a token."""


class PaymentDeclined(Exception):
    """The charge was declined before reaching the card network."""

    def __init__(self, order_id: str, reason: str, score: float = 0.0):
        super().__init__(f"payment for order {order_id} declined: {reason}")
        self.order_id = order_id
        self.reason = reason
        self.score = score
