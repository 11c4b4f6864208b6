package wire

// EventsTable is the answer of Discover's events endpoint
// (/organizations/{org}/events/?field=…): one row per event, the requested
// fields as members (names with parentheses appear literally, "count()"),
// and their types in meta.fields.
type EventsTable struct {
	Data []Extra    `json:"data"`
	Meta EventsMeta `json:"meta"`
	// Extra keeps the members this type does not name.
	Extra Extra `json:",embed"`
}

// EventsMeta describes an EventsTable's columns.
type EventsMeta struct {
	Fields  map[string]string `json:"fields,omitempty"`
	Units   Extra             `json:"units,omitempty"`
	Dataset string            `json:"dataset,omitempty"`
	Extra   Extra             `json:",embed"`
}

// RowField reads a row's field as text: a JSON string unquoted, a number or
// bool as written, "" when absent or null.
func RowField(row Extra, field string) string {
	v, ok := row[field]
	if !ok {
		return ""
	}
	switch v.Kind() {
	case '"':
		var s string
		if Decode(v, &s) == nil {
			return s
		}
	case '0', 't', 'f':
		return string(v)
	}
	return ""
}
