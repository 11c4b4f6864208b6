package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/ingest/otlp"
)

// OTLPFiles lists the files of fsys's root that hold OTLP JSON trace data
// as the Collector's file exporter writes it (*.json, *.jsonl, *.ndjson),
// when fsys is not a dataset (it has no organization.json). It returns nil for a dataset or a directory with no
// such file.
func OTLPFiles(fsys fs.FS) ([]string, error) {
	if _, err := fs.Stat(fsys, dataset.OrganizationFile); err == nil {
		return nil, nil
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		switch strings.ToLower(path.Ext(e.Name())) {
		case ".json", ".jsonl", ".ndjson":
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

// OpenOTLPFiles reads the OTLP JSON files (OTLPFiles) of dir into a new
// store in a temporary directory and returns it, with a function that
// closes it and deletes the directory. Every file must decode; a file
// that holds no spans is an error too (it is not OTLP trace data).
func OpenOTLPFiles(dir string, files []string) (*Store, func(), error) {
	tmp, err := os.MkdirTemp("", "tracehound-otlp-")
	if err != nil {
		return nil, nil, err
	}
	st, err := Open(filepath.Join(tmp, "ingest.db"), Retention{})
	if err != nil {
		os.RemoveAll(tmp)
		return nil, nil, err
	}
	closeAll := func() {
		st.Close()
		os.RemoveAll(tmp)
	}
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		td, err := otlp.DecodeFile(data)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		if td.SpanCount() == 0 {
			closeAll()
			return nil, nil, fmt.Errorf("%s: no OTLP spans in it (want the Collector file exporter's JSON: one {\"resourceSpans\": …} a line)", name)
		}
		if _, _, err := st.IngestOTLP(td, nil); err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return st, closeAll, nil
}
