package wire

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Raw is a JSON value kept exactly as received, for fields tracehound does
// not interpret and for members it does not know.
type Raw = jsontext.Value

// Extra holds the members of a JSON object that the Go type does not name,
// so that decoding and re-encoding loses nothing.
type Extra = map[string]jsontext.Value

// decodeOpts makes decoding tolerant of what real payloads contain: invalid
// UTF-8 (replaced, not rejected) and duplicate member names (last wins).
var decodeOpts = json.JoinOptions(
	jsontext.AllowInvalidUTF8(true),
	jsontext.AllowDuplicateNames(true),
)

// Decode unmarshals Sentry JSON into v, tolerantly (see decodeOpts). It is the
// one decoder every package uses for Sentry payloads.
func Decode(data []byte, v any) error {
	return json.Unmarshal(data, v, decodeOpts)
}

// encodeOpts mirror decodeOpts, so raw values kept from a tolerant decode
// can always be written back.
var encodeOpts = json.JoinOptions(
	json.Deterministic(true),
	jsontext.AllowInvalidUTF8(true),
	jsontext.AllowDuplicateNames(true),
)

// Encode marshals v back to JSON with Sentry's own field names.
func Encode(v any) ([]byte, error) {
	return json.Marshal(v, encodeOpts)
}

// EncodeIndent is Encode with two-space indentation, for people and files.
func EncodeIndent(v any) ([]byte, error) {
	return json.Marshal(v, encodeOpts, jsontext.WithIndent("  "))
}

// FlexString is a string that SDKs and endpoints sometimes send as a number
// (ids, counts, thread ids). Numbers keep their literal text; null is "".
type FlexString string

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (s *FlexString) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case '"':
		*s = FlexString(tok.String())
	case '0':
		*s = FlexString(tok.String())
	case 'n':
		*s = ""
	case 't', 'f':
		*s = FlexString(strconv.FormatBool(tok.Bool()))
	default:
		return fmt.Errorf("want a string or number, got %v", tok.Kind())
	}
	return nil
}

// String returns the value as a plain string.
func (s FlexString) String() string { return string(s) }

// FlexInt is an integer that may arrive as a JSON number, a numeric string,
// a float with no fraction (112.0) or null (0).
type FlexInt int64

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (n *FlexInt) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*n = 0
		return nil
	case '0', '"':
		v, err := parseFlexInt(tok.String())
		if err != nil {
			return err
		}
		*n = FlexInt(v)
		return nil
	}
	return fmt.Errorf("want an integer, got %v", tok.Kind())
}

func parseFlexInt(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, nil
	}
	if v, err := strconv.ParseUint(s, 10, 64); err == nil {
		// Values above MaxInt64 (some thread ids) wrap; keep the bits.
		return int64(v), nil
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		if v, err := strconv.ParseUint(s[2:], 16, 64); err == nil {
			return int64(v), nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	return int64(f), nil
}

// FlexFloat is a float that may arrive as a number, a numeric string or null.
type FlexFloat float64

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (f *FlexFloat) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*f = 0
		return nil
	case '0':
		v, err := tok.Float()
		*f = FlexFloat(v)
		return err
	case '"':
		s := strings.TrimSpace(tok.String())
		if s == "" {
			*f = 0
			return nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		*f = FlexFloat(v)
		return nil
	}
	return fmt.Errorf("want a number, got %v", tok.Kind())
}

// Timestamp is a point in time as float epoch seconds, the form trace items,
// spans and transactions use. It also decodes the ISO 8601 strings some
// payloads carry (documentation examples, breadcrumbs, the Go SDK) and
// numeric strings. It encodes as a number.
type Timestamp float64

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (t *Timestamp) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*t = 0
		return nil
	case '0':
		v, err := tok.Float()
		*t = Timestamp(v)
		return err
	case '"':
		v, err := ParseTimestamp(tok.String())
		if err != nil {
			return err
		}
		*t = v
		return nil
	}
	return fmt.Errorf("want a timestamp, got %v", tok.Kind())
}

// MarshalJSONTo implements json.MarshalerTo: a number with microsecond
// precision at most, as Sentry sends it.
func (t Timestamp) MarshalJSONTo(enc *jsontext.Encoder) error {
	v := math.Round(float64(t)*1e6) / 1e6
	return enc.WriteToken(jsontext.Float(v))
}

// ParseTimestamp reads epoch seconds (possibly as a string) or an ISO 8601 /
// RFC 3339 time, with or without a zone (no zone means UTC, as Sentry does).
func ParseTimestamp(s string) (Timestamp, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return Timestamp(f), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return TimestampOf(tm), nil
		}
	}
	return 0, fmt.Errorf("%q is neither epoch seconds nor an ISO 8601 time", s)
}

// TimestampOf converts a time.Time.
func TimestampOf(tm time.Time) Timestamp {
	return Timestamp(float64(tm.UnixNano()) / 1e9)
}

// Time converts to a time.Time in UTC.
func (t Timestamp) Time() time.Time {
	sec, frac := math.Modf(float64(t))
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC()
}

// IsZero reports whether the timestamp is absent.
func (t Timestamp) IsZero() bool { return t == 0 }

// Pairs is a list of [key, value] pairs, the form Sentry uses for request
// headers, cookies and query strings. It also accepts an object (the ingest
// form) and tolerates non-string values, which it keeps as their JSON text.
type Pairs [][2]string

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (p *Pairs) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		*p = nil
		return err
	case '"':
		// A raw query string ("a=1&b=2"): keep it as one unnamed pair.
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		*p = Pairs{{"", tok.String()}}
		return nil
	case '{':
		var m map[string]jsontext.Value
		if err := json.UnmarshalDecode(dec, &m); err != nil {
			return err
		}
		out := make(Pairs, 0, len(m))
		for k, v := range m {
			out = append(out, [2]string{k, rawText(v)})
		}
		sortPairs(out)
		*p = out
		return nil
	case '[':
		var items []jsontext.Value
		if err := json.UnmarshalDecode(dec, &items); err != nil {
			return err
		}
		out := make(Pairs, 0, len(items))
		for _, it := range items {
			var kv []jsontext.Value
			if err := json.Unmarshal(it, &kv); err != nil || len(kv) == 0 {
				out = append(out, [2]string{"", rawText(it)})
				continue
			}
			pair := [2]string{rawText(kv[0]), ""}
			if len(kv) > 1 {
				pair[1] = rawText(kv[1])
			}
			out = append(out, pair)
		}
		*p = out
		return nil
	}
	return fmt.Errorf("want a list of pairs, got %v", dec.PeekKind())
}

// Get returns the first value for key (case-insensitive).
func (p Pairs) Get(key string) (string, bool) {
	for _, kv := range p {
		if strings.EqualFold(kv[0], key) {
			return kv[1], true
		}
	}
	return "", false
}

func sortPairs(p Pairs) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && p[j][0] < p[j-1][0]; j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

// rawText renders a raw JSON value as text: strings unquoted, null empty,
// everything else as its JSON.
func rawText(v jsontext.Value) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	if v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			return s
		}
	}
	return string(v)
}

// RawText renders a raw JSON value as display text (strings unquoted).
func RawText(v Raw) string { return rawText(v) }

// ISOTime is a point in time that the API writes as an ISO 8601 string
// (breadcrumbs, profile timestamps). It decodes every form Timestamp
// accepts and encodes back as a string.
type ISOTime Timestamp

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (t *ISOTime) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return (*Timestamp)(t).UnmarshalJSONFrom(dec)
}

// MarshalJSONTo implements json.MarshalerTo.
func (t ISOTime) MarshalJSONTo(enc *jsontext.Encoder) error {
	return enc.WriteToken(jsontext.String(Timestamp(t).Time().Format("2006-01-02T15:04:05.000000Z")))
}

// Time converts to a time.Time in UTC.
func (t ISOTime) Time() time.Time { return Timestamp(t).Time() }

// IsZero reports whether the time is absent.
func (t ISOTime) IsZero() bool { return t == 0 }

// NumOrString is an id that some payloads send as a number and others as a
// string (profile thread ids: numbers in v1 API output, strings in v2 and
// in SDK payloads). It re-encodes in the form it came in.
type NumOrString struct {
	S   string
	Num bool // it was (and encodes as) a JSON number
}

// NumID makes a NumOrString that encodes as a number.
func NumID(s string) NumOrString { return NumOrString{S: s, Num: true} }

// StrID makes a NumOrString that encodes as a string.
func StrID(s string) NumOrString { return NumOrString{S: s} }

// String returns the id's text.
func (v NumOrString) String() string { return v.S }

// IsZero reports whether the id is absent.
func (v NumOrString) IsZero() bool { return v.S == "" }

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (v *NumOrString) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case '"':
		*v = NumOrString{S: tok.String()}
	case '0':
		*v = NumOrString{S: tok.String(), Num: true}
	case 'n':
		*v = NumOrString{}
	default:
		return fmt.Errorf("want a number or a string, got %v", tok.Kind())
	}
	return nil
}

// MarshalJSONTo implements json.MarshalerTo.
func (v NumOrString) MarshalJSONTo(enc *jsontext.Encoder) error {
	if v.Num {
		if _, err := strconv.ParseFloat(v.S, 64); err == nil {
			return enc.WriteValue(jsontext.Value(v.S))
		}
	}
	return enc.WriteToken(jsontext.String(v.S))
}
