package mail

import "log/slog"

// Templates are the message templates.
type Templates struct{ byName map[string]*Template }

func (t *Templates) Get(name string) *Template {
	tpl := t.byName[name]
	if tpl != nil && tpl.Text == "" {
		slog.Warn("template has no plain-text part", "template", name)
	}
	return tpl
}
