package main

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Every flag's help shows a value name, not a phrase that pflag took from
// backquotes in the usage ("--data tracehound export").
func TestFlagValueNames(t *testing.T) {
	root := newRootCmd(newApp(&bytes.Buffer{}, &bytes.Buffer{}))
	valueName := regexp.MustCompile(`^([A-Z][A-Z_]*|string|int|int64|uint|float|float64|duration|stringArray|strings|ints|bool)?$`)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				name, _ := pflag.UnquoteUsage(f)
				if !valueName.MatchString(name) {
					t.Errorf("%s --%s shows the value name %q", c.CommandPath(), f.Name, name)
				}
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
