// Command gen regenerates the JSON files of the embedded incidents: the demo
// incident checkout-auth (package incident, plus demo/ids_generated.go) and
// the eval incidents of package scenario, each in _incidents/<name>/. Run it
// from demo/ (go generate ./demo).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"

	"github.com/tracehound/tracehound/demo/internal/incident"
	"github.com/tracehound/tracehound/demo/internal/scenario"
)

func main() {
	dir := flag.String("dir", "_incidents/checkout-auth", "dataset directory of the demo incident")
	idsFile := flag.String("ids", "ids_generated.go", "Go file for the demo incident's exported ids")
	root := flag.String("incidents", "_incidents", "directory holding one dataset directory per eval incident")
	flag.Parse()
	out, err := incident.Build(os.DirFS(*dir))
	if err != nil {
		log.Fatal(err)
	}
	write(*dir, out.Files, incident.IsGenerated)
	if err := os.WriteFile(*idsFile, out.GoSource(), 0o644); err != nil {
		log.Fatal(err)
	}
	for _, name := range scenario.Names() {
		d := filepath.Join(*root, name)
		out, err := scenario.Build(name, os.DirFS(d))
		if err != nil {
			log.Fatal(err)
		}
		write(d, out.Files, scenario.IsGenerated)
	}
}

// write makes the generated files of dir exactly files: it removes the
// generated files no longer produced and writes the others.
func write(dir string, files map[string][]byte, generated func(string) bool) {
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if p == dir && errors.Is(err, fs.ErrNotExist) {
			return fs.SkipDir // a new incident
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if _, keep := files[rel]; !keep && generated(rel) {
			return os.Remove(p)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("wrote %d files to %s\n", len(files), dir)
}
