package redact

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestJSON(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"order and literals kept", `{"z":1,"a":[true,null,2.50],"m":"plain"}`, `{"z":1,"a":[true,null,2.50],"m":"plain"}`},
		{"sensitive names", `{"password":"hunter2x","api_key":"abc123def","token_type":"bearer","session_expires_at":5}`,
			`{"password":"[Filtered]","api_key":"[Filtered]","token_type":"bearer","session_expires_at":5}`},
		{"authorization keeps its scheme", `{"Authorization":"Bearer abcdef123456","authorization":"opaque123"}`,
			`{"Authorization":"Bearer [Filtered]","authorization":"[Filtered]"}`},
		{"free text", `{"message":"failed with Bearer FAKEtoken0123456789 for jane@example.com"}`,
			`{"message":"failed with Bearer [Filtered] for [Filtered: email]"}`},
		{"url query", `{"url":"https://shop.example.test/pay?user=7&password=FAKEpass1"}`,
			`{"url":"https://shop.example.test/pay?user=7&password=[Filtered]"}`},
		{"header pairs", `{"headers":[["Authorization","Bearer abcdef123456"],["Cookie","session=abc123"],["Accept","*/*"]]}`,
			`{"headers":[["Authorization","Bearer [Filtered]"],["Cookie","[Filtered]"],["Accept","*/*"]]}`},
		{"tag objects", `{"tags":[{"key":"api_key","value":"abc123def"},{"key":"env","value":"prod"}]}`,
			`{"tags":[{"key":"api_key","value":"[Filtered]"},{"key":"env","value":"prod"}]}`},
		{"nested under a sensitive name", `{"cookies":{"session":"abc","n":3,"ok":true}}`,
			`{"cookies":{"session":"[Filtered]","n":"[Filtered]","ok":true}}`},
		{"pii", `{"user":{"email":"a@example.com","ip_address":"203.0.113.7","id":"42"},"client_ip":"198.51.100.1"}`,
			`{"user":{"email":"[Filtered]","ip_address":"[Filtered]","id":"[Filtered]"},"client_ip":"[Filtered: ip]"}`},
		{"card in a number and a string", `{"amount":4111111111111111,"note":"card 4111 1111 1111 1111"}`,
			`{"amount":"[Filtered: card]","note":"card [Filtered: card]"}`},
		{"ids are not cards", `{"projectId":4111111111111111,"id":"4111111111111111","ids":["4111111111111111"]}`,
			`{"projectId":4111111111111111,"id":"4111111111111111","ids":["4111111111111111"]}`},
		{"secret in a member name", `{"sk-proj-FAKE0abc1def2ghi3jkl4":1}`, `{"[Filtered: openai key]":1}`},
		{"escapes", "{\"t\":\"a\\u001b[31m\\u001b]52;c;x\\u0007\u009b\u202e\u2066\ufeff\x7f\\ud800\"}",
			`{"t":"a\u001b[31m\u001b]52;c;x\u0007\u009b\u202e\u2066\ufeff\u007f` + "\uFFFD" + `"}`},
		{"already filtered", `{"password":"[Filtered]","x":"[Filtered: email]"}`, `{"password":"[Filtered]","x":"[Filtered: email]"}`},
	}
	for _, tt := range tests {
		got, err := JSON([]byte(tt.in), "")
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
		if !json.Valid(got) {
			t.Errorf("%s: invalid JSON %s", tt.name, got)
		}
	}
}

func TestJSONIndentAndErrors(t *testing.T) {
	got, err := JSON([]byte(`{"a":[1,{"b":"c"}]}`), "  ")
	if err != nil || string(got) != "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"c\"\n    }\n  ]\n}" {
		t.Errorf("indent: %v %s", err, got)
	}
	for _, bad := range []string{``, `{`, `{"a":}`, `[1,2`, `1 2`, `{"a":1}x`, strings.Repeat("[", maxDepth+2)} {
		if _, err := JSON([]byte(bad), ""); err == nil {
			t.Errorf("JSON(%.20q): no error", bad)
		}
	}
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `[["Cookie","x"]]`, "\"\x1b\u009b\u202e\"", `{"password":1}`, `1e5`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return
		}
		out, err := JSON([]byte(s), "")
		if err != nil {
			if strings.Count(s, "[")+strings.Count(s, "{") > maxDepth {
				return
			}
			t.Fatalf("JSON(%q): %v", s, err)
		}
		if !json.Valid(out) || !utf8.Valid(out) {
			t.Fatalf("JSON(%q) = %q: not valid JSON", s, out)
		}
		for _, r := range string(out) {
			if r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r <= 0x9f || isBidiControl(r) {
				t.Fatalf("JSON(%q) = %q: raw %U", s, out, r)
			}
		}
		again, err := JSON(out, "")
		if err != nil || string(again) != string(out) {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", s, out, again, err)
		}
	})
}
