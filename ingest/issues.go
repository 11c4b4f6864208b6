package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"

	bolt "go.etcd.io/bbolt"
)

// issueRecord is an issue: the errors of one project with the same
// exception type and top in-app frame (or the same message).
type issueRecord struct {
	ID          int64     `json:"id"`
	ShortID     string    `json:"short_id"`
	ProjectID   int64     `json:"project_id"`
	Fingerprint string    `json:"fingerprint"`
	Title       string    `json:"title"`
	Culprit     string    `json:"culprit,omitempty"`
	Level       string    `json:"level,omitempty"`
	Platform    string    `json:"platform,omitempty"`
	Type        string    `json:"type,omitempty"`
	Value       string    `json:"value,omitempty"`
	Filename    string    `json:"filename,omitempty"`
	Function    string    `json:"function,omitempty"`
	Unhandled   bool      `json:"unhandled,omitempty"`
	Count       int64     `json:"count"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
	FirstRel    string    `json:"first_release,omitempty"`
}

// grouping is what an error event is grouped by, and what its issue shows.
type grouping struct {
	fingerprint                          string
	title, culprit, typ, value, file, fn string
	unhandled                            bool
}

// groupOf groups simply: the main exception's type and the top in-app
// frame (the crashing one; the last frame if none is in-app), else the
// message, else the title.
func groupOf(ev *wire.Event) grouping {
	g := grouping{title: ev.Title, culprit: ev.Culprit}
	if ex := ev.Exception(); ex != nil && len(ex.Values) > 0 {
		main := ex.Values[len(ex.Values)-1]
		g.typ, g.value = main.Type, main.Value
		if m := main.Mechanism; m != nil && m.Handled != nil && !*m.Handled {
			g.unhandled = true
		}
		var top *wire.Frame
		if st := main.Stacktrace; st != nil && len(st.Frames) > 0 {
			top = &st.Frames[len(st.Frames)-1]
			for i := len(st.Frames) - 1; i >= 0; i-- {
				if f := &st.Frames[i]; f.InApp != nil && *f.InApp {
					top = f
					break
				}
			}
		}
		where := ""
		if top != nil {
			g.file, g.fn = firstNonEmpty(top.Filename, top.AbsPath), top.Function
			// The file first: JavaScript SDKs put only the file's base name
			// in module, which two folders can share.
			where = firstNonEmpty(top.Filename, top.Module, top.AbsPath) + "|" + g.fn
			if g.culprit == "" {
				g.culprit = strings.TrimSpace(firstNonEmpty(top.Module, g.file) + " in " + g.fn)
			}
		}
		g.fingerprint = "exception|" + main.Type + "|" + where
		if g.title == "" {
			g.title = strings.TrimPrefix(main.Type+": "+main.Value, ": ")
		}
		return g
	}
	msg, _, _ := strings.Cut(ev.Message, "\n")
	if msg != "" {
		g.fingerprint = "message|" + msg
	} else {
		g.fingerprint = "title|" + ev.Title
	}
	if g.title == "" {
		g.title = firstNonEmpty(msg, "(no message)")
	}
	return g
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// assignIssue finds or creates the issue of an error record and updates
// its counts; it sets r.GroupID, and r.Payload to the encoded event
// (r.bare) with its groupID.
func assignIssue(tx *bolt.Tx, p Project, ev *wire.Event, r *record, at time.Time) error {
	g := groupOf(ev)
	fp := fmt.Sprintf("%d|%s", p.ID, g.fingerprint)
	prints, issues := tx.Bucket(bPrints), tx.Bucket(bIssues)
	var is issueRecord
	if v := prints.Get([]byte(fp)); v != nil {
		if raw := issues.Get(v); raw != nil {
			if err := json.Unmarshal(raw, &is); err != nil {
				return err
			}
		}
	}
	if is.ID != 0 {
		if err := tx.Bucket(bSeen).Delete(seenKey(&is)); err != nil {
			return err
		}
	} else {
		id, err := nextSeq(tx, "issue")
		if err != nil {
			return err
		}
		n, err := nextSeq(tx, "short:"+p.Slug)
		if err != nil {
			return err
		}
		is = issueRecord{
			ID: int64(id), ShortID: strings.ToUpper(p.Slug) + "-" + strings.ToUpper(strconv.FormatUint(n, 36)),
			ProjectID: p.ID, Fingerprint: fp, FirstSeen: at, FirstRel: releaseOf(ev),
		}
		if err := prints.Put([]byte(fp), be64(id)); err != nil {
			return err
		}
		if err := tx.Bucket(bShort).Put(shortKey(is.ShortID), be64(id)); err != nil {
			return err
		}
	}
	is.Title, is.Culprit, is.Type, is.Value, is.Filename, is.Function = g.title, g.culprit, g.typ, g.value, g.file, g.fn
	is.Level, is.Platform, is.Unhandled = firstNonEmpty(dataset.EventLevel(ev), "error"), ev.Platform, is.Unhandled || g.unhandled
	is.Count++
	if at.After(is.LastSeen) {
		is.LastSeen = at
	}
	if at.Before(is.FirstSeen) {
		is.FirstSeen = at
	}
	v, err := json.Marshal(is)
	if err != nil {
		return err
	}
	if err := issues.Put(be64(uint64(is.ID)), v); err != nil {
		return err
	}
	if err := tx.Bucket(bSeen).Put(seenKey(&is), nil); err != nil {
		return err
	}
	r.GroupID = is.ID
	r.Payload = withGroupID(r.bare, is.ID)
	return nil
}

// withGroupID is an encoded event (an object without "groupID") with
// "groupID" added first: the event is encoded before its write
// transaction, outside the one writer, and only gets its group inside.
func withGroupID(event []byte, id int64) []byte {
	out := make([]byte, 0, len(event)+32)
	out = append(out, `{"groupID":"`...)
	out = strconv.AppendInt(out, id, 10)
	out = append(out, '"')
	if rest := bytes.TrimSpace(event[1:]); len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, event[1:]...)
}

func releaseOf(ev *wire.Event) string {
	if len(ev.Release) == 0 {
		return ""
	}
	var r struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(ev.Release, &r) == nil {
		return r.Version
	}
	return ""
}

// apiIssue renders an issue as the API returns it.
func apiIssue(is *issueRecord, p Project) *wire.Issue {
	out := &wire.Issue{
		ID: wire.FlexString(strconv.FormatInt(is.ID, 10)), ShortID: is.ShortID, Title: is.Title, Culprit: is.Culprit,
		Level: is.Level, Status: "unresolved", Substatus: "ongoing", Platform: is.Platform, Type: "error",
		IssueType: "error", IssueCategory: "error", Count: wire.FlexString(strconv.FormatInt(is.Count, 10)),
		FirstSeen: is.FirstSeen.UTC().Format(time.RFC3339Nano), LastSeen: is.LastSeen.UTC().Format(time.RFC3339Nano),
		IsUnhandled: is.Unhandled,
		Project:     wire.IssueProject{ID: wire.FlexString(strconv.FormatInt(p.ID, 10)), Name: p.Name, Slug: p.Slug, Platform: p.Platform},
	}
	if is.Type == "" {
		out.Type = "default"
	}
	out.Metadata.Type, out.Metadata.Value = is.Type, is.Value
	out.Metadata.Filename, out.Metadata.Function, out.Metadata.Title = is.Filename, is.Function, is.Title
	return out
}
