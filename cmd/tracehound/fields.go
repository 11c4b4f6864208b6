package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// parseFields reads --fields: comma-separated member names, a dot going
// into an object (issue.shortId).
func parseFields(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		for _, part := range strings.Split(f, ".") {
			if part == "" {
				return nil, usagef("--fields: %q is not a field name (names, with dots into objects: issue.shortId)", f)
			}
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, usagef("--fields needs at least one field name")
	}
	return out, nil
}

// emitJSON writes a view's JSON: all of it, or with --fields only the
// named members (of each element, when the view is a list).
func (a *app) emitJSON(w io.Writer, v any) error {
	if len(a.fields) == 0 {
		return writeJSON(w, v)
	}
	b, err := wire.Encode(v)
	if err != nil {
		return err
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	picked, err := pickFields(doc, a.fields)
	if err != nil {
		return err
	}
	if b, err = json.Marshal(picked); err != nil {
		return err
	}
	if b, err = redact.JSON(b, "  "); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// pickFields keeps the named members of an object, or of each object of
// a list. A name no element has is a usage error listing the names there
// are.
func pickFields(doc any, fields []string) (any, error) {
	var objs []map[string]any
	switch d := doc.(type) {
	case map[string]any:
		objs = []map[string]any{d}
	case []any:
		for _, e := range d {
			if m, ok := e.(map[string]any); ok {
				objs = append(objs, m)
			}
		}
	default:
		return nil, usagef("--fields: this view's JSON is not an object or a list of objects")
	}
	seen := map[string]bool{}
	out := make([]map[string]any, len(objs))
	for i, o := range objs {
		out[i] = map[string]any{}
		for _, f := range fields {
			if v, ok := lookup(o, f); ok {
				put(out[i], f, v)
				seen[f] = true
			}
		}
	}
	for _, f := range fields {
		if !seen[f] && len(objs) > 0 {
			var names []string
			for _, o := range objs {
				names = append(names, slices.Collect(maps.Keys(o))...)
			}
			slices.Sort(names)
			return nil, usagef("--fields: no field %q here; the fields are: %s", f, strings.Join(slices.Compact(names), ", "))
		}
	}
	if _, ok := doc.(map[string]any); ok {
		if len(out) == 0 {
			return map[string]any{}, nil
		}
		return out[0], nil
	}
	list := make([]any, len(out))
	for i, o := range out {
		list[i] = o
	}
	return list, nil
}

func lookup(o map[string]any, path string) (any, bool) {
	var cur any = o
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func put(o map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := o[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			o[p] = next
		}
		o = next
	}
	o[parts[len(parts)-1]] = v
}
