// Command gen regenerates the JSON files of the embedded demo incident and
// demo/ids_generated.go. Run it from demo/ (go generate ./demo).
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"

	"github.com/tracehound/tracehound/demo/internal/incident"
)

func main() {
	dir := flag.String("dir", "_incidents/checkout-auth", "dataset directory to write")
	idsFile := flag.String("ids", "ids_generated.go", "Go file for the exported ids")
	flag.Parse()
	out, err := incident.Build(os.DirFS(*dir))
	if err != nil {
		log.Fatal(err)
	}
	// Remove generated files the story no longer produces.
	err = filepath.WalkDir(*dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(*dir, p)
		rel = filepath.ToSlash(rel)
		if _, keep := out.Files[rel]; !keep && incident.IsGenerated(rel) {
			return os.Remove(p)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	for name, b := range out.Files {
		p := filepath.Join(*dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if err := os.WriteFile(*idsFile, out.GoSource(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %d files to %s\n", len(out.Files), *dir)
}
