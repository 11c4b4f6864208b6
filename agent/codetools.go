package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tracehound/tracehound/redact"
)

// CodeToolOptions configure the code tools.
type CodeToolOptions struct {
	// IssueShortID names the issue under investigation ("PAYMENTS-1AB"),
	// for the branch and commit message of a patch.
	IssueShortID string
	// MaxResults caps the matches search_code shows (default 50).
	MaxResults int
}

// Limits of the code tools.
const (
	searchMaxFileSize  = 1 << 20 // files over 1 MB are skipped by search_code
	searchLineMax      = 300     // characters of a matched line shown
	searchPerFileMax   = 20      // matches shown per file
	readDefaultLines   = 400     // lines read_file shows per call
	readMaxFileSize    = 8 << 20 // read_file refuses larger files
	readLineMax        = 2000    // characters of a line read_file shows
	binarySniffBytes   = 8000    // bytes checked for NUL to call a file binary
	defaultMaxMatches  = 50
	listTopLevelMax    = 40
	dirListMax         = 200
	suggestionsMax     = 5
	searchSkippedNoted = 3
)

// Tools returns the code tools over the repositories: list_repositories,
// search_code, read_file and propose_patch.
func (rs *Repos) Tools(opts CodeToolOptions) []Tool {
	if rs == nil {
		rs = &Repos{byName: map[string]*Repo{}, files: map[*Repo]*repoFiles{}}
	}
	if opts.MaxResults <= 0 {
		opts.MaxResults = defaultMaxMatches
	}
	tools := []Tool{
		{
			Name: ToolListRepos,
			Description: "List the source repositories you can read: each one's name (the `repo` argument of the other code tools), " +
				"the Sentry projects whose code it holds, how stack-frame paths of those projects map into it, its branches, " +
				"how many files it has and its top-level directories. Paths in every code tool are relative to a repository's root.",
			Parameters: objectSchema(nil, map[string]any{}),
			ReadOnly:   true,
			Run: func(ctx context.Context, _ json.RawMessage) (Result, error) {
				return Result{Text: rs.listRepositories(ctx)}, nil
			},
		},
		{
			Name: ToolSearchCode,
			Description: fmt.Sprintf("Search the repositories' files line by line, like grep. The query is a fixed string and case-insensitive unless you set regex "+
				"(Go RE2 syntax) or case_sensitive. Matches read `repo:path:line: text`, with one line of context around each (`repo:path:line- text`), "+
				"grouped by file; at most %d matches are shown. Narrow with repo and path_glob (`**/*.go`, `internal/**`, `*.py`). "+
				"Binary files, files over 1 MB, .git and (in git checkouts) ignored files are not searched.", opts.MaxResults),
			Parameters: objectSchema([]string{"query"}, map[string]any{
				"query":          stringProp("the text to find (one line)"),
				"repo":           stringProp("only this repository (a name from list_repositories); all when omitted"),
				"path_glob":      stringProp("only files whose repository-relative path matches this glob: * and ? within a path element, ** across elements, {a,b} alternatives; a glob without / matches the file name"),
				"regex":          boolProp("treat query as a regular expression (Go RE2 syntax); default false: a fixed string"),
				"case_sensitive": boolProp("match case exactly; default false"),
			}),
			ReadOnly: true,
			Summary:  searchSummary,
			Run: func(ctx context.Context, args json.RawMessage) (Result, error) {
				var a searchArgs
				if err := decodeCodeArgs(args, &a); err != nil {
					return Result{}, err
				}
				text, repo, err := rs.searchCode(ctx, a, opts.MaxResults)
				return Result{Text: text, Repo: repo}, err
			},
		},
		{
			Name: ToolReadFile,
			Description: fmt.Sprintf("Read a file of a repository with numbered lines (`  42 | code`): the whole file up to %d lines, or start_line..end_line. "+
				"The path is relative to the repository root, as search_code and list_repositories show it. Reading a directory lists its entries. "+
				"Indentation is shown exactly (tabs stay tabs), so you can copy lines into a diff.", readDefaultLines),
			Parameters: objectSchema([]string{"repo", "path"}, map[string]any{
				"repo":       stringProp("the repository (a name from list_repositories)"),
				"path":       stringProp("the file's path relative to the repository root, e.g. internal/signing/verify.go"),
				"start_line": intProp("first line to show (1-based); default 1"),
				"end_line":   intProp(fmt.Sprintf("last line to show (inclusive); default start_line+%d", readDefaultLines-1)),
			}),
			ReadOnly: true,
			Summary:  readSummary,
			Run: func(ctx context.Context, args json.RawMessage) (Result, error) {
				var a readArgs
				if err := decodeCodeArgs(args, &a); err != nil {
					return Result{}, err
				}
				return rs.readFile(a)
			},
		},
		rs.patchTool(opts),
	}
	for i := range tools {
		tools[i] = sanitizedErrors(tools[i])
	}
	return tools
}

// searchSummary is `"query" in repo glob`.
func searchSummary(args json.RawMessage) string {
	m := argMap(args)
	s := fmt.Sprintf("%q", argString(m, "query"))
	if r := argString(m, "repo"); r != "" {
		s += " in " + r
	}
	if g := argString(m, "path_glob"); g != "" {
		s += " " + g
	}
	return s
}

// readSummary is `repo path:start-end`.
func readSummary(args json.RawMessage) string {
	m := argMap(args)
	s := argString(m, "path")
	switch a, b := argInt(m, "start_line"), argInt(m, "end_line"); {
	case b > 0:
		s += fmt.Sprintf(":%d-%d", max(a, 1), b)
	case a > 0:
		s += fmt.Sprintf(":%d", a)
	}
	if r := argString(m, "repo"); r != "" {
		s = r + " " + s
	}
	return s
}

// sanitizedErrors makes a tool's errors safe to show: they quote paths and
// lines that came from the model or from files.
func sanitizedErrors(t Tool) Tool {
	run, validate := t.Run, t.Validate
	t.Run = func(ctx context.Context, args json.RawMessage) (Result, error) {
		res, err := run(ctx, args)
		if err != nil {
			err = errors.New(redact.Sanitize(err.Error()))
		}
		return res, err
	}
	if validate != nil {
		t.Validate = func(ctx context.Context, args json.RawMessage) (string, error) {
			preview, err := validate(ctx, args)
			if err != nil {
				err = errors.New(redact.Sanitize(err.Error()))
			}
			return preview, err
		}
	}
	return t
}

// decodeToolArgs decodes a tool's JSON arguments; numbers and booleans
// may also come as strings.
func decodeCodeArgs(args json.RawMessage, v any) error {
	if len(bytes.TrimSpace(args)) == 0 || string(bytes.TrimSpace(args)) == "null" {
		args = json.RawMessage("{}")
	}
	if err := json.Unmarshal(args, v); err != nil {
		return fmt.Errorf("the arguments are not valid: %v", err)
	}
	return nil
}

// looseInt is an integer argument that may come as a JSON string.
type looseInt int

func (n *looseInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int(f)) {
			return fmt.Errorf("%s is not a whole number", string(b))
		}
		v = int(f)
	}
	*n = looseInt(v)
	return nil
}

// looseBool is a boolean argument that may come as a JSON string.
type looseBool bool

func (x *looseBool) UnmarshalJSON(b []byte) error {
	s := strings.ToLower(strings.Trim(strings.TrimSpace(string(b)), `"`))
	switch s {
	case "true", "1", "yes":
		*x = true
	case "false", "0", "no", "", "null":
		*x = false
	default:
		return fmt.Errorf("%s is not true or false", string(b))
	}
	return nil
}

// ---- list_repositories ----

func (rs *Repos) listRepositories(ctx context.Context) string {
	if len(rs.list) == 0 {
		return "No repositories are configured, so there is no code to read. The user can add them with [[repo]] tables " +
			"(name, path, projects) in tracehound's config.toml or with --repo project=path. Investigate from the trace alone."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s, each a local checkout. Paths in search_code, read_file and propose_patch are relative to a repository's root.\n",
		len(rs.list), codePlural(len(rs.list), "repository", "repositories"))
	for _, r := range rs.list {
		b.WriteString("\n")
		b.WriteString(redact.SanitizeLine(r.Name))
		b.WriteString("\n")
		if len(r.Projects) > 0 {
			fmt.Fprintf(&b, "  Sentry projects: %s\n", redact.SanitizeLine(strings.Join(r.Projects, ", ")))
		} else {
			b.WriteString("  Sentry projects: none known\n")
		}
		for _, m := range rs.mappings {
			if rs.mappingRepo(m) != r {
				continue
			}
			to := "the repository root"
			if m.SourceRoot != "" {
				to = m.SourceRoot
			}
			fmt.Fprintf(&b, "  stack paths of %s starting with %q map to %s\n", redact.SanitizeLine(m.ProjectSlug), redact.SanitizeLine(m.StackRoot), redact.SanitizeLine(to))
		}
		branch := "default branch " + codeOrUnknown(r.DefaultBranch)
		if cur, head := gitHeadInfo(ctx, r); head != "" {
			if cur != "" {
				branch += fmt.Sprintf("; checked out: %s at %s", cur, head)
			} else {
				branch += fmt.Sprintf("; checked out: detached HEAD at %s", head)
			}
		} else {
			branch += "; not a git repository (patches cannot be committed)"
		}
		fmt.Fprintf(&b, "  local checkout, %s\n", redact.SanitizeLine(branch))
		fl := rs.fileList(r)
		count := fmt.Sprintf("%d files", len(fl.paths))
		if fl.capped {
			count = fmt.Sprintf("more than %d files (listing stopped there)", len(fl.paths))
		}
		if langs := topExtensions(fl.paths); langs != "" {
			count += " (" + langs + ")"
		}
		fmt.Fprintf(&b, "  %s\n", count)
		dirs, files := codeTopLevel(fl.paths)
		if len(dirs) > 0 {
			fmt.Fprintf(&b, "  top-level directories: %s\n", redact.SanitizeLine(codeJoinCapped(dirs, listTopLevelMax)))
		}
		if len(files) > 0 {
			fmt.Fprintf(&b, "  top-level files: %s\n", redact.SanitizeLine(codeJoinCapped(files, listTopLevelMax)))
		}
	}
	return b.String()
}

func codeOrUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// gitHeadInfo is the checked-out branch ("" when detached) and the short
// HEAD commit ("" when the checkout is not a git repository or has no
// commit).
func gitHeadInfo(ctx context.Context, r *Repo) (branch, head string) {
	h, err := repoGit(ctx, r.Path, nil, nil, "rev-parse", "--short", "--verify", "-q", "HEAD")
	if err != nil {
		return "", ""
	}
	br, _ := repoGit(ctx, r.Path, nil, nil, "symbolic-ref", "-q", "--short", "HEAD")
	return strings.TrimSpace(br), strings.TrimSpace(h)
}

func codeTopLevel(paths []string) (dirs, files []string) {
	for _, p := range paths {
		if i := strings.Index(p, "/"); i >= 0 {
			d := p[:i] + "/"
			if len(dirs) == 0 || dirs[len(dirs)-1] != d {
				if !slices.Contains(dirs, d) {
					dirs = append(dirs, d)
				}
			}
		} else {
			files = append(files, p)
		}
	}
	slices.Sort(dirs)
	return dirs, files
}

func codeJoinCapped(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, " ")
	}
	return strings.Join(items[:n], " ") + fmt.Sprintf(" … and %d more", len(items)-n)
}

// topExtensions names the most common file extensions ("24 .go, 3 .md").
func topExtensions(paths []string) string {
	count := map[string]int{}
	for _, p := range paths {
		if e := path.Ext(p); e != "" && len(e) <= 8 {
			count[e]++
		}
	}
	exts := make([]string, 0, len(count))
	for e := range count {
		exts = append(exts, e)
	}
	sort.Slice(exts, func(i, j int) bool {
		if count[exts[i]] != count[exts[j]] {
			return count[exts[i]] > count[exts[j]]
		}
		return exts[i] < exts[j]
	})
	if len(exts) > 4 {
		exts = exts[:4]
	}
	parts := make([]string, len(exts))
	for i, e := range exts {
		parts[i] = fmt.Sprintf("%d %s", count[e], e)
	}
	return strings.Join(parts, ", ")
}

func codePlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ---- search_code ----

type searchArgs struct {
	Query         string    `json:"query"`
	Repo          string    `json:"repo"`
	PathGlob      string    `json:"path_glob"`
	Regex         looseBool `json:"regex"`
	CaseSensitive looseBool `json:"case_sensitive"`
}

type searchFile struct {
	repo  *Repo
	path  string
	lines []string
	hits  []int // 0-based line indexes that match
}

func (rs *Repos) searchCode(ctx context.Context, a searchArgs, maxMatches int) (text, repoName string, err error) {
	if a.Query == "" {
		return "", "", errors.New("query is required: the text to search for")
	}
	if strings.ContainsAny(a.Query, "\n\r") {
		return "", "", errors.New("the query spans lines; search_code matches within one line: search for one line of it")
	}
	if len(rs.list) == 0 {
		return "", "", errors.New("no repositories are configured, so there is no code to search")
	}
	repos := rs.list
	if a.Repo != "" {
		r, err := rs.Get(a.Repo)
		if err != nil {
			return "", "", err
		}
		repos, repoName = []*Repo{r}, r.Name
	}
	var glob *pathGlob
	if a.PathGlob != "" {
		if glob, err = compileGlob(a.PathGlob); err != nil {
			return "", "", err
		}
	}
	pat := a.Query
	if !a.Regex {
		pat = regexp.QuoteMeta(pat)
	}
	if !a.CaseSensitive {
		pat = "(?i)" + pat
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return "", "", fmt.Errorf("the regex does not compile: %v (Go RE2 syntax: no lookarounds or backreferences; or set regex to false to search for the text as it is)", err)
	}

	var files []*searchFile
	total, searched, binary, large := 0, 0, 0, 0
	var largeNames []string
	for _, r := range repos {
		paths, _, err := listRepoFiles(ctx, r)
		if err != nil && len(paths) == 0 {
			return "", "", fmt.Errorf("list the files of %s: %w", r.Name, err)
		}
		for _, p := range paths {
			if err := ctx.Err(); err != nil {
				return "", "", err
			}
			if glob != nil && !glob.match(p) {
				continue
			}
			abs := r.Path + string(os.PathSeparator) + p
			st, err := os.Lstat(abs)
			if err != nil || !st.Mode().IsRegular() {
				continue // gone, a symlink, a submodule
			}
			if st.Size() > searchMaxFileSize {
				large++
				if len(largeNames) < searchSkippedNoted {
					largeNames = append(largeNames, r.Name+":"+p)
				}
				continue
			}
			data, err := os.ReadFile(abs)
			if err != nil {
				continue
			}
			if codeIsBinary(data) {
				binary++
				continue
			}
			searched++
			var sf *searchFile
			lines := codeSplitLines(string(data))
			for i, line := range lines {
				if re.MatchString(line) {
					if sf == nil {
						sf = &searchFile{repo: r, path: p, lines: lines}
					}
					sf.hits = append(sf.hits, i)
					total++
				}
			}
			if sf != nil {
				files = append(files, sf)
			}
		}
	}

	kind := "fixed string"
	if a.Regex {
		kind = "regex"
	}
	if a.CaseSensitive {
		kind += ", case-sensitive"
	} else {
		kind += ", case-insensitive"
	}
	where, whereAll := repos[0].Name, repos[0].Name
	if len(repos) > 1 {
		where = fmt.Sprintf("all %d repositories", len(repos))
		whereAll = where + " (" + rs.names(repos) + ")"
	}
	if glob != nil {
		where += fmt.Sprintf(", files matching %q", a.PathGlob)
		whereAll += fmt.Sprintf(", files matching %q", a.PathGlob)
	}
	skipped := ""
	if binary > 0 || large > 0 {
		var parts []string
		if binary > 0 {
			parts = append(parts, fmt.Sprintf("%d binary %s", binary, codePlural(binary, "file", "files")))
		}
		if large > 0 {
			parts = append(parts, fmt.Sprintf("%d %s over 1 MB (%s)", large, codePlural(large, "file", "files"), strings.Join(largeNames, ", ")))
		}
		skipped = "; skipped " + strings.Join(parts, " and ")
	}
	q := redact.SanitizeLine(strconv.Quote(a.Query))
	if total == 0 {
		hint := ""
		switch {
		case searched == 0 && glob != nil:
			hint = " No file matches the path_glob: check it against paths from list_repositories or read_file of a directory."
		case bool(a.Regex):
			hint = " Try a simpler pattern or a fixed string."
		case bool(a.CaseSensitive):
			hint = " Try without case_sensitive."
		default:
			hint = " Try a shorter or different string (an identifier, an error message fragment)."
		}
		return redact.SanitizeLine(fmt.Sprintf("No matches for %s (%s) in %s: %d %s searched%s.", q, kind, whereAll, searched, codePlural(searched, "file", "files"), skipped)) + hint, repoName, nil
	}

	var b strings.Builder
	fmt.Fprintf(&b, "%d %s for %s (%s) in %d %s of %s (%d files searched%s)\n", total, codePlural(total, "match", "matches"), q, kind,
		len(files), codePlural(len(files), "file", "files"), redact.SanitizeLine(where), searched, redact.SanitizeLine(skipped))
	shown := 0
	for _, sf := range files {
		if shown >= maxMatches {
			break
		}
		hits := sf.hits
		fileMore := 0
		if n := min(searchPerFileMax, maxMatches-shown); len(hits) > n {
			fileMore = len(hits) - n
			hits = hits[:n]
		}
		shown += len(hits)
		b.WriteString("\n")
		writeSearchFile(&b, sf, hits, re)
		if fileMore > 0 {
			fmt.Fprintf(&b, "… %d more %s in this file (read_file %s to see them all)\n", fileMore, codePlural(fileMore, "match", "matches"), redact.SanitizeLine(sf.path))
		}
	}
	if more := total - shown; more > 0 {
		fmt.Fprintf(&b, "\n%d more %s not shown; narrow with path_glob or repo, or a more specific query.\n", more, codePlural(more, "match", "matches"))
	}
	return b.String(), repoName, nil
}

// writeSearchFile writes the matched lines of a file with one line of
// context each, `repo:path:N: text` for matches and `repo:path:N- text`
// for context, and `--` between groups that are not adjacent.
func writeSearchFile(b *strings.Builder, sf *searchFile, hits []int, re *regexp.Regexp) {
	prefix := redact.SanitizeLine(sf.repo.Name + ":" + sf.path)
	isHit := map[int]bool{}
	for _, h := range sf.hits {
		isHit[h] = true
	}
	last := -2
	for _, h := range hits {
		from, to := max(0, h-1), min(len(sf.lines)-1, h+1)
		if from <= last {
			from = last + 1
		} else if last >= 0 {
			b.WriteString("--\n")
		}
		for i := from; i <= to; i++ {
			sep := "-"
			if isHit[i] {
				sep = ":"
			}
			fmt.Fprintf(b, "%s:%d%s %s\n", prefix, i+1, sep, matchWindow(sf.lines[i], re, isHit[i]))
			last = i
		}
	}
}

// matchWindow shows a line within searchLineMax characters, around the
// match when the match is past the limit.
func matchWindow(line string, re *regexp.Regexp, hit bool) string {
	line = codeLine(line)
	if utf8.RuneCountInString(line) <= searchLineMax {
		return line
	}
	start := 0
	if hit {
		if loc := re.FindStringIndex(line); loc != nil && utf8.RuneCountInString(line[:loc[1]]) > searchLineMax {
			start = max(0, utf8.RuneCountInString(line[:loc[0]])-searchLineMax/3)
		}
	}
	runes := []rune(line)
	end := min(len(runes), start+searchLineMax)
	out := string(runes[start:end])
	if start > 0 {
		out = fmt.Sprintf("…[%d chars] ", start) + out
	}
	if end < len(runes) {
		out += fmt.Sprintf(" …[+%d chars]", len(runes)-end)
	}
	return out
}

// codeLine makes a line of a source file safe to show: escape sequences
// and control characters are made visible, tabs kept.
func codeLine(s string) string {
	s = redact.Sanitize(s)
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
	}
	return s
}

// splitLines splits a file into lines without their line endings ("\n" or
// "\r\n"); a final newline does not start another line.
func codeSplitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

func codeIsBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), binarySniffBytes)], 0) >= 0
}

// ---- globs ----

// pathGlob matches repository-relative slash paths: path.Match within an
// element, ** for any number of elements, {a,b} alternatives. A pattern
// without a slash matches the base name.
type pathGlob struct {
	alts [][]string // alternatives, each split into elements
	base bool
}

func compileGlob(pattern string) (*pathGlob, error) {
	p := strings.TrimPrefix(strings.TrimSpace(strings.ReplaceAll(pattern, `\`, "/")), "./")
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil, errors.New("path_glob is empty")
	}
	alts, err := expandBraces(p)
	if err != nil {
		return nil, fmt.Errorf("path_glob %q: %v", pattern, err)
	}
	g := &pathGlob{base: !strings.Contains(p, "/")}
	for _, alt := range alts {
		elems := strings.Split(alt, "/")
		for _, e := range elems {
			if e == "**" {
				continue
			}
			if _, err := path.Match(e, ""); err != nil {
				return nil, fmt.Errorf("path_glob %q: bad pattern %q (use *, ?, [abc], ** and {a,b})", pattern, e)
			}
		}
		g.alts = append(g.alts, elems)
	}
	return g, nil
}

func (g *pathGlob) match(p string) bool {
	elems := strings.Split(p, "/")
	for _, alt := range g.alts {
		if g.base && len(alt) == 1 && alt[0] != "**" {
			if ok, _ := path.Match(alt[0], elems[len(elems)-1]); ok {
				return true
			}
			continue
		}
		if matchElems(alt, elems) {
			return true
		}
	}
	return false
}

func matchElems(pat, elems []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for len(pat) > 0 && pat[0] == "**" {
				pat = pat[1:]
			}
			if len(pat) == 0 {
				return true
			}
			for i := 0; i <= len(elems); i++ {
				if matchElems(pat, elems[i:]) {
					return true
				}
			}
			return false
		}
		if len(elems) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], elems[0]); !ok {
			return false
		}
		pat, elems = pat[1:], elems[1:]
	}
	return len(elems) == 0
}

// expandBraces expands {a,b} alternatives (nested too), up to 64 results.
func expandBraces(p string) ([]string, error) {
	open := strings.IndexByte(p, '{')
	if open < 0 {
		if strings.ContainsRune(p, '}') {
			return nil, errors.New("unmatched }")
		}
		return []string{p}, nil
	}
	depth, close := 0, -1
	var commas []int
	for i := open; i < len(p) && close < 0; i++ {
		switch p[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				close = i
			}
		case ',':
			if depth == 1 {
				commas = append(commas, i)
			}
		}
	}
	if close < 0 {
		return nil, errors.New("unmatched {")
	}
	var out []string
	start := open + 1
	for _, c := range append(commas, close) {
		rest, err := expandBraces(p[:open] + p[start:c] + p[close+1:])
		if err != nil {
			return nil, err
		}
		out = append(out, rest...)
		if len(out) > 64 {
			return nil, errors.New("too many {a,b} alternatives")
		}
		start = c + 1
	}
	return out, nil
}

// ---- read_file ----

type readArgs struct {
	Repo      string   `json:"repo"`
	Path      string   `json:"path"`
	StartLine looseInt `json:"start_line"`
	EndLine   looseInt `json:"end_line"`
}

func (rs *Repos) readFile(a readArgs) (Result, error) {
	if len(rs.list) == 0 {
		return Result{}, errors.New("no repositories are configured, so there is no code to read")
	}
	if a.Repo == "" {
		if name, rest, ok := strings.Cut(a.Path, ":"); ok {
			if _, err := rs.Get(name); err == nil {
				a.Repo, a.Path = name, rest
			}
		}
	}
	var r *Repo
	switch {
	case a.Repo != "":
		var err error
		if r, err = rs.Get(a.Repo); err != nil {
			return Result{}, err
		}
	case len(rs.list) == 1:
		r = rs.list[0]
	default:
		return Result{}, fmt.Errorf("repo is required: one of %s", rs.names(rs.list))
	}
	rel, abs, err := r.resolvePath(a.Path)
	if err != nil {
		return Result{Repo: r.Name}, rs.pathHelp(r, a.Path, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return Result{Repo: r.Name}, fmt.Errorf("%s:%s: %w", r.Name, rel, err)
	}
	if st.IsDir() {
		text, err := rs.listDir(r, rel, abs)
		return Result{Text: text, Repo: r.Name, Path: rel}, err
	}
	if !st.Mode().IsRegular() {
		return Result{Repo: r.Name}, fmt.Errorf("%s:%s is not a regular file", r.Name, rel)
	}
	if st.Size() > readMaxFileSize {
		return Result{Repo: r.Name}, fmt.Errorf("%s:%s is %d MB, too large to read; search_code inside it instead", r.Name, rel, st.Size()>>20)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return Result{Repo: r.Name}, fmt.Errorf("%s:%s: %w", r.Name, rel, err)
	}
	if codeIsBinary(data) {
		return Result{Repo: r.Name}, fmt.Errorf("%s:%s is a binary file (%d bytes); it is not shown", r.Name, rel, len(data))
	}
	lines := codeSplitLines(string(data))
	n := len(lines)
	name := redact.SanitizeLine(r.Name + ":" + rel)
	res := Result{Repo: r.Name, Path: rel}
	if n == 0 {
		res.Text = name + " is empty."
		return res, nil
	}
	start, end := int(a.StartLine), int(a.EndLine)
	var notes []string
	switch {
	case start < 0 || end < 0:
		return res, fmt.Errorf("line numbers start at 1 (got start_line %d, end_line %d)", start, end)
	case start == 0:
		start = 1
	case start > n:
		return res, fmt.Errorf("%s has %d lines; start_line %d is past the end", name, n, start)
	}
	switch {
	case end == 0:
		end = min(n, start+readDefaultLines-1)
	case end < start:
		return res, fmt.Errorf("end_line %d is before start_line %d", end, start)
	case end > n:
		notes = append(notes, fmt.Sprintf("end_line %d is past the end: the file has %d lines", end, n))
		end = n
	}
	if end-start+1 > readDefaultLines {
		end = start + readDefaultLines - 1
		notes = append(notes, fmt.Sprintf("shown %d lines, the most per call", readDefaultLines))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (lines %d-%d of %d)\n", name, start, end, n)
	width := max(4, len(strconv.Itoa(end)))
	for i := start; i <= end; i++ {
		line := codeLine(lines[i-1])
		if utf8.RuneCountInString(line) > readLineMax {
			runes := []rune(line)
			line = string(runes[:readLineMax]) + fmt.Sprintf(" …[+%d chars]", len(runes)-readLineMax)
		}
		fmt.Fprintf(&b, "%*d | %s\n", width, i, line)
	}
	if end < n {
		notes = append(notes, fmt.Sprintf("%d more lines: read them with start_line=%d", n-end, end+1))
	}
	if len(notes) > 0 {
		fmt.Fprintf(&b, "(%s)\n", strings.Join(notes, "; "))
	}
	res.Text = b.String()
	return res, nil
}

// listDir lists a directory of a repository (read_file on a directory).
func (rs *Repos) listDir(r *Repo, rel, abs string) (string, error) {
	entries, err := os.ReadDir(abs)
	if err != nil {
		return "", fmt.Errorf("%s:%s: %w", r.Name, rel, err)
	}
	var names []string
	for _, e := range entries {
		if strings.EqualFold(e.Name(), ".git") {
			continue
		}
		n := e.Name()
		if e.IsDir() {
			n += "/"
		} else if e.Type()&fs.ModeSymlink != 0 {
			n += "@"
		}
		names = append(names, redact.SanitizeLine(n))
	}
	where := r.Name + ":" + rel
	if rel == "." {
		where = r.Name + " (root)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s is a directory with %d %s:\n", redact.SanitizeLine(where), len(names), codePlural(len(names), "entry", "entries"))
	for i, n := range names {
		if i == dirListMax {
			fmt.Fprintf(&b, "… and %d more\n", len(names)-dirListMax)
			break
		}
		b.WriteString("  " + n + "\n")
	}
	b.WriteString("(read_file a file of it; search_code with path_glob to search it)\n")
	return b.String(), nil
}

// pathHelp turns a refused or missing path into an error that says what
// to do: the files with the same name, the file a stack-frame path maps
// to, the repository that has the path.
func (rs *Repos) pathHelp(r *Repo, p string, err error) error {
	var sugg []string
	add := func(s string) {
		if len(sugg) < suggestionsMax && !slices.Contains(sugg, s) {
			sugg = append(sugg, s)
		}
	}
	// the file a stack-frame path maps to through the code mappings
	sp := strings.ReplaceAll(strings.TrimSpace(p), `\`, "/")
	for _, m := range rs.mappings {
		if m.StackRoot != "" && strings.HasPrefix(sp, m.StackRoot) && rs.mappingRepo(m) == r {
			if clean, ok := r.existingFile(m.SourceRoot + sp[len(m.StackRoot):]); ok {
				add(r.Name + ":" + clean)
			}
		}
	}
	comps := pathComponents(p)
	if len(comps) > 0 {
		// files of this repository ending like the path, longest shared suffix first
		type scored struct {
			p string
			n int
		}
		var cands []scored
		for _, f := range rs.fileList(r).byBase[comps[len(comps)-1]] {
			cands = append(cands, scored{f, commonSuffix(comps, strings.Split(f, "/"))})
		}
		sort.SliceStable(cands, func(i, j int) bool { return cands[i].n > cands[j].n })
		for _, c := range cands {
			add(r.Name + ":" + c.p)
		}
		// the same path in another repository
		if errors.Is(err, fs.ErrNotExist) {
			for _, o := range rs.list {
				if o == r {
					continue
				}
				if clean, ok := o.existingFile(p); ok {
					add(o.Name + ":" + clean)
				}
			}
		}
	}
	msg := r.Name + ": " + err.Error()
	if len(sugg) > 0 {
		msg += "; did you mean " + strings.Join(sugg, " or ") + "?"
	} else if errors.Is(err, fs.ErrNotExist) {
		msg += "; find the file with search_code, or read_file a directory (\".\" is the root) to see what is there"
	}
	return errors.New(redact.SanitizeLine(msg))
}
