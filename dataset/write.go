package dataset

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// EncodeFile is the content of a dataset file holding v, as export and the
// demo generator write it: indented JSON and a final newline.
func EncodeFile(v any) ([]byte, error) {
	b, err := wire.EncodeIndent(v)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// DirWriter writes a dataset into a directory. It is safe for concurrent
// use.
type DirWriter struct {
	root string

	mu    sync.Mutex
	files int
}

// NewDirWriter writes into the directory root (created when missing).
func NewDirWriter(root string) *DirWriter { return &DirWriter{root: root} }

// Put writes v (EncodeFile) to the dataset path name (one of the layout's
// paths: IssuePath, EventPath, …).
func (w *DirWriter) Put(name string, v any) error {
	b, err := EncodeFile(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return w.write(name, b)
}

func (w *DirWriter) write(name string, b []byte) error {
	if !fs.ValidPath(name) {
		return fmt.Errorf("%q is not a dataset path", name)
	}
	p := filepath.Join(w.root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return err
	}
	w.mu.Lock()
	w.files++
	w.mu.Unlock()
	return nil
}

// Files counts the files written so far.
func (w *DirWriter) Files() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.files
}

// CopyExtras copies from the dataset src what only a dataset has, not the
// API: the expected root cause, the services' source trees and their
// history. It returns how many source and history files it copied.
func (w *DirWriter) CopyExtras(src fs.FS) (int, error) {
	if b, err := fs.ReadFile(src, ExpectedFile); err == nil {
		if err := w.write(ExpectedFile, b); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, root := range []string{SourcesDir, HistoryDir} {
		m, err := w.copyTree(src, root)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// copyTree copies the regular files under root of src.
func (w *DirWriter) copyTree(src fs.FS, root string) (int, error) {
	n := 0
	err := fs.WalkDir(src, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return fs.SkipAll
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		n++
		return w.write(p, b)
	})
	return n, err
}
