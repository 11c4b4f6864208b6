package dataset

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// MemFS is a read-only dataset held in memory whose file contents are
// produced when a file is opened: the names are known up front, a large
// file is never built unless asked for. The ingest store presents its
// database this way. Build it with Add and AddJSON (not concurrently),
// then read it from any number of goroutines.
type MemFS struct {
	dirs  map[string]map[string]bool // dir → child name → is a dir
	files map[string]func() ([]byte, error)
}

// NewMemFS returns an empty MemFS.
func NewMemFS() *MemFS {
	return &MemFS{dirs: map[string]map[string]bool{".": {}}, files: map[string]func() ([]byte, error){}}
}

// Add adds the file name (a dataset path), whose content load returns.
func (f *MemFS) Add(name string, load func() ([]byte, error)) {
	f.files[name] = load
	for dir, base := path.Dir(name), path.Base(name); ; dir, base = path.Dir(dir), path.Base(dir) {
		isDir := f.files[path.Join(dir, base)] == nil
		if f.dirs[dir] == nil {
			f.dirs[dir] = map[string]bool{}
		}
		f.dirs[dir][base] = isDir
		if dir == "." {
			return
		}
	}
}

// AddJSON adds the file name holding v, encoded now (compact, as the API
// answers).
func (f *MemFS) AddJSON(name string, v any) {
	data, err := wire.Encode(v)
	f.Add(name, func() ([]byte, error) { return bytes.Clone(data), err })
}

// ReadFile implements fs.ReadFileFS. The caller owns the bytes.
func (f *MemFS) ReadFile(name string) ([]byte, error) {
	load, ok := f.files[name]
	if !ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	data, err := load()
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return data, nil
}

// ReadDir implements fs.ReadDirFS.
func (f *MemFS) ReadDir(name string) ([]fs.DirEntry, error) {
	kids, ok := f.dirs[name]
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, 0, len(kids))
	for n, isDir := range kids {
		out = append(out, memEntry{fs: f, path: path.Join(name, n), name: n, dir: isDir})
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// Open implements fs.FS.
func (f *MemFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if _, ok := f.dirs[name]; ok {
		return &memDir{fs: f, name: name}, nil
	}
	data, err := f.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &memFile{Reader: bytes.NewReader(data), info: fileInfo{name: path.Base(name), size: int64(len(data))}}, nil
}

type fileInfo struct {
	name string
	size int64
	dir  bool
}

func (i fileInfo) Name() string { return i.name }
func (i fileInfo) Size() int64  { return i.size }
func (i fileInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return i.dir }
func (i fileInfo) Sys() any           { return nil }

// memEntry is a directory entry; its Info reads the file for its size.
type memEntry struct {
	fs         *MemFS
	path, name string
	dir        bool
}

func (e memEntry) Name() string { return e.name }
func (e memEntry) IsDir() bool  { return e.dir }
func (e memEntry) Type() fs.FileMode {
	if e.dir {
		return fs.ModeDir
	}
	return 0
}
func (e memEntry) Info() (fs.FileInfo, error) {
	if e.dir {
		return fileInfo{name: e.name, dir: true}, nil
	}
	data, err := e.fs.ReadFile(e.path)
	if err != nil {
		return nil, err
	}
	return fileInfo{name: e.name, size: int64(len(data))}, nil
}

type memFile struct {
	*bytes.Reader
	info fileInfo
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Close() error               { return nil }

type memDir struct {
	fs      *MemFS
	name    string
	entries Entries
	read    bool
}

func (d *memDir) Stat() (fs.FileInfo, error) {
	return fileInfo{name: path.Base(d.name), dir: true}, nil
}
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}
func (d *memDir) Close() error { return nil }

// ReadDir implements fs.ReadDirFile.
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		d.read = true
		entries, err := d.fs.ReadDir(d.name)
		if err != nil {
			return nil, err
		}
		d.entries = entries
	}
	return d.entries.Next(n)
}

// Entries are the entries of an open directory not read yet. Next hands
// them out as fs.ReadDirFile.ReadDir must; an fs.FS that lists a directory
// at once (MemFS, the demo's embedded files) keeps them in one.
type Entries []fs.DirEntry

// Next returns, for n > 0, at most n entries, and io.EOF when none are
// left; for n <= 0, all that are left (and no error).
func (e *Entries) Next(n int) ([]fs.DirEntry, error) {
	if n <= 0 {
		out := *e
		*e = nil
		return out, nil
	}
	if len(*e) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(*e))
	out := (*e)[:n:n]
	*e = (*e)[n:]
	return out, nil
}
