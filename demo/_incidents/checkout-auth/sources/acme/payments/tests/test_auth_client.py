import hashlib
import hmac
import unittest

from payments.auth_client import canonical_request, sign

SECRET = b"0123456789abcdef0123456789abcdef"


class SignTest(unittest.TestCase):
    def test_canonical_request(self):
        self.assertEqual(
            canonical_request("post", "/v1/tokens/introspect", "1795230000", b"{}"),
            "POST\n/v1/tokens/introspect\n1795230000\n"
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        )

    def test_sign_headers(self):
        headers = sign("POST", "http://auth-service.internal:8080/v1/tokens/introspect", b"{}", "payments-2026-10", SECRET, now=1795230000)
        expected = hmac.new(
            SECRET,
            canonical_request("POST", "/v1/tokens/introspect", "1795230000", b"{}").encode(),
            hashlib.sha256,
        ).hexdigest()
        self.assertEqual(headers["X-Acme-Key-Id"], "payments-2026-10")
        self.assertEqual(headers["X-Acme-Timestamp"], "1795230000")
        self.assertEqual(headers["X-Acme-Signature"], expected)


if __name__ == "__main__":
    unittest.main()
