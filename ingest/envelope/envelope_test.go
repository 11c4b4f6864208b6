package envelope

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// parseOK parses s with lim and fails the test on an error.
func parseOK(t *testing.T, s string, lim Limits) *Envelope {
	t.Helper()
	env, err := Parse([]byte(s), lim)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return env
}

// types is the item types of env, in order.
func types(env *Envelope) []string {
	var ts []string
	for _, it := range env.Items {
		ts = append(ts, it.Type)
	}
	return ts
}

func TestParseHeader(t *testing.T) {
	env := parseOK(t, `{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","dsn":"https://k@h/1","sent_at":"2024-01-01T00:00:00Z","sdk":{"name":"x"}}`+"\n", Limits{})
	h := env.Header
	if h.EventID != "9ec79c33ec9942ab8353589fcb2e04dc" || h.DSN != "https://k@h/1" || h.SentAt != "2024-01-01T00:00:00Z" {
		t.Errorf("header = %+v", h)
	}
	if !strings.Contains(string(h.Raw), `"sdk":{"name":"x"}`) {
		t.Errorf("raw header = %s", h.Raw)
	}
	if len(env.Items) != 0 {
		t.Errorf("items = %v, want none", types(env))
	}

	// No trailing newline, {} header, a non-string event_id.
	env = parseOK(t, `{"event_id":42}`, Limits{})
	if env.Header.EventID != "" || string(env.Header.Raw) != `{"event_id":42}` {
		t.Errorf("header = %+v", env.Header)
	}
	parseOK(t, "{}", Limits{})
}

// parseErrorCases are envelopes Parse rejects; FuzzParse seeds on them.
var parseErrorCases = []struct {
	name, in string
	lim      Limits
	is       error
	want     string // exact message
}{
	{"empty body", "", Limits{}, ErrMalformed, "malformed: empty envelope"},
	{"only a newline", "\n", Limits{}, ErrMalformed, "malformed: envelope header: empty"},
	{"malformed header", `{"event_id":` + "\n", Limits{}, ErrMalformed,
		"malformed: envelope header: unexpected end of JSON input"},
	{"header not an object", "[1]\n", Limits{}, ErrMalformed,
		"malformed: envelope header: not a JSON object"},
	{"header is garbage", "hello\n{}", Limits{}, ErrMalformed,
		"malformed: envelope header: invalid character 'h' looking for beginning of value"},
	{"item header not JSON", "{}\n{\"type\":\"event\",\"length\":2}\n{}\n{\"type\":\"span\"}\n{}\n{\"type\":\n{}\n", Limits{}, ErrMalformed,
		"malformed: item 2: header: unexpected end of JSON input"},
	{"item header not an object", "{}\n\"event\"\n{}\n", Limits{}, ErrMalformed,
		"malformed: item 0: header: not a JSON object"},
	{"length past end", "{}\n{\"type\":\"attachment\",\"length\":5000}\n" + strings.Repeat("x", 211) + "\n", Limits{}, ErrMalformed,
		"malformed: item 0: length 5000 but only 212 bytes remain"},
	{"length past end, header at EOF", "{}\n{\"type\":\"attachment\",\"length\":1}", Limits{}, ErrMalformed,
		"malformed: item 0: length 1 but only 0 bytes remain"},
	{"max int64 length", "{}\n{\"type\":\"attachment\",\"length\":9223372036854775807}\nabc", Limits{}, ErrMalformed,
		"malformed: item 0: length 9223372036854775807 but only 3 bytes remain"},
	{"negative length", "{}\n{\"type\":\"attachment\",\"length\":-1}\nabc", Limits{}, ErrMalformed,
		"malformed: item 0: length -1 is not a non-negative integer"},
	{"huge length", "{}\n{\"type\":\"attachment\",\"length\":99999999999999999999999}\nabc", Limits{}, ErrMalformed,
		"malformed: item 0: length 99999999999999999999999 is not a non-negative integer"},
	{"fractional length", "{}\n{\"type\":\"attachment\",\"length\":1.5}\nabc", Limits{}, ErrMalformed,
		"malformed: item 0: length 1.5 is not a non-negative integer"},
	{"string length", "{}\n{\"type\":\"attachment\",\"length\":\"3\"}\nabc", Limits{}, ErrMalformed,
		`malformed: item 0: length "3" is not a non-negative integer`},
	{"too many items", "{}\n{\"type\":\"a\"}\n1\n{\"type\":\"a\"}\n2\n{\"type\":\"a\"}\n3\n", Limits{MaxItems: 2}, ErrTooLarge,
		"too large: more than 2 items"},
	{"envelope too big", "{}\n{\"type\":\"a\"}\n0123456789\n", Limits{MaxEnvelope: 20}, ErrTooLarge,
		"too large: envelope of 27 bytes exceeds the limit of 20"},
}

func TestParseErrors(t *testing.T) {
	for _, c := range parseErrorCases {
		t.Run(c.name, func(t *testing.T) {
			env, err := Parse([]byte(c.in), c.lim)
			if err == nil {
				t.Fatalf("Parse = %d items, want error %q", len(env.Items), c.want)
			}
			if env != nil {
				t.Errorf("Parse returned an envelope with its error")
			}
			if !errors.Is(err, c.is) {
				t.Errorf("error %v does not wrap %v", err, c.is)
			}
			if err.Error() != c.want {
				t.Errorf("error = %q\n     want %q", err, c.want)
			}
		})
	}
}

func TestParseLimitsBoundary(t *testing.T) {
	in := "{}\n{\"type\":\"a\"}\n1\n{\"type\":\"a\"}\n2\n"
	if env := parseOK(t, in, Limits{MaxItems: 2, MaxEnvelope: int64(len(in))}); len(env.Items) != 2 {
		t.Errorf("items = %v, want 2", types(env))
	}
	if _, err := Parse([]byte(in), Limits{MaxEnvelope: int64(len(in)) - 1}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("one byte over MaxEnvelope: err = %v", err)
	}
	d := DefaultLimits()
	if d.MaxEnvelope != 20<<20 || d.MaxItem != 10<<20 || d.MaxItems != 1000 {
		t.Errorf("DefaultLimits = %+v", d)
	}
}

func TestParseItemOverLimit(t *testing.T) {
	in := "{}\n" +
		`{"type":"event","length":2}` + "\n{}\n" +
		`{"type":"attachment","length":11,"filename":"big.bin"}` + "\n0123456789A\n" +
		`{"type":"attachment"}` + "\n0123456789AB\n" + // without length
		`{"type":"attachment","length":10}` + "\n0123456789\n"
	env := parseOK(t, in, Limits{MaxItem: 10})
	if got := strings.Join(types(env), ","); got != "event,attachment,attachment,attachment" {
		t.Fatalf("types = %s", got)
	}
	if it := env.Items[0]; it.Err != nil || string(it.Payload) != "{}" {
		t.Errorf("item 0 = %q, %v", it.Payload, it.Err)
	}
	for i, want := range []string{
		"too large: item 1 (attachment): payload of 11 bytes exceeds the limit of 10",
		"too large: item 2 (attachment): payload of 12 bytes exceeds the limit of 10",
	} {
		it := env.Items[i+1]
		if it.Err == nil || it.Err.Error() != want || !errors.Is(it.Err, ErrTooLarge) {
			t.Errorf("item %d Err = %v, want %q", i+1, it.Err, want)
		}
		if it.Payload != nil {
			t.Errorf("item %d kept its payload %q", i+1, it.Payload)
		}
	}
	if !strings.Contains(string(env.Items[1].Header), `"filename":"big.bin"`) {
		t.Errorf("item 1 header = %s", env.Items[1].Header)
	}
	if it := env.Items[3]; it.Err != nil || string(it.Payload) != "0123456789" {
		t.Errorf("item 3 (exactly at the limit) = %q, %v", it.Payload, it.Err)
	}
}

func TestParseInvalidJSONItem(t *testing.T) {
	in := "{}\n" +
		`{"type":"transaction"}` + "\n" + `{"type":"transaction"}` + "\n" +
		`{"type":"event","length":6}` + "\n" + `{"a":}` + "\n" +
		`{"type":"profile"}` + "\n" + `[1,2]` + "\n" +
		`{"type":"span","length":0}` + "\n\n" +
		`{"type":"attachment"}` + "\n" + `{"a":}` + "\n" + // not a JSON type: kept
		`{"type":"log"}` + "\n" + ` {"items":[]} ` + "\n"
	env := parseOK(t, in, Limits{})
	want := []struct{ typ, err, payload string }{
		{"transaction", "", `{"type":"transaction"}`},
		{"event", "malformed: item 1 (event): payload: invalid character '}' looking for beginning of value", ""},
		{"profile", "malformed: item 2 (profile): payload: not a JSON object", ""},
		{"span", "malformed: item 3 (span): payload: empty", ""},
		{"attachment", "", `{"a":}`},
		{"log", "", ` {"items":[]} `},
	}
	if len(env.Items) != len(want) {
		t.Fatalf("types = %v", types(env))
	}
	for i, w := range want {
		it := env.Items[i]
		gotErr := ""
		if it.Err != nil {
			gotErr = it.Err.Error()
			if !errors.Is(it.Err, ErrMalformed) {
				t.Errorf("item %d: Err %v does not wrap ErrMalformed", i, it.Err)
			}
		}
		if it.Type != w.typ || gotErr != w.err || string(it.Payload) != w.payload {
			t.Errorf("item %d = %s %q %q\n      want %s %q %q", i, it.Type, gotErr, it.Payload, w.typ, w.err, w.payload)
		}
	}
}

func TestParseUnknownAndUntypedItems(t *testing.T) {
	bin := "\x00\x01\xff\xfe binary \r"
	in := "{}\n" +
		`{"type":"frobnicate","length":` + strconv.Itoa(len(bin)) + `,"x":[1]}` + "\n" + bin + "\n" +
		`{"type":"statsd"}` + "\nfoo:1|c\n" +
		`{"length":2}` + "\nhi\n" +
		`{"type":7}` + "\nyo\n"
	env := parseOK(t, in, Limits{})
	if got := strings.Join(types(env), ","); got != "frobnicate,statsd,," {
		t.Fatalf("types = %q", got)
	}
	if it := env.Items[0]; it.Err != nil || string(it.Payload) != bin || string(it.Header) != `{"type":"frobnicate","length":13,"x":[1]}` {
		t.Errorf("unknown item = %q %q %v", it.Header, it.Payload, it.Err)
	}
	if it := env.Items[1]; it.Err != nil || string(it.Payload) != "foo:1|c" {
		t.Errorf("statsd item = %q %v", it.Payload, it.Err)
	}
	for i := 2; i < 4; i++ {
		it := env.Items[i]
		want := "malformed: item " + strconv.Itoa(i) + `: header has no string "type"`
		if it.Err == nil || it.Err.Error() != want || it.Payload != nil {
			t.Errorf("item %d = %q %v, want Err %q", i, it.Payload, it.Err, want)
		}
	}
}

func TestParseFraming(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string // type=payload
	}{
		{"CRLF line endings",
			"{\"event_id\":\"x\"}\r\n{\"type\":\"event\",\"length\":2}\r\n{}\r\n{\"type\":\"attachment\"}\r\nabc\r\n{\"type\":\"span\"}\r\n{}",
			[]string{"event={}", "attachment=abc", "span={}"}},
		{"length payload may contain newlines",
			"{}\n{\"type\":\"attachment\",\"length\":4}\na\nb\n\n{\"type\":\"event\"}\n{}\n",
			[]string{"attachment=a\nb\n", "event={}"}},
		{"no newline after a length payload",
			"{}\n{\"type\":\"attachment\",\"length\":3}\nabc{\"type\":\"event\"}\n{}",
			[]string{"attachment=abc", "event={}"}},
		{"blank lines between items and at the end",
			"{}\n\n{\"type\":\"event\"}\n{}\n\n \n{\"type\":\"span\"}\n{}\n\n\n",
			[]string{"event={}", "span={}"}},
		{"a length-less payload may be empty",
			"{}\n{\"type\":\"attachment\"}\n\n{\"type\":\"event\"}\n{}\n",
			[]string{"attachment=", "event={}"}},
		{"length-less item header at EOF",
			"{}\n{\"type\":\"attachment\"}",
			[]string{"attachment="}},
		{"length 0 then EOF without newline",
			"{}\n{\"type\":\"attachment\",\"length\":0}",
			[]string{"attachment="}},
		{"null length means none",
			"{}\n{\"type\":\"attachment\",\"length\":null}\nabc\n",
			[]string{"attachment=abc"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := parseOK(t, c.in, Limits{})
			var got []string
			for _, it := range env.Items {
				if it.Err != nil {
					t.Errorf("%s: %v", it.Type, it.Err)
				}
				got = append(got, it.Type+"="+string(it.Payload))
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("items = %q\n want %q", got, c.want)
			}
		})
	}
}

func TestParseAliasesData(t *testing.T) {
	data := []byte("{}\n{\"type\":\"attachment\",\"length\":3}\nabc\n")
	env, err := Parse(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-2] = 'X'
	if string(env.Items[0].Payload) != "abX" {
		t.Errorf("payload %q does not alias the input", env.Items[0].Payload)
	}
}

func TestFromStore(t *testing.T) {
	cases := []struct {
		name, body, typ, id string
	}{
		{"event", `{"event_id":"fc6d8c0c43fc4630ad850ee518f1b9d0","message":"boom","level":"error"}`, "event", "fc6d8c0c43fc4630ad850ee518f1b9d0"},
		{"transaction", `{"type":"transaction","event_id":"a79bb264f52f4a9992d7b1914a0c27d5","spans":[]}`, "transaction", "a79bb264f52f4a9992d7b1914a0c27d5"},
		{"explicit error type", `{"type":"error","exception":{}}`, "event", ""},
		{"no event_id", ` {"message":"x"} `, "event", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, err := FromStore([]byte(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if env.Header.EventID != c.id {
				t.Errorf("event id = %q, want %q", env.Header.EventID, c.id)
			}
			wantRaw := `{}`
			if c.id != "" {
				wantRaw = `{"event_id":"` + c.id + `"}`
			}
			if string(env.Header.Raw) != wantRaw {
				t.Errorf("raw header = %s, want %s", env.Header.Raw, wantRaw)
			}
			if len(env.Items) != 1 {
				t.Fatalf("items = %v", types(env))
			}
			it := env.Items[0]
			if it.Type != c.typ || string(it.Payload) != c.body || it.Err != nil {
				t.Errorf("item = %s %q %v", it.Type, it.Payload, it.Err)
			}
			wantHdr := `{"type":"` + c.typ + `","length":` + strconv.Itoa(len(c.body)) + `}`
			if string(it.Header) != wantHdr {
				t.Errorf("item header = %s, want %s", it.Header, wantHdr)
			}
		})
	}
	for _, bad := range []string{"", "[1]", `{"event_id":`, "null"} {
		if _, err := FromStore([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("FromStore(%q) err = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestHTTPStatus(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, http.StatusOK},
		{ErrTooLarge, http.StatusRequestEntityTooLarge},
		{ErrMalformed, http.StatusBadRequest},
		{ErrUnsupportedEncoding, http.StatusBadRequest},
	}
	for _, c := range cases {
		if got := HTTPStatus(c.err); got != c.want {
			t.Errorf("HTTPStatus(%v) = %d, want %d", c.err, got, c.want)
		}
	}
	_, err := Parse([]byte("{}\n{\"type\":\"a\"}\n1\n{\"type\":\"a\"}\n2\n"), Limits{MaxItems: 1})
	if got := HTTPStatus(err); got != http.StatusRequestEntityTooLarge {
		t.Errorf("too many items: status %d", got)
	}
}
