package redact

import (
	"strings"
	"testing"
)

// Every secret below is made up: FAKE/EXAMPLE/test values, the card
// networks' published test numbers, documentation-only domains and
// addresses (example.com, example.test, 203.0.113.0/24, 198.51.100.0/24).
const (
	fakeJWT     = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmYWtlLXVzZXIiLCJuYW1lIjoiVGVzdCBPbmx5In0.ZmFrZS1zaWduYXR1cmUtbm90LXJlYWw"
	fakeJWTRS   = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImZha2Uta2lkIn0.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS50ZXN0Iiwic3ViIjoidXNlci0wMDAwIn0.RkFLRXNpZ0ZBS0VzaWdGQUtFc2lnRkFLRXNpZ0ZBS0VzaWc"
	fakeJWTNone = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJmYWtlIn0."
	fakeHex64   = "deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef"
	fakeDSNKey  = "0123456789abcdef0123456789abcdef"
	fakePEM     = "-----BEGIN RSA PRIVATE KEY-----\nMIIEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE\nTHISISNOTAREALKEYTHISISNOTAREALKEYTHISISNOTAREALKEY0000==\n-----END RSA PRIVATE KEY-----"
)

type scrubCase struct {
	name   string
	in     string
	want   string
	secret string // must not survive (defaults to nothing extra)
}

// scrubSecretCorpus: each input carries at least one secret in realistic
// surroundings; want is the exact output (the surroundings kept).
var scrubSecretCorpus = []scrubCase{
	// Authorization, Bearer, Basic.
	{"http dump bearer", "GET /api/0/issues/ HTTP/1.1\nHost: sentry.example.test\nAuthorization: Bearer FAKEtoken0123456789abcdef\nAccept: application/json",
		"GET /api/0/issues/ HTTP/1.1\nHost: sentry.example.test\nAuthorization: Bearer [Filtered]\nAccept: application/json", "FAKEtoken0123456789abcdef"},
	{"curl basic", `curl -sS -H "Authorization: Basic ZmFrZTpub3RyZWFs" https://api.example.test/v1/charges`,
		`curl -sS -H "Authorization: Basic [Filtered]" https://api.example.test/v1/charges`, "ZmFrZTpub3RyZWFs"},
	{"logfmt auth value", `level=warn msg="upstream 401" auth="Bearer FAKE.jwtish-value123" path=/v1/charges`,
		`level=warn msg="upstream 401" auth="[Filtered]" path=/v1/charges`, "FAKE.jwtish-value123"},
	{"python headers repr", `headers = {'Authorization': 'Token FAKE0000deadbeef', 'Accept': 'application/json'}`,
		`headers = {'Authorization': 'Token [Filtered]', 'Accept': 'application/json'}`, "FAKE0000deadbeef"},
	{"bearer in prose", "retrying with bearer fakeTOKEN12345678 after refresh",
		"retrying with bearer [Filtered] after refresh", "fakeTOKEN12345678"},
	{"sentry headers pairs", `"headers": [["Authorization", "Bearer FAKE-0000-token-value"], ["Accept", "*/*"]]`,
		`"headers": [["Authorization", "Bearer [Filtered]"], ["Accept", "*/*"]]`, "FAKE-0000-token-value"},
	{"go %+v header map", `req={Method:GET URL:/v1/charges Header:map[Authorization:[Bearer FAKEabc123def456] Accept:[*/*]]}`,
		`req={Method:GET URL:/v1/charges Header:map[Authorization:[Filtered] Accept:[*/*]]}`, "FAKEabc123def456"},
	{"proxy authorization", "Proxy-Authorization: Basic ZmFrZXVzZXI6ZmFrZXBhc3M=\nVia: 1.1 proxy",
		"Proxy-Authorization: Basic [Filtered]\nVia: 1.1 proxy", "ZmFrZXVzZXI6ZmFrZXBhc3M="},
	{"x-sentry-auth", "X-Sentry-Auth: Sentry sentry_key=" + fakeDSNKey + ", sentry_version=7, sentry_client=raven-python/6.10\nContent-Type: application/json",
		"X-Sentry-Auth: Sentry [Filtered]\nContent-Type: application/json", fakeDSNKey},
	{"authorization json", `{"method":"POST","headers":{"authorization":"Bearer FAKE_0000_abcdefgh","content-type":"application/json"}}`,
		`{"method":"POST","headers":{"authorization":"Bearer [Filtered]","content-type":"application/json"}}`, "FAKE_0000_abcdefgh"},

	// Cookies.
	{"cookie header", "Cookie: sessionid=FAKEsess0001; csrftoken=FAKEcsrf0002; theme=dark\nUser-Agent: curl/8.4.0",
		"Cookie: [Filtered]\nUser-Agent: curl/8.4.0", "FAKEsess0001"},
	{"set-cookie header", "HTTP/1.1 302 Found\nSet-Cookie: sid=FAKE0001; Path=/; HttpOnly; Secure\nLocation: /home",
		"HTTP/1.1 302 Found\nSet-Cookie: [Filtered]\nLocation: /home", "FAKE0001"},
	{"cookie json", `{"url": "/checkout", "cookie": "_ga=GA1.1.000; session=FAKE0003"}`,
		`{"url": "/checkout", "cookie": "[Filtered]"}`, "FAKE0003"},
	{"set-cookie pair", `[["Set-Cookie", "remember_token=FAKE0004; Max-Age=3600"], ["Vary", "Cookie"]]`,
		`[["Set-Cookie", "[Filtered]"], ["Vary", "Cookie"]]`, "FAKE0004"},

	// JWTs.
	{"jwt unlabelled in log", "verifying " + fakeJWT + " for user 42", "verifying [Filtered: jwt] for user 42", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"},
	{"jwt in exception", "jose.exceptions.JWTError: Signature verification failed for " + fakeJWTRS + ".", "jose.exceptions.JWTError: Signature verification failed for [Filtered: jwt].", "eyJhbGciOiJSUzI1Ni"},
	{"jwt labelled json", `{"id_token":"` + fakeJWT + `","expires_in":3600}`, `{"id_token":"[Filtered: jwt]","expires_in":3600}`, "eyJhbGci"},
	{"jwt alg none", "accepted unsigned " + fakeJWTNone + " from client", "accepted unsigned [Filtered: jwt] from client", "eyJzdWIiOiJmYWtlIn0"},
	{"jwt in query", "GET /ws?access=" + fakeJWT + "&v=2", "GET /ws?access=[Filtered: jwt]&v=2", "eyJhbGci"},

	// Sentry.
	{"sentry org token env", "SENTRY_AUTH_TOKEN=sntrys_eyJpYXQiOjE3MDAwMDAwMDB9_FAKEfakeFAKEfake0000\nSENTRY_ORG=acme",
		"SENTRY_AUTH_TOKEN=[Filtered: sentry token]\nSENTRY_ORG=acme", "sntrys_"},
	{"sentry org token prose", "sentry-cli upload using sntrys_eyJpYXQiOjE3MDAwMDAwMDB9_FAKEfakeFAKEfake0000 failed",
		"sentry-cli upload using [Filtered: sentry token] failed", "sntrys_"},
	{"sentry user token", "export TOKEN_FOR_CI; echo sntryu_" + fakeHex64 + " > /tmp/t",
		"export TOKEN_FOR_CI; echo [Filtered: sentry token] > /tmp/t", fakeHex64},
	{"sentryclirc token", "[auth]\ntoken=" + fakeHex64 + "\n[defaults]\norg=acme", "[auth]\ntoken=[Filtered]\n[defaults]\norg=acme", fakeHex64},
	{"dsn labelled", `Sentry.init({ dsn: "https://` + fakeDSNKey + `@o0.ingest.sentry.io/0", tracesSampleRate: 1.0 })`,
		`Sentry.init({ dsn: "https://[Filtered]@o0.ingest.sentry.io/0", tracesSampleRate: 1.0 })`, fakeDSNKey},
	{"dsn in prose", "init with https://" + fakeDSNKey + "@o0.ingest.us.sentry.io/4500000000000000 failed: timeout",
		"init with https://[Filtered]@o0.ingest.us.sentry.io/4500000000000000 failed: timeout", fakeDSNKey},
	{"dsn with secret", "SENTRY_DSN=https://pubFAKE000:secFAKE000@sentry.example.test/1", "SENTRY_DSN=https://[Filtered]@sentry.example.test/1", "secFAKE000"},

	// AWS.
	{"aws key id", "botocore: using credentials AKIAIOSFODNN7EXAMPLE from env", "botocore: using credentials [Filtered: aws key] from env", "AKIAIOSFODNN7EXAMPLE"},
	{"aws sts key id", "assumed role, temporary key ASIAFAKE0000EXAMPLE0 expires 12:00", "assumed role, temporary key [Filtered: aws key] expires 12:00", "ASIAFAKE0000EXAMPLE0"},
	{"aws secret env", "AWS_REGION=eu-west-1\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
		"AWS_REGION=eu-west-1\nAWS_SECRET_ACCESS_KEY=[Filtered]\n", "wJalrXUtnFEMI"},
	{"aws secret ini", "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"[default]\naws_access_key_id = [Filtered: aws key]\naws_secret_access_key = [Filtered]", "wJalrXUtnFEMI"},
	{"aws secret json camel", `{"AccessKeyId":"ASIAFAKE0000EXAMPLE0","SecretAccessKey":"FAKEsecret/0000/EXAMPLE+key","Expiration":"2026-01-02T03:04:05Z"}`,
		`{"AccessKeyId":"[Filtered: aws key]","SecretAccessKey":"[Filtered]","Expiration":"2026-01-02T03:04:05Z"}`, "FAKEsecret"},

	// Vendor tokens.
	{"github classic", "git push https://github.com/acme/shop.git failed; GITHUB_TOKEN is ghp_FAKEfake0000000000000000000000000000",
		"git push https://github.com/acme/shop.git failed; GITHUB_TOKEN is [Filtered: github token]", "ghp_FAKE"},
	{"github oauth", `{"access":"gho_FAKEfake0000000000000000000000000000","scope":"repo"}`,
		`{"access":"[Filtered: github token]","scope":"repo"}`, "gho_FAKE"},
	{"github app in url", "fatal: unable to access 'https://x-access-token:ghs_FAKEfake0000000000000000000000000000@github.com/acme/shop.git/': 403",
		"fatal: unable to access 'https://[Filtered]@github.com/acme/shop.git/': 403", "ghs_FAKE"},
	{"github app env", "GH_TOKEN=ghs_FAKEfake0000000000000000000000000000 gh pr list", "GH_TOKEN=[Filtered: github token] gh pr list", "ghs_FAKE"},
	{"github fine-grained", "token github_pat_11FAKE0000000000000000_FAKEfakeFAKEfake000000000000000000000000000000000000000 rejected",
		"token [Filtered: github token] rejected", "github_pat_"},
	{"gitlab", "remote: HTTP Basic: Access denied for glpat-FAKEfake00000000000000", "remote: HTTP Basic: Access denied for [Filtered: gitlab token]", "glpat-"},
	{"slack bot", "slack_sdk.errors.SlackApiError: invalid_auth (token xoxb-0000000000-0000000000000-FAKEfakeFAKEfake)",
		"slack_sdk.errors.SlackApiError: invalid_auth (token [Filtered: slack token])", "xoxb-"},
	{"slack user json", `{"ok":false,"error":"token_revoked","t":"xoxp-0000-0000-0000-FAKEFAKEFAKE"}`,
		`{"ok":false,"error":"token_revoked","t":"[Filtered: slack token]"}`, "xoxp-"},
	{"stripe live", "stripe.error.AuthenticationError: Invalid API Key provided: sk_live_FAKE0000000000000000000000",
		"stripe.error.AuthenticationError: Invalid API Key provided: [Filtered: stripe live key]", "sk_live_"},
	{"stripe test", "charge failed key=sk_test_FAKE0000000000000000000000 amount=1999", "charge failed key=[Filtered: stripe test key] amount=1999", "sk_test_"},
	{"stripe restricted", "STRIPE_KEY: rk_live_FAKE0000000000000000000000", "STRIPE_KEY: [Filtered: stripe live key]", "rk_live_"},
	{"openai project", `openai.AuthenticationError: Incorrect API key provided: sk-proj-FAKEfake0000FAKEfake0000FAKEfake0000. You can find your API key at https://platform.openai.com/account/api-keys.`,
		`openai.AuthenticationError: Incorrect API key provided: [Filtered: openai key]. You can find your API key at https://platform.openai.com/account/api-keys.`, "sk-proj-"},
	{"openai legacy", "llm client configured with sk-FAKE0000fake0000FAKE0000fake0000FAKE0000fake0000", "llm client configured with [Filtered: openai key]", "sk-FAKE"},
	{"anthropic", "x-api-key missing, got sk-ant-api03-FAKEfake0000FAKEfake0000-FAKE in body", "x-api-key missing, got [Filtered: anthropic key] in body", "sk-ant-"},
	{"google api key", "maps request https://maps.example.test/geocode?address=Main+St&k=AIzaFAKEfake0000000000000000000000000 denied",
		"maps request https://maps.example.test/geocode?address=Main+St&k=[Filtered: google api key] denied", "AIzaFAKE"},
	{"npm token", "//registry.npmjs.org/:_authToken=npm_FAKEfake0000000000000000000000000000", "//registry.npmjs.org/:_authToken=[Filtered: npm token]", "npm_FAKE"},

	// Private keys.
	{"pem block", "loading key:\n" + fakePEM + "\ndone", "loading key:\n[Filtered: private key]\ndone", "MIIEFAKE"},
	{"pem escaped in json", `{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\nMIIEvFAKE0000\n-----END PRIVATE KEY-----\n","client_email":"svc@fake-project.iam.example.test"}`,
		`{"type":"service_account","private_key":"[Filtered]","client_email":"[Filtered: email]"}`, "MIIEvFAKE"},
	{"pem openssh cut off", "id_ed25519: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAFAKEFAKE", "id_ed25519: [Filtered: private key]", "b3BlbnNzaC1"},

	// Key/value pairs in every style.
	{"query password", "POST /login?user=bob&password=hunter2&next=/home", "POST /login?user=bob&password=[Filtered]&next=/home", "hunter2"},
	{"json api_key", `{"service":"geo","api_key": "FAKE-KEY-0001","timeout":30}`, `{"service":"geo","api_key": "[Filtered]","timeout":30}`, "FAKE-KEY-0001"},
	{"yaml token", "sentry:\n  org: acme\n  token: FAKEyamlToken0001\n  project: payments", "sentry:\n  org: acme\n  token: [Filtered]\n  project: payments", "FAKEyamlToken0001"},
	{"env password", "DB_HOST=db.internal\nDB_PASSWORD=\"correct horse battery staple\"\nDB_PORT=5432", "DB_HOST=db.internal\nDB_PASSWORD=\"[Filtered]\"\nDB_PORT=5432", "horse"},
	{"python dict secret", `kwargs = {'client_id': 'web', 'client_secret': 'FAKEsecret0001', 'scope': 'read'}`,
		`kwargs = {'client_id': 'web', 'client_secret': '[Filtered]', 'scope': 'read'}`, "FAKEsecret0001"},
	{"go struct password", "config: {Host:db.internal Port:5432 User:app Password:FAKEpw0001 SSLMode:require}",
		"config: {Host:db.internal Port:5432 User:app Password:[Filtered] SSLMode:require}", "FAKEpw0001"},
	{"sql literal", "UPDATE users SET api_token = 'FAKEsqltoken0001' WHERE id = 42", "UPDATE users SET api_token = '[Filtered]' WHERE id = 42", "FAKEsqltoken0001"},
	{"header api key", "X-Api-Key: FAKEheaderkey0001\nX-Request-Id: 4bf92f35-77b3-4da6-a3ce-929d0e0e4736", "X-Api-Key: [Filtered]\nX-Request-Id: 4bf92f35-77b3-4da6-a3ce-929d0e0e4736", "FAKEheaderkey0001"},
	{"json otp number", `{"user_id": 42, "otp": 123456, "remember": true}`, `{"user_id": 42, "otp": [Filtered], "remember": true}`, "123456"},
	{"oauth code query", "GET /oauth/callback?code=FAKEcode0001&state=xyz HTTP/1.1", "GET /oauth/callback?code=[Filtered]&state=xyz HTTP/1.1", "FAKEcode0001"},
	{"fragment token", "redirect to https://app.example.test/cb#access_token=FAKEfrag0001&token_type=bearer", "redirect to https://app.example.test/cb#access_token=[Filtered]&token_type=bearer", "FAKEfrag0001"},
	{"escaped json in string", `{"body": "{\"email_verified\":true,\"password\":\"FAKEpw0002\"}"}`, `{"body": "{\"email_verified\":true,\"password\":\"[Filtered]\"}"}`, "FAKEpw0002"},
	{"stack var password", "  File \"/app/auth/login.py\", line 42, in login\n    password = 'FAKEvarpw0001'\n    user = 'bob'", "  File \"/app/auth/login.py\", line 42, in login\n    password = '[Filtered]'\n    user = 'bob'", "FAKEvarpw0001"},
	{"stack var session", "vars: request = <WSGIRequest: POST '/checkout'>, session_key = \"FAKEsession0001\"", "vars: request = <WSGIRequest: POST '/checkout'>, session_key = \"[Filtered]\"", "FAKEsession0001"},
	{"ruby hash", `params: {"user"=>"bob", "password"=>"FAKEruby0001", "commit"=>"Log in"}`, `params: {"user"=>"bob", "password"=>"[Filtered]", "commit"=>"Log in"}`, "FAKEruby0001"},
	{"rails nested param", "Parameters: user[email]=bob&user[password]=FAKErails0001&commit=Save", "Parameters: user[email]=bob&user[password]=[Filtered]&commit=Save", "FAKErails0001"},
	{"database url", "DATABASE_URL=postgres://app:FAKEdbpass0001@db.internal:5432/shop?sslmode=require", "DATABASE_URL=postgres://[Filtered]@db.internal:5432/shop?sslmode=require", "FAKEdbpass0001"},
	{"random key in query", "GET /download?file=report.pdf&sig2=Ab3dEf5hIj7lMn9pQr1tUv3xYz5bCd7fGh9 HTTP/1.1", "GET /download?file=report.pdf&sig2=[Filtered] HTTP/1.1", "Ab3dEf5hIj7lMn9pQr1tUv3xYz5bCd7fGh9"},

	{"sentry tag list", `"tags": [{"key": "region", "value": "eu-west-1"}, {"key": "api_key", "value": "FAKEtag0001"}]`,
		`"tags": [{"key": "region", "value": "eu-west-1"}, {"key": "api_key", "value": "[Filtered]"}]`, "FAKEtag0001"},
	{"har header", `"headers": [{"name": "Authorization", "value": "Bearer FAKEhar0001xyz"}, {"name": "Accept", "value": "*/*"}]`,
		`"headers": [{"name": "Authorization", "value": "Bearer [Filtered]"}, {"name": "Accept", "value": "*/*"}]`, "FAKEhar0001xyz"},
	{"digest authorization", "Authorization: Digest username=\"bob\", realm=\"api\", nonce=\"FAKEnonce01\", response=\"FAKEresp0001\"\nHost: api.example.test",
		"Authorization: Digest [Filtered]\nHost: api.example.test", "FAKEresp0001"},
	{"k8s secret yaml", "apiVersion: v1\nkind: Secret\ndata:\n  password: RkFLRXBhc3N3b3JkMDAwMQ==\n  username: YXBw", "apiVersion: v1\nkind: Secret\ndata:\n  password: [Filtered]\n  username: YXBw", "RkFLRXBhc3N3b3JkMDAwMQ=="},
	{"export stripe key", `export STRIPE_SECRET_KEY="sk_live_FAKE0000000000000000000000"`, `export STRIPE_SECRET_KEY="[Filtered: stripe live key]"`, "sk_live_"},
	{"pem in yaml block", "tls:\n  key: |\n    -----BEGIN EC PRIVATE KEY-----\n    MHcCAQEEIFAKEFAKEFAKE\n    -----END EC PRIVATE KEY-----\n  cert: ok", "tls:\n  key: |\n    [Filtered: private key]\n  cert: ok", "MHcCAQEEIFAKE"},

	{"auth header variable", "auth_header: Bearer FAKEauthhdr0001\nretries: 3", "auth_header: Bearer [Filtered]\nretries: 3", "FAKEauthhdr0001"},
	{"cli flag", "+ sentry-cli --auth-token FAKEcli0000token releases new 1.2.3", "+ sentry-cli --auth-token [Filtered] releases new 1.2.3", "FAKEcli0000token"},
	{"cli flag quoted", `psql --host db.internal --password "FAKE pw 0001" --dbname shop`, `psql --host db.internal --password "[Filtered]" --dbname shop`, "FAKE pw 0001"},

	// E-mail addresses.
	{"email log", "2026-01-02T03:04:05Z INFO password reset requested for alice.fake+test@example.com (user 42)", "2026-01-02T03:04:05Z INFO password reset requested for [Filtered: email] (user 42)", "alice.fake"},
	{"email json", `{"id": 42, "email": "bob.fake@example.org", "plan": "pro"}`, `{"id": 42, "email": "[Filtered: email]", "plan": "pro"}`, "bob.fake"},
	{"email sql", "INSERT INTO users (email, name) VALUES ('carol.fake@example.net', 'Carol')", "INSERT INTO users (email, name) VALUES ('[Filtered: email]', 'Carol')", "carol.fake"},
	{"email in path", "GET /api/users/dave_fake@example.co.uk/profile 404", "GET /api/users/[Filtered: email]/profile 404", "dave_fake"},

	// Cards.
	{"card visa spaced", "payment declined for card 4111 1111 1111 1111 (exp 12/29)", "payment declined for card [Filtered: card] (exp 12/29)", "4111 1111"},
	{"card mastercard dashed", "card_last_used=5555-5555-5555-4444 retry=2", "card_last_used=[Filtered: card] retry=2", "5555-5555"},
	{"card amex grouped", "Amex 3782 822463 10005 charged $12.00", "Amex [Filtered: card] charged $12.00", "822463"},
	{"card json digits", `{"amount": 1999, "number": "4242424242424242", "cvc_check": "pass"}`, `{"amount": 1999, "number": "[Filtered: card]", "cvc_check": "pass"}`, "4242424242424242"},
	{"card mastercard 2-series", "charge card=2223 0031 2200 3222 ok", "charge card=[Filtered: card] ok", "2223 0031"},
	{"card jcb in sql", "INSERT INTO payments (pan, amount) VALUES ('3530111333300000', 1999)", "INSERT INTO payments (pan, amount) VALUES ('[Filtered: card]', 1999)", "3530111333300000"},
	{"card discover", "Discover 6011111111111117 in stripe test mode", "Discover [Filtered: card] in stripe test mode", "6011111111111117"},

	// Users' IP addresses, when labelled.
	{"x-forwarded-for", "X-Forwarded-For: 203.0.113.9, 10.0.0.1\nX-Forwarded-Proto: https", "X-Forwarded-For: [Filtered: ip]\nX-Forwarded-Proto: https", "203.0.113.9"},
	{"ip_address json", `"user": {"id": "42", "ip_address": "198.51.100.23"}`, `"user": {"id": "42", "ip_address": "[Filtered: ip]"}`, "198.51.100.23"},
	{"client ip logfmt", "level=info client_ip=203.0.113.77 method=GET status=200", "level=info client_ip=[Filtered: ip] method=GET status=200", "203.0.113.77"},
	{"x-real-ip pair", `[["X-Real-Ip", "203.0.113.1"], ["Accept", "*/*"]]`, `[["X-Real-Ip", "[Filtered: ip]"], ["Accept", "*/*"]]`, "203.0.113.1"},
	{"sentry search query", `"query": "is:unresolved user.email:erin.fake@example.com"`, `"query": "is:unresolved user.email:[Filtered: email]"`, "erin.fake"},
	{"remote addr", "REMOTE_ADDR: 2001:db8::1f\nSERVER_NAME: shop", "REMOTE_ADDR: [Filtered: ip]\nSERVER_NAME: shop", "2001:db8::1f"},
}

// scrubLookAlikeCorpus must come out unchanged: ids, numbers, paths, code,
// SQL, URLs and prose that only look like secrets.
var scrubLookAlikeCorpus = []string{
	"event 4bf92f3577b34da6a3ce929d0e0e4736 in trace 0af7651916cd43dd8448eb211c80319c",
	"span 00f067aa0ba902b7 parent 53995c3f42cd8ad8 op db.query 120ms",
	"issue PAYMENTS-7Q (3141592653) first seen 2026-01-02T03:04:05.123Z",
	"deploy sha 9fceb02d0ae598e95dc970b74767f19372d61af8 (short 9fceb02)",
	"request_id=4bf92f35-77b3-4da6-a3ce-929d0e0e4736 order_id=ORD-2026-000123",
	"order 4111111111111112 total 19.99",
	"refund for order 5555555555554445 queued",
	"ts_ms=1735689600123 ts_ns=1735689600123456789 epoch 1735689600",
	"price $1,234.56 qty 3 discount 0.15 total 4111.11",
	`  File "/usr/src/app/payments/charge.py", line 42, in charge`,
	`C:\Users\build\src\checkout\Cart.cs:line 118`,
	"SELECT id, email FROM users WHERE email = %s AND password_hash = %s",
	"UPDATE sessions SET token = $1, expires_at = $2 WHERE user_id = $3",
	"SELECT * FROM api_keys WHERE key = ? LIMIT 1",
	"https://api.example.test/v1/charges?limit=10&cursor=1735689600000:0:1&status=failed",
	"https://sentry.io/organizations/acme/issues/?project=42&query=is:unresolved&statsPeriod=24h",
	`<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==">`,
	"next page cursor eyJvZmZzZXQiOjEwMCwibGltaXQiOjUwfQ (base64 JSON, one segment)",
	"the rate limiter uses a token bucket: 20 tokens per second",
	"invalid token: expired",
	"Failed to refresh token: 401 Unauthorized",
	"usage: max_tokens=4096 input_tokens=1234 output_tokens=567",
	`{"token_type": "Bearer", "expires_in": 3600, "scope": "read"}`,
	`token = request.headers.get("Authorization")`,
	"def login(username: str, password: str) -> Session:",
	"    resp = http.get(url, headers=headers, auth=token, timeout=5)",
	"client = Client(api_key=settings.API_KEY, secret=self.secret)",
	"create_user(email=email, password=password)",
	"release payments@3.8.1 · sdk @sentry/node@8.1.0 · asset logo@2x.png",
	"git clone git@github.com:acme/shop.git",
	`{"password": "[Filtered]", "user": "[Filtered]"}`,
	"Authorization: [Filtered]",
	"connect to 10.0.0.12:5432 failed: connection refused",
	"sentry-trace: 4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
	"traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
	"pod payments-84d6f9b7c-m8xvt restarted 3 times",
	"Basic authentication is disabled for this endpoint",
	"KeyError: 'session'",
	"cache miss key=user:42:cart ttl=300",
	"sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	"phone +1 415 555 0100, zip 94107, version v1.31.2",
	"scikit sk-learn pipeline; task-sk-1234 done; ghp_ prefix is documented",
	"2026-01-02 03:04:05.123 UTC duration 1.20s p95 999.7ms",
	"AKIA is the prefix of AWS access key ids",
	"password_length=12 session_count=3 token_expires_at=2026-01-02",
	`export PATH=/usr/local/bin:$PATH; PWD=/srv/app`,
	`password: ${DB_PASSWORD}`,
	`token: "{{ .Values.sentry.token }}"`,
	"map[string]string{\"Content-Type\": \"application/json\"}",
	"user_ip is not collected; ip=unknown",
	// Found on the demo incidents, the Sentry fixtures and this repository.
	`{"project_id": 4508001112230401, "projectId": "4508001112230401", "ids": [4508001112230401, 4508001112230401]}`,
	"GET /api/0/projects/acme/4508001112230401/events/ o4508001112230401.ingest.sentry.io",
	`dsn=os.environ.get("SENTRY_DSN"), secret=os.environ["SERVICE_KEY_SECRET"]`,
	"\tsecret := sha256.Sum256([]byte(\"demo \" + keyID))\n\tsid := segs[len(segs)-1]",
	"\treturn &Server{verifier: v, sessions: s, tokens: t, now: time.Now}",
	"        SIGNATURE_HEADER: signature,",
	`HeaderSignature = "X-Acme-Signature"; ReasonMissingSignature = "missing_signature"`,
	`raise AuthError(f"auth-service rejected service token: {resp.status_code} {_error_code(resp)}")`,
	`"session": "<requests.sessions.Session object at 0x7f6e0c1d2a90>"`,
	`{"rule_id": "@password:filter", "rem": [["@password:filter", "s", 0, 10]]}`,
	"baggage: sentry-environment=production,sentry-transaction=%2Forganizations%2F%3AorgId%2Falerts%2Frules%2F",
	`"dependencies": {"cookie-parser": "^1.4.6", "@types/cookie-parser": "~1.4.7"}`,
	`fetch(url, { method: "POST", credentials: "same-origin" })`,
	`{"cookies": null, "headers": [["Accept", "*/*"]]}`,
	`if strings.Contains(got, "Authorization:") { t.Errorf("key %q: want id=hexsecret", kv) }`,
	"token:   sntryu_****abab (from SENTRY_AUTH_TOKEN)",
	"the request must carry Authorization: Bearer token",
	"// keyStrong: a password, secret, private key or card number",
	"      --auth-token string   Sentry auth token (default $SENTRY_AUTH_TOKEN)\n      --token-file path",
	"sentry-cli --auth-token $SENTRY_AUTH_TOKEN --org acme; deploy --password-file /run/secrets/db",
	"SENTRY_AUTH_TOKEN_FILE=/run/secrets/sentry private_key_path=/etc/ssl/private/key.pem",
	"ERROR invalid signature: expected=sha256 got=md5",
	"session = requests.Session(); const token = await getToken();",
	`{"token": null, "session": {}, "password": ""}`,
	"SELECT * FROM sessions WHERE session_id = $1 AND token = :token",
	"\tPassword string `json:\"password,omitempty\"`",
	"  - name: SENTRY_AUTH_TOKEN\n    valueFrom:\n      secretKeyRef:\n        name: sentry\n        key: token",
	"TypeError: Cannot read properties of undefined (reading 'token')",
}

func TestSecretsCorpus(t *testing.T) {
	if len(scrubSecretCorpus) < 60 || len(scrubLookAlikeCorpus) < 40 {
		t.Fatalf("corpus too small: %d secrets, %d look-alikes", len(scrubSecretCorpus), len(scrubLookAlikeCorpus))
	}
	for _, tc := range scrubSecretCorpus {
		t.Run(tc.name, func(t *testing.T) {
			got, n := Secrets(tc.in)
			if got != tc.want {
				t.Errorf("Secrets(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if n == 0 {
				t.Errorf("count 0 for %q", tc.in)
			}
			if tc.secret != "" && strings.Contains(got, tc.secret) {
				t.Errorf("%q leaked: %q", tc.secret, got)
			}
			if again, n2 := Secrets(got); again != got || n2 != 0 {
				t.Errorf("not idempotent: %q → %q (%d)", got, again, n2)
			}
		})
	}
}

func TestSecretsLookAlikes(t *testing.T) {
	for _, in := range scrubLookAlikeCorpus {
		if got, n := Secrets(in); got != in || n != 0 {
			t.Errorf("look-alike changed (%d):\n  in  %q\n  got %q", n, in, got)
		}
	}
}

func TestSecretsKeepsUntouchedText(t *testing.T) {
	for _, in := range []string{"", "plain words only", "a\nb\tc", "ünïcödé ✓ text"} {
		got, n := Secrets(in)
		if got != in || n != 0 {
			t.Errorf("Secrets(%q) = %q, %d", in, got, n)
		}
	}
	// Several secrets in one text are each counted.
	in := "user bob.fake@example.com paid with 4111-1111-1111-1111 using Authorization: Bearer FAKEtok000000 and password=FAKEpw"
	want := "user [Filtered: email] paid with [Filtered: card] using Authorization: Bearer [Filtered] and password=[Filtered]"
	if got, n := Secrets(in); got != want || n != 4 {
		t.Errorf("got %q, %d\nwant %q, 4", got, n, want)
	}
}

func TestIsSensitiveKey(t *testing.T) {
	for _, k := range []string{"Authorization", "authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "x_api_key",
		"token", "X-Auth-Token", "access_token", "refreshToken", "secret", "client_secret", "AWS_SECRET_ACCESS_KEY", "password", "PASSWORD",
		"db.password", "user[password]", "passwd", "pwd", "pass", "pin", "api_key", "apiKey", "access_key", "accessKey", "private_key",
		"privateKey", "session", "session_id", "sessionid", "JSESSIONID", "PHPSESSID", "laravel_session", "csrf", "csrftoken",
		"X-XSRF-TOKEN", "signature", "X-Amz-Signature", "credential", "credentials", "creds", "jwt", "dsn", "sid", "connect.sid",
		"X-Sentry-Auth", "sentry_key", "card_number", "cvv", "otp", " Api-Key "} {
		if !IsSensitiveKey(k) {
			t.Errorf("IsSensitiveKey(%q) = false", k)
		}
	}
	for _, k := range []string{"", "user", "username", "email", "id", "event_id", "trace_id", "span_id", "key", "code", "status_code",
		"max_tokens", "input_tokens", "gen_ai.usage.output_tokens", "token_count", "token_type", "password_length", "session_count",
		"token_expires_at", "TokenExpiredError", "JWTError", "cache_key", "idempotency_key", "public_key", "ip_address", "X-Forwarded-For",
		"region", "release", "url", "sessions", "tokenizer"} {
		if IsSensitiveKey(k) {
			t.Errorf("IsSensitiveKey(%q) = true", k)
		}
	}
}

func TestIsSensitiveVar(t *testing.T) {
	for name, want := range map[string]bool{"auth": true, " Auth ": true, "password": true, "api_key": true,
		"author": false, "authors": false, "user_id": false, "token_count": false} {
		if got := IsSensitiveVar(name); got != want {
			t.Errorf("IsSensitiveVar(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestIsSecretValue(t *testing.T) {
	for _, v := range []string{"Bearer FAKE0000", "basic ZmFrZTpmYWtl", fakeJWT, "ghp_FAKEfake0000000000000000000000000000",
		"AKIAIOSFODNN7EXAMPLE", "sk_live_FAKE0000000000000000000000", "sntryu_" + fakeHex64, "'xoxb-0000-FAKEFAKE'",
		"Ab3dEf5hIj7lMn9pQr1tUv3xYz5bCd7fGh9", fakePEM} {
		if !IsSecretValue(v) {
			t.Errorf("IsSecretValue(%q) = false", v)
		}
	}
	for _, v := range []string{"", "bob", "application/json", "4bf92f3577b34da6a3ce929d0e0e4736", "9fceb02d0ae598e95dc970b74767f19372d61af8",
		"4bf92f35-77b3-4da6-a3ce-929d0e0e4736", "PAYMENTS-7Q", "/usr/src/app/payments/charge.py", "https://example.test/a/b?c=d",
		"eyJvZmZzZXQiOjEwMCwibGltaXQiOjUwfQ", "1735689600123"} {
		if IsSecretValue(v) {
			t.Errorf("IsSecretValue(%q) = true", v)
		}
	}
}

func TestURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://api.example.test/v1/charges?limit=10&cursor=abc", "https://api.example.test/v1/charges?limit=10&cursor=abc"},
		{"https://api.example.test/x?access_token=FAKE0002&page=2", "https://api.example.test/x?access_token=[Filtered]&page=2"},
		{"https://api.example.test/login?password=FAKE&user=bob", "https://api.example.test/login?password=[Filtered]&user=bob"},
		{"https://s3.example.test/b/o?X-Amz-Credential=FAKE%2F20260102&X-Amz-Signature=deadbeef&X-Amz-Expires=300",
			"https://s3.example.test/b/o?X-Amz-Credential=[Filtered]&X-Amz-Signature=[Filtered]&X-Amz-Expires=300"},
		{"https://maps.example.test/geo?key=FAKEkey&q=berlin", "https://maps.example.test/geo?key=[Filtered]&q=berlin"},
		{"https://" + fakeDSNKey + "@o0.ingest.sentry.io/42", "https://[Filtered]@o0.ingest.sentry.io/42"},
		{"postgres://app:FAKEpw@db.internal:5432/shop", "postgres://[Filtered]@db.internal:5432/shop"},
		{"https://app.example.test/invite?email=alice.fake%40example.com&team=7", "https://app.example.test/invite?email=[Filtered: email]&team=7"},
		{"https://app.example.test/cb#access_token=FAKE&state=1", "https://app.example.test/cb#[Filtered]"},
		{"https://app.example.test/docs#section-2", "https://app.example.test/docs#section-2"},
		{"/api/0/issues/?query=is:unresolved&sig=FAKE", "/api/0/issues/?query=is:unresolved&sig=[Filtered]"},
		{"ssh://git@github.com/acme/shop.git", "ssh://git@github.com/acme/shop.git"},
		{"https://[Filtered]@o0.ingest.sentry.io/42?token=[Filtered]", "https://[Filtered]@o0.ingest.sentry.io/42?token=[Filtered]"},
	} {
		if got := URL(tc.in); got != tc.want {
			t.Errorf("URL(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func FuzzSecrets(f *testing.F) {
	for _, tc := range scrubSecretCorpus {
		f.Add(tc.in)
	}
	for _, in := range scrubLookAlikeCorpus {
		f.Add(in)
	}
	f.Add("password=\"unterminated\nnext")
	f.Add(`{"authorization": {"nested": "x"}, "cookie": [1, 2`)
	f.Add("a@b.c@d.ee x-forwarded-for: ::1 ,,\\n token:\\\"x")
	f.Add("'ghs_00000000000000000000':0")
	f.Add("'ghs_00000000000000000000 ':0")
	f.Add("Cookie:@0token=0\x00.")
	f.Add("4224242424242 4224242424242")
	f.Add("eyJ0000000.00.00$:0000000A")
	f.Add("\"AuthoriZAtion:\":0")
	f.Add("4224242424242-4224242424242")
	f.Add("0@0.AA-----BEGIN PRIVATE KEY-----")
	f.Add("0token$eyJ0000000000000000000000000000000.0000000000000000000000000000.00000000000000000000000000000000000000")
	f.Fuzz(func(t *testing.T, in string) {
		out, n := Secrets(in)
		if n == 0 && out != in {
			t.Fatalf("count 0 but text changed: %q → %q", in, out)
		}
		if len(out) > len(in)+n*maxMarkerLen {
			t.Fatalf("output grew beyond its markers: %d → %d bytes with %d markers", len(in), len(out), n)
		}
		if again, _ := Secrets(out); again != out {
			t.Fatalf("not idempotent:\n in    %q\n once  %q\n twice %q", in, out, again)
		}
	})
}

// scrubBenchText is about size bytes of realistic tool output: log lines,
// JSON, header dumps, stack frames and SQL, about one line in four holding
// a secret.
func scrubBenchText(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		b.WriteString(scrubLookAlikeCorpus[i%len(scrubLookAlikeCorpus)])
		b.WriteByte('\n')
		b.WriteString(scrubLookAlikeCorpus[(i*7+3)%len(scrubLookAlikeCorpus)])
		b.WriteByte('\n')
		b.WriteString("2026-01-02T03:04:05.123Z INFO checkout.views handled POST /api/checkout in 182ms status=200 trace=4bf92f3577b34da6a3ce929d0e0e4736\n")
		b.WriteString(scrubSecretCorpus[i%len(scrubSecretCorpus)].in)
		b.WriteByte('\n')
	}
	return b.String()
}

func BenchmarkSecrets1MB(b *testing.B) {
	text := scrubBenchText(1 << 20)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Secrets(text)
	}
}

// BenchmarkScrubSecretsClean1MB is the fast path: 1 MB of log lines with
// nothing to replace.
func BenchmarkSecretsClean1MB(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 1<<20 {
		sb.WriteString("2026-01-02T03:04:05.123Z INFO checkout.views handled POST /api/checkout in 182ms status=200 trace=4bf92f3577b34da6a3ce929d0e0e4736 span=00f067aa0ba902b7\n")
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, n := Secrets(text); n != 0 {
			b.Fatal("clean text changed")
		}
	}
}
