// The offline analyzer's code reading: source files, function bodies and
// definitions, call sites and loops, in any of the languages it knows.

package agent

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

func readRepoLines(repo *Repo, rel string) ([]string, error) {
	_, abs, err := repo.resolvePath(rel)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}

var defRE = regexp.MustCompile(`^\s*(func\b|def\b|async\s+def\b|function\b|async\s+function\b|export\s+(async\s+)?function\b|((public|private|protected|static|final|override|suspend)\s+)+[\w<>\[\],?]+\s+\w+\s*\()`)

// functionBody returns the lines of the function that contains line (1
// based), from its definition to line.
func functionBody(lines []string, line int) []string {
	if line < 1 || line > len(lines) {
		return nil
	}
	start := line - 1
	for start > 0 && !defRE.MatchString(lines[start]) && line-start < 200 {
		start--
	}
	return lines[start:line]
}

var callRE = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*\(`)

var notCallees = map[string]bool{
	"if": true, "for": true, "while": true, "switch": true, "return": true, "func": true, "def": true, "function": true,
	"print": true, "len": true, "make": true, "append": true, "new": true, "panic": true, "Sprintf": true, "Errorf": true,
	"str": true, "int": true, "dict": true, "list": true, "isinstance": true, "super": true, "catch": true, "await": true,
	"fmt": true, "String": true, "Error": true, "require": true, "typeof": true, "Number": true, "JSON": true,
}

// calledNames lists the functions called in a body, in order, except the
// function itself.
func calledNames(body []string, self string) []string {
	if i := strings.LastIndexAny(self, ".:"); i >= 0 {
		self = self[i+1:]
	}
	self = strings.Trim(self, "()*")
	seen := map[string]bool{}
	var out []string
	for i, l := range body {
		if i == 0 {
			continue // the definition line
		}
		code := l
		if j := strings.Index(code, "//"); j >= 0 {
			code = code[:j]
		}
		if j := strings.Index(code, "#"); j >= 0 {
			code = code[:j]
		}
		for _, m := range callRE.FindAllStringSubmatch(code, -1) {
			n := m[1]
			if notCallees[n] || n == self || seen[n] || len(n) < 3 {
				continue
			}
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

type definition struct {
	path string
	line int
}

// findDefinition finds where a function is defined in a repository
// (Go, Python, JavaScript/TypeScript, Java-style).
func findDefinition(repo *Repo, name string) (definition, bool) {
	q := regexp.QuoteMeta(name)
	re := regexp.MustCompile(`^\s*(func(\s*\([^)]*\))?\s+` + q + `\s*[(\[]|(async\s+)?def\s+` + q + `\s*\(|(export\s+)?(async\s+)?function\s+` + q + `\s*\(|(export\s+)?(const|let|var)\s+` + q + `\s*=|` + q + `\s*\([^)]*\)\s*(:\s*[\w<>\[\], ]+)?\s*\{$|(public|private|protected|static|\s)+[\w<>\[\]]+\s+` + q + `\s*\()`)
	var found definition
	ok := false
	_ = filepath.WalkDir(repo.Path, func(p string, d os.DirEntry, err error) error {
		if err != nil || ok {
			return nil
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "vendor", "dist", "build", "__pycache__", ".venv":
				return filepath.SkipDir
			}
			return nil
		}
		if !isSourceFile(d.Name()) || strings.HasSuffix(d.Name(), "_test.go") || strings.Contains(d.Name(), ".test.") || strings.HasPrefix(d.Name(), "test_") {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return nil
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for n := 1; sc.Scan(); n++ {
			if re.MatchString(sc.Text()) {
				rel, err := filepath.Rel(repo.Path, p)
				if err == nil {
					found, ok = definition{path: filepath.ToSlash(rel), line: n}, true
				}
				return filepath.SkipAll
			}
		}
		return nil
	})
	return found, ok
}

func isSourceFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".go", ".py", ".js", ".ts", ".tsx", ".jsx", ".mjs", ".java", ".kt", ".rb", ".php", ".cs", ".rs", ".scala", ".swift":
		return true
	}
	return false
}

// mentionedIn reports whether a name appears in the event's messages or
// breadcrumbs.
func mentionedIn(ev *wire.Event, name string) bool {
	if strings.Contains(ev.Title, name) {
		return true
	}
	if bc := ev.Breadcrumbs(); bc != nil {
		for _, b := range bc.Values {
			if strings.Contains(b.Message, name) || strings.Contains(string(b.Data), name) {
				return true
			}
		}
	}
	return false
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// lineInLoop reports whether a line of a file is inside a loop of its
// function.
func lineInLoop(repo *Repo, path string, line int) bool {
	lines, err := readRepoLines(repo, path)
	if err != nil || line < 1 || line > len(lines) {
		return false
	}
	return inLoop(lines, line-1)
}

func inLoop(lines []string, i int) bool {
	body := functionBody(lines, i+1)
	l := lines[i]
	indent := len(l) - len(strings.TrimLeft(l, " \t"))
	for j := i; j >= max(0, i-8) && j > i-len(body); j-- {
		k := lines[j]
		if loopRE.MatchString(k) && (j == i || len(k)-len(strings.TrimLeft(k, " \t")) < indent) {
			return true
		}
	}
	return false
}

// callSite is a line that mentions a function outside its definition.
type callSite struct {
	path, function, text string
	line                 int
	inLoop               bool
}

var loopRE = regexp.MustCompile(`^\s*(for\b|while\b)|\.(map|forEach|flatMap)\(|\bfor\s*\(`)

// callSites finds the lines of a repository that call or pass name, with
// the function they are in and whether they are inside a loop.
func callSites(repo *Repo, name string) []callSite {
	var out []callSite
	re := regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`)
	walkAppSources(repo, func(rel string, lines []string) bool {
		for i, l := range lines {
			if !re.MatchString(l) || defRE.MatchString(l) {
				continue
			}
			body := functionBody(lines, i+1)
			if len(body) == 0 {
				continue
			}
			fn := defName(body[0])
			if fn == "" || fn == name {
				continue
			}
			out = append(out, callSite{path: rel, function: fn, text: l, line: i + 1, inLoop: inLoop(lines, i)})
		}
		return false
	})
	return out
}

// walkAppSources reads the application's source files of a repository
// (not tests, vendored code, builds or virtualenvs) until visit says
// stop.
func walkAppSources(repo *Repo, visit func(rel string, lines []string) (stop bool)) {
	_ = filepath.WalkDir(repo.Path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "vendor", "dist", "build", "__pycache__", ".venv", "tests", "test", "__tests__":
				return filepath.SkipDir
			}
			return nil
		}
		if !isSourceFile(d.Name()) || strings.HasSuffix(d.Name(), "_test.go") || strings.HasPrefix(d.Name(), "test_") || strings.Contains(d.Name(), ".test.") {
			return nil
		}
		rel, _ := filepath.Rel(repo.Path, p)
		rel = filepath.ToSlash(rel)
		lines, err := readRepoLines(repo, rel)
		if err != nil {
			return nil
		}
		if visit(rel, lines) {
			return filepath.SkipAll
		}
		return nil
	})
}

func (o *Offline) mustRepo(name string) *Repo {
	r, err := o.repos.Get(name)
	if err != nil {
		return nil
	}
	return r
}

// enclosingMatch finds the first line mentioning pattern (in a function
// whose name contains it, when inName) and returns its function.
func enclosingMatch(repo *Repo, pattern string, inName bool) (definition, string, bool) {
	pat := strings.ToLower(pattern)
	var found definition
	var fn string
	ok := false
	walkAppSources(repo, func(rel string, lines []string) bool {
		for i, l := range lines {
			low := strings.ToLower(l)
			if inName {
				if defRE.MatchString(l) && strings.Contains(low, pat) {
					if name := defName(l); name != "" {
						found, fn, ok = definition{path: rel, line: i + 1}, name, true
						return true
					}
				}
				continue
			}
			if strings.Contains(low, pat) && !defRE.MatchString(l) {
				body := functionBody(lines, i+1)
				if len(body) > 0 && defRE.MatchString(body[0]) {
					if name := defName(body[0]); name != "" {
						found, fn, ok = definition{path: rel, line: i + 1}, name, true
						return true
					}
				}
				// A module-level constant (a query kept in a variable):
				// the function that uses it.
				if c := constantAbove(lines, i); c != "" {
					for _, site := range callSites(repo, c) {
						found, fn, ok = definition{path: site.path, line: site.line}, site.function, true
						return true
					}
				}
			}
		}
		return false
	})
	return found, fn, ok
}

var constRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]+)?=`)

// constantAbove returns the name of the module-level assignment a line
// belongs to (a multi-line string constant), or "".
func constantAbove(lines []string, i int) string {
	for j := i; j >= 0 && j > i-30; j-- {
		l := lines[j]
		if l != "" && l[0] != ' ' && l[0] != '\t' && l[0] != ')' && l[0] != '"' && l[0] != '\'' {
			if m := constRE.FindStringSubmatch(l); m != nil {
				return m[1]
			}
			return ""
		}
	}
	return ""
}

var defNameRE = regexp.MustCompile(`(?:func(?:\s*\([^)]*\))?\s+|def\s+|function\s+|(?:const|let|var)\s+)([A-Za-z_][\w]*)|([A-Za-z_][\w]*)\s*\(`)

func defName(line string) string {
	m := defNameRE.FindStringSubmatch(line)
	if m == nil {
		return ""
	}
	if m[1] != "" {
		return m[1]
	}
	if notCallees[m[2]] {
		return ""
	}
	return m[2]
}

func bareFunction(f string) string {
	if i := strings.Index(f, " ("); i > 0 {
		return f[:i]
	}
	return f
}
