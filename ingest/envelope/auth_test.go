package envelope

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestPublicKey(t *testing.T) {
	const dsn = "https://c95c00c52d4177f7bf66a76dd2895550@o447951.ingest.sentry.io/4506269264052224"
	cases := []struct {
		name          string
		xSentryAuth   string
		authorization string
		query         string
		dsn           string
		want          string
	}{
		{name: "none"},
		{name: "X-Sentry-Auth", xSentryAuth: "Sentry sentry_key=abc, sentry_version=7, sentry_client=sentry.python/2.0.0", want: "abc"},
		{name: "X-Sentry-Auth key not first", xSentryAuth: "Sentry sentry_version=7,sentry_client=raven-js/3.0, sentry_key=def", want: "def"},
		{name: "X-Sentry-Auth without scheme", xSentryAuth: "sentry_key=abc, sentry_version=7", want: "abc"},
		{name: "X-Sentry-Auth lower-case scheme", xSentryAuth: "sentry sentry_key=abc", want: "abc"},
		{name: "Authorization", authorization: "Sentry sentry_key=auth1, sentry_version=7", want: "auth1"},
		{name: "Authorization needs the Sentry scheme", authorization: "Bearer sentry_key=nope", want: ""},
		{name: "query", query: "sentry_key=q1&sentry_version=7&sentry_client=sentry.javascript.browser%2F9.0.1", want: "q1"},
		{name: "envelope dsn", dsn: dsn, want: "c95c00c52d4177f7bf66a76dd2895550"},
		{name: "dsn with secret", dsn: "https://pub:secret@sentry.example/1", want: "pub"},
		{name: "dsn without key", dsn: "https://sentry.example/1", want: ""},
		{name: "dsn not a URL", dsn: "::nope", want: ""},

		{name: "X-Sentry-Auth before Authorization", xSentryAuth: "Sentry sentry_key=x", authorization: "Sentry sentry_key=a", query: "sentry_key=q", dsn: dsn, want: "x"},
		{name: "Authorization before query", authorization: "Sentry sentry_key=a", query: "sentry_key=q", dsn: dsn, want: "a"},
		{name: "query before dsn", query: "sentry_key=q", dsn: dsn, want: "q"},
		{name: "X-Sentry-Auth without a key falls through", xSentryAuth: "Sentry sentry_version=7", authorization: "Sentry sentry_key=a", want: "a"},
		{name: "empty query key falls through", query: "sentry_key=", dsn: dsn, want: "c95c00c52d4177f7bf66a76dd2895550"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/api/1/envelope/?"+c.query, nil)
			if c.xSentryAuth != "" {
				r.Header.Set("X-Sentry-Auth", c.xSentryAuth)
			}
			if c.authorization != "" {
				r.Header.Set("Authorization", c.authorization)
			}
			if got := PublicKey(r, c.dsn); got != c.want {
				t.Errorf("PublicKey = %q, want %q", got, c.want)
			}
		})
	}
}
