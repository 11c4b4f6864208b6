package dataset

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// FileError is a problem with one dataset file. Its message names the
// file, so the person holding the dataset knows which one to fix.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("dataset file %s: %v", e.Path, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

// Dataset is an opened dataset: its organization and the index of its
// file names. File names are listed once, in Open; contents are read when
// asked for, so an edited file is read as it is now, while a new file
// needs a new Open.
type Dataset struct {
	fsys fs.FS

	// Org is organization.json as stored; OrgSlug and OrgID are its slug
	// and id.
	Org            []byte
	OrgSlug, OrgID string

	Issues    map[string]string            // issue id (file stem) → path
	Events    map[string]map[string]string // project slug → event id (NormID) → path
	EventByID map[string][]string          // event id (NormID) → paths under every project, sorted
	Traces    map[string]string            // trace id (NormID) → path
	TraceMeta map[string]string            // trace id (NormID) → path of its .meta.json
	Profiles  map[string]map[string]string // project slug → profile id (NormID) → path
	Chunks    map[string][]string          // profiler id (NormID) → paths, sorted
}

// Open reads organization.json and lists the file names of the dataset in
// fsys.
func Open(fsys fs.FS) (*Dataset, error) {
	if fsys == nil {
		return nil, errors.New("no dataset (nil fs.FS)")
	}
	d := &Dataset{
		fsys:      fsys,
		Issues:    map[string]string{},
		Events:    map[string]map[string]string{},
		EventByID: map[string][]string{},
		Traces:    map[string]string{},
		TraceMeta: map[string]string{},
		Profiles:  map[string]map[string]string{},
		Chunks:    map[string][]string{},
	}
	data, err := fs.ReadFile(fsys, OrganizationFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("the dataset has no " + OrganizationFile + " at its root (the /organizations/{org}/ response); is this the dataset directory?")
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", OrganizationFile, err)
	}
	if err := CheckJSON(data, '{'); err != nil {
		return nil, &FileError{OrganizationFile, err}
	}
	var head struct {
		ID   wire.FlexString `json:"id"`
		Slug string          `json:"slug"`
	}
	if err := wire.Decode(data, &head); err != nil {
		return nil, &FileError{OrganizationFile, err}
	}
	if head.Slug == "" {
		return nil, &FileError{OrganizationFile, errors.New(`no "slug"`)}
	}
	d.Org, d.OrgSlug, d.OrgID = data, head.Slug, string(head.ID)
	if err := d.index(); err != nil {
		return nil, fmt.Errorf("listing the dataset: %w", err)
	}
	return d, nil
}

// FS is the file system the dataset is read from.
func (d *Dataset) FS() fs.FS { return d.fsys }

// jsonFiles lists the *.json files directly in dir; a missing dir is empty.
func (d *Dataset) jsonFiles(dir string) ([]string, error) {
	return d.entries(dir, func(e fs.DirEntry) bool { return !e.IsDir() && strings.HasSuffix(e.Name(), jsonExt) })
}

// subdirs lists the directories directly in dir; a missing dir is empty.
func (d *Dataset) subdirs(dir string) ([]string, error) {
	return d.entries(dir, fs.DirEntry.IsDir)
}

// entries lists the names of the entries of dir that keep says to keep.
func (d *Dataset) entries(dir string, keep func(fs.DirEntry) bool) ([]string, error) {
	ents, err := fs.ReadDir(d.fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if keep(e) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// stem is a file name without its .json extension.
func stem(name string) string { return strings.TrimSuffix(name, jsonExt) }

// index lists the file names of the dataset (never their contents).
func (d *Dataset) index() error {
	names, err := d.jsonFiles(IssuesDir)
	if err != nil {
		return err
	}
	for _, n := range names {
		d.Issues[stem(n)] = path.Join(IssuesDir, n)
	}
	if err := d.indexProjectDirs(EventsDir, d.Events, func(id, file string) {
		d.EventByID[id] = append(d.EventByID[id], file)
	}); err != nil {
		return err
	}
	for _, paths := range d.EventByID {
		slices.Sort(paths)
	}

	names, err = d.jsonFiles(TracesDir)
	if err != nil {
		return err
	}
	for _, n := range names {
		if id, ok := strings.CutSuffix(n, traceMetaExt); ok {
			d.TraceMeta[NormID(id)] = path.Join(TracesDir, n)
			continue
		}
		d.Traces[NormID(stem(n))] = path.Join(TracesDir, n)
	}

	if err := d.indexProjectDirs(ProfilesDir, d.Profiles, nil); err != nil {
		return err
	}

	profilers, err := d.subdirs(ChunksDir)
	if err != nil {
		return err
	}
	for _, p := range profilers {
		names, err := d.jsonFiles(path.Join(ChunksDir, p))
		if err != nil {
			return err
		}
		id := NormID(p)
		for _, n := range names {
			d.Chunks[id] = append(d.Chunks[id], path.Join(ChunksDir, p, n))
		}
		slices.Sort(d.Chunks[id])
	}
	return nil
}

// indexProjectDirs indexes dir/{project}/{id}.json into into (project →
// id → path), calling each (when set) for every file.
func (d *Dataset) indexProjectDirs(dir string, into map[string]map[string]string, each func(id, file string)) error {
	projects, err := d.subdirs(dir)
	if err != nil {
		return err
	}
	for _, p := range projects {
		names, err := d.jsonFiles(path.Join(dir, p))
		if err != nil {
			return err
		}
		m := map[string]string{}
		for _, n := range names {
			id, file := NormID(stem(n)), path.Join(dir, p, n)
			m[id] = file
			if each != nil {
				each(id, file)
			}
		}
		into[p] = m
	}
	return nil
}

// Read returns a file's bytes after checking that they hold one JSON value
// of the wanted kind ('{', '[' or 0 for any). Its errors are *FileError.
func (d *Dataset) Read(file string, want jsontext.Kind) ([]byte, error) {
	data, err := fs.ReadFile(d.fsys, file)
	if err != nil {
		return nil, &FileError{file, err}
	}
	if err := CheckJSON(data, want); err != nil {
		return nil, &FileError{file, err}
	}
	return data, nil
}

// OpenStream opens a file to be read as it is sent (a trace of hundreds of
// megabytes, which Read would hold whole): it checks only that the file
// starts with a JSON value of kind want (when not 0), and returns it
// unread with its size. The reader checks the rest. Its errors are
// *FileError; the caller closes the file.
func (d *Dataset) OpenStream(file string, want jsontext.Kind) (io.ReadCloser, int64, error) {
	f, err := d.fsys.Open(file)
	if err != nil {
		return nil, 0, &FileError{file, err}
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, &FileError{file, err}
	}
	br := bufio.NewReader(f)
	size := st.Size()
	for {
		b, err := br.Peek(1)
		if err != nil {
			f.Close()
			if errors.Is(err, io.EOF) {
				err = errors.New("the file is empty")
			}
			return nil, 0, &FileError{file, err}
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			br.Discard(1)
			size--
			continue
		}
		k := jsontext.Kind(b[0])
		if b[0] == '-' || '0' <= b[0] && b[0] <= '9' {
			k = '0'
		}
		if want != 0 && k != want {
			f.Close()
			return nil, 0, &FileError{file, fmt.Errorf("want %s at the top level, got %s", KindName(want), KindName(k))}
		}
		break
	}
	return readCloser{br, f}, size, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// Decode reads file into v with wire.Decode (what the client accepts).
// Its errors are *FileError.
func (d *Dataset) Decode(file string, v any) error {
	data, err := d.Read(file, 0)
	if err != nil {
		return err
	}
	if err := wire.Decode(data, v); err != nil {
		return &FileError{file, err}
	}
	return nil
}

// OptionalArray reads a top-level file holding a JSON array (ProjectsFile,
// ReposFile, CodeMappingsFile) into its elements, as stored. A missing file
// is an empty list.
func (d *Dataset) OptionalArray(file string) ([]jsontext.Value, error) {
	data, err := d.Read(file, '[')
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var elems []jsontext.Value
	if err := wire.Decode(data, &elems); err != nil {
		return nil, &FileError{file, err}
	}
	return elems, nil
}

// Project is one element of projects.json: its id and slug, and the
// element as stored.
type Project struct {
	Raw      jsontext.Value
	ID, Slug string
}

// Projects reads projects.json (a missing file is no projects).
func (d *Dataset) Projects() ([]Project, error) {
	elems, err := d.OptionalArray(ProjectsFile)
	if err != nil {
		return nil, err
	}
	out := make([]Project, 0, len(elems))
	for i, e := range elems {
		var p struct {
			ID   wire.FlexString `json:"id"`
			Slug string          `json:"slug"`
		}
		if err := wire.Decode(e, &p); err != nil {
			return nil, &FileError{ProjectsFile, fmt.Errorf("element %d: %w", i, err)}
		}
		out = append(out, Project{Raw: e, ID: string(p.ID), Slug: p.Slug})
	}
	return out, nil
}

// DecodeOptions are the options wire.Decode reads JSON with: a reader
// of dataset files must accept exactly what the client accepts.
var DecodeOptions = []jsontext.Options{
	jsontext.AllowInvalidUTF8(true),
	jsontext.AllowDuplicateNames(true),
}

// KindName names a JSON kind for error messages ("an object").
func KindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "nothing"
}

// CheckJSON reports whether data holds exactly one JSON value of the
// wanted kind ('{' or '['; 0 for any), with a reason a person can act on.
func CheckJSON(data []byte, want jsontext.Kind) error {
	dec := jsontext.NewDecoder(bytes.NewReader(data), DecodeOptions...)
	if k := dec.PeekKind(); k == 0 {
		_, err := dec.ReadToken()
		if errors.Is(err, io.EOF) {
			return errors.New("the file is empty")
		}
		return err
	} else if want != 0 && k != want {
		return fmt.Errorf("want %s at the top level, got %s", KindName(want), KindName(k))
	}
	if err := dec.SkipValue(); err != nil {
		return err
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		if err == nil {
			return errors.New("unexpected data after the top-level value")
		}
		return err
	}
	return nil
}
