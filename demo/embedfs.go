package demo

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/tracehound/tracehound/dataset"
)

// embedSuffix marks a file stored under another name so that go:embed accepts
// it (a go.mod would make its directory a separate module).
const embedSuffix = ".embed"

// StripEmbedSuffix returns fsys with every file named NAME.embed presented as
// NAME. The suffixed names themselves are hidden.
func StripEmbedSuffix(fsys fs.FS) fs.FS { return stripFS{fsys} }

type stripFS struct{ fsys fs.FS }

func (s stripFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if strings.HasSuffix(name, embedSuffix) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f, err := s.fsys.Open(name)
	if err == nil {
		return s.wrap(f, name, path.Base(name))
	}
	if !errors.Is(err, fs.ErrNotExist) || name == "." {
		return nil, err
	}
	f, err2 := s.fsys.Open(name + embedSuffix)
	if err2 != nil {
		return nil, err
	}
	return s.wrap(f, name+embedSuffix, path.Base(name))
}

func (s stripFS) wrap(f fs.File, stored, shown string) (fs.File, error) {
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if info.IsDir() {
		return &stripDir{File: f, name: shown, stored: stored}, nil
	}
	return &stripFile{File: f, name: shown}, nil
}

type stripFile struct {
	fs.File
	name string
}

func (f *stripFile) Stat() (fs.FileInfo, error) {
	info, err := f.File.Stat()
	if err != nil {
		return nil, err
	}
	return renamedInfo{info, f.name}, nil
}

// Read, Seek and ReadAt pass through to the stored file where it supports them.
func (f *stripFile) Seek(off int64, whence int) (int64, error) {
	if s, ok := f.File.(io.Seeker); ok {
		return s.Seek(off, whence)
	}
	return 0, errors.ErrUnsupported
}

func (f *stripFile) ReadAt(p []byte, off int64) (int, error) {
	if r, ok := f.File.(io.ReaderAt); ok {
		return r.ReadAt(p, off)
	}
	return 0, errors.ErrUnsupported
}

type stripDir struct {
	fs.File
	name    string
	stored  string
	entries dataset.Entries
	read    bool
}

func (d *stripDir) Stat() (fs.FileInfo, error) {
	info, err := d.File.Stat()
	if err != nil {
		return nil, err
	}
	return renamedInfo{info, d.name}, nil
}

func (d *stripDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		rd, ok := d.File.(fs.ReadDirFile)
		if !ok {
			return nil, &fs.PathError{Op: "readdir", Path: d.stored, Err: errors.ErrUnsupported}
		}
		all, err := rd.ReadDir(-1)
		if err != nil {
			return nil, err
		}
		for _, e := range all {
			if name, ok := strings.CutSuffix(e.Name(), embedSuffix); ok && name != "" {
				e = renamedEntry{e, name}
			}
			d.entries = append(d.entries, e)
		}
		slices.SortFunc(d.entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
		d.read = true
	}
	return d.entries.Next(n)
}

type renamedInfo struct {
	fs.FileInfo
	name string
}

func (i renamedInfo) Name() string { return i.name }

// ModTime is zero, as for embedded files.
func (i renamedInfo) ModTime() time.Time { return i.FileInfo.ModTime() }

type renamedEntry struct {
	fs.DirEntry
	name string
}

func (e renamedEntry) Name() string { return e.name }

func (e renamedEntry) Info() (fs.FileInfo, error) {
	info, err := e.DirEntry.Info()
	if err != nil {
		return nil, err
	}
	return renamedInfo{info, e.name}, nil
}
