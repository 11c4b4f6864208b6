package sdkevent_test

import (
	"testing"

	"github.com/tracehound/tracehound/ingest/sdkevent"
)

func TestDecodeEventID(t *testing.T) {
	for in, want := range map[string]string{
		"0AF7651B-16AB-4B8E-9D2F-C1E5A8D4B3F0": "0af7651b16ab4b8e9d2fc1e5a8d4b3f0",
		"0AF7651B16AB4B8E9D2FC1E5A8D4B3F0":     "0af7651b16ab4b8e9d2fc1e5a8d4b3f0",
		"0af7-651b16ab4b8e9d2fc1e5a8d4b3f0":    "0af7-651b16ab4b8e9d2fc1e5a8d4b3f0", // not the UUID form: kept
		"not-an-id":                            "not-an-id",
		"":                                     "",
	} {
		ev, err := sdkevent.Decode([]byte(`{"event_id":"` + in + `","message":"m"}`))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if ev.ID != want || ev.EventID != want {
			t.Errorf("event_id %q → id %q, eventID %q; want %q", in, ev.ID, ev.EventID, want)
		}
	}
}

func TestDecodeForms(t *testing.T) {
	ev, err := sdkevent.Decode([]byte(`{"event_id":"0af7651b16ab4b8e9d2fc1e5a8d4b3f0","level":"warning","release":"1.2",
		"exception":{"values":[{"type":"ValueError","value":"boom","stacktrace":{"frames":[
			{"filename":"app.py","function":"pay","lineno":3,"pre_context":["a","b"],"context_line":"c","post_context":["d"]}]}}]},
		"tags":[["region","eu"]],"timestamp":1700000000}`))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != "error" || ev.Title != "ValueError: boom" || ev.Tag("level") != "warning" || ev.Tag("release") != "1.2" || ev.Tag("region") != "eu" {
		t.Errorf("event = type %q title %q tags %+v", ev.Type, ev.Title, ev.Tags)
	}
	f := ev.Exception().Values[0].Stacktrace.Frames[0]
	if len(f.Context) != 4 || f.Context[0].Line != 1 || f.Context[2].Text != "c" || f.Context[3].Line != 4 {
		t.Errorf("frame context = %+v", f.Context)
	}
	if ev.DateCreated != "2023-11-14T22:13:20Z" {
		t.Errorf("dateCreated = %q", ev.DateCreated)
	}
	if _, err := sdkevent.Decode([]byte(`{"exception": 5}`)); err == nil {
		t.Error("an exception that is a number decoded")
	}
}
