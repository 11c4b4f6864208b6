package wire

import (
	"strings"
	"testing"
)

func TestDecodeLenient(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		required []string
		check    func(*Issue) bool
		dropped  []string // pointers
		err      string
	}{
		{name: "userCount as a string", in: `{"id":"1","userCount":"many","title":"T"}`,
			check: func(is *Issue) bool { return is.ID == "1" && is.UserCount == 0 && is.Title == "T" }, dropped: []string{"/userCount"}},
		{name: "firstSeen as a number, title as an object", in: `{"id":"1","firstSeen":1732000000,"title":{"x":1},"culprit":"c"}`,
			check: func(is *Issue) bool { return is.FirstSeen == "" && is.Title == "" && is.Culprit == "c" }, dropped: []string{"/firstSeen", "/title"}},
		{name: "nested: project slug as an array", in: `{"id":"1","project":{"slug":["a"],"platform":"go"}}`,
			check: func(is *Issue) bool { return is.Project.Platform == "go" }, dropped: []string{"/project/slug"}},
		{name: "whole object of the wrong kind", in: `{"id":"1","metadata":"none"}`,
			check: func(is *Issue) bool { return is.ID == "1" }, dropped: []string{"/metadata"}},
		{name: "unknown members are kept, whatever their type", in: `{"id":"1","newThing":[1,2]}`,
			check: func(is *Issue) bool { return string(is.Extra["newThing"]) == "[1,2]" }},
		{name: "a required value of the wrong type fails", in: `{"id":{"n":1},"title":"T"}`, required: []string{"/id"},
			err: "/id, which tracehound needs"},
		{name: "invalid JSON fails", in: `{"id":"1",`, err: "unexpected EOF"},
		{name: "the top level of the wrong kind fails", in: `["id"]`, err: "unmarshal JSON array into Go wire.Issue"}, // "cannot" or "unable to": the library picks one per process
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var is Issue
			dropped, err := DecodeLenient([]byte(tt.in), &is, tt.required...)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range dropped {
				got = append(got, d.Pointer)
			}
			if strings.Join(got, ",") != strings.Join(tt.dropped, ",") {
				t.Errorf("dropped %v, want %v", got, tt.dropped)
			}
			if !tt.check(&is) {
				t.Errorf("decoded %+v", is)
			}
		})
	}
}

func TestDroppedSaysWhat(t *testing.T) {
	var is Issue
	dropped, err := DecodeLenient([]byte(`{"userCount":"many","firstSeen":12}`), &is)
	if err != nil || len(dropped) != 2 {
		t.Fatalf("%v %v", dropped, err)
	}
	if got := dropped[0].String(); got != "dropped /userCount: a string where an integer was expected" {
		t.Errorf("%q", got)
	}
	if got := dropped[1].String(); got != "dropped /firstSeen: a number where a string was expected" {
		t.Errorf("%q", got)
	}
}

func TestMatchPointer(t *testing.T) {
	for _, c := range []struct {
		pattern, ptr string
		want         bool
	}{
		{"/id", "/id", true},
		{"/id", "/ids", false},
		{"/id", "/x/id", false},
		{"/*/id", "/3/id", true},
		{"/*/id", "/3/x/id", false},
		{"**/event_id", "/event_id", true},
		{"**/event_id", "/0/children/2/errors/1/event_id", true},
		{"**/event_id", "/0/event_ids", false},
		{"**/profile/frames", "/chunk/profile/frames", true},
		{"**/profile/frames", "/profile/frames/3", false},
	} {
		if got := matchPointer(c.pattern, c.ptr); got != c.want {
			t.Errorf("matchPointer(%q, %q) = %v", c.pattern, c.ptr, got)
		}
	}
}

// One bad frame does not turn the whole exception entry raw.
func TestEntryDropsOneBadValue(t *testing.T) {
	var ev Event
	in := `{"eventID":"e","entries":[{"type":"exception","data":{"values":[{"type":"E","value":"v",
	  "stacktrace":{"frames":[{"function":"f","lineNo":"forty-two"},{"function":"g","lineNo":7}]}}]}}]}`
	if _, err := DecodeLenient([]byte(in), &ev); err != nil {
		t.Fatal(err)
	}
	ex := ev.Exception()
	if ex == nil || len(ex.Values[0].Stacktrace.Frames) != 2 || ex.Values[0].Stacktrace.Frames[1].LineNo != 7 {
		t.Fatalf("exception = %+v (entry %+v)", ex, ev.Entries[0])
	}
	if d := ev.Entries[0].Dropped; len(d) != 1 || d[0].Pointer != "/values/0/stacktrace/frames/0/lineNo" {
		t.Errorf("dropped = %v", d)
	}
}
