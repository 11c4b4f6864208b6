package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bluekeyes/go-gitdiff/gitdiff"

	"github.com/tracehound/tracehound/redact"
)

// Limits of propose_patch.
const (
	patchMaxDiff     = 1 << 20 // bytes of diff text
	patchMaxFileSize = 1 << 20 // bytes of a file it patches
	patchSlugMax     = 40      // characters of the explanation in a branch name
	patchContext     = 4       // file lines shown around a hunk that does not apply
)

type patchArgs struct {
	Repo        string `json:"repo"`
	Diff        string `json:"diff"`
	Explanation string `json:"explanation"`
}

// patchPlan is a validated patch: every file's current and new content.
type patchPlan struct {
	repo           *Repo
	files          []*patchFile
	notes          []string // what was adjusted (hunks moved, headers recounted)
	added, deleted int
	diff           string // the patch as it will be applied, in git's format
	explanation    string
}

type patchFile struct {
	oldPath, newPath string // repository-relative; "" when created / deleted
	oldData, newData []byte
	newMode          os.FileMode // from a new file's header; 0 when not given
	added, deleted   int
}

func (pf *patchFile) path() string {
	if pf.newPath != "" {
		return pf.newPath
	}
	return pf.oldPath
}

// paths are the repository paths the file change touches.
func (pf *patchFile) paths() []string {
	var out []string
	if pf.oldPath != "" {
		out = append(out, pf.oldPath)
	}
	if pf.newPath != "" && pf.newPath != pf.oldPath {
		out = append(out, pf.newPath)
	}
	return out
}

func (p *patchPlan) paths() []string {
	var out []string
	for _, f := range p.files {
		out = append(out, f.paths()...)
	}
	return out
}

// summary is "2 files, +5 −2".
func (p *patchPlan) summary() string {
	return fmt.Sprintf("%d %s, +%d −%d", len(p.files), codePlural(len(p.files), "file", "files"), p.added, p.deleted)
}

func (rs *Repos) patchTool(opts CodeToolOptions) Tool {
	return Tool{
		Name: ToolProposePatch,
		Description: "Propose a code change to one repository as a unified diff, as `git diff` prints it: for each file `diff --git a/PATH b/PATH`, " +
			"`--- a/PATH`, `+++ b/PATH` (`--- /dev/null` for a new file), then hunks `@@ -start,count +start,count @@` with 3 unchanged context lines " +
			"around each change; lines start with ' ' (context), '-' (removed) or '+' (added); paths are relative to the repository root. " +
			"The context and '-' lines must match the current file exactly (copy them from read_file, tabs included). The diff is checked before the " +
			"user sees it: a hunk that does not match comes back with the file's current lines so you can fix it. Nothing is written until the user " +
			"approves; then the change is committed on a new git branch (tracehound/…), one commit, with the explanation's first line as the commit title. " +
			"Include a unit test for the fix when the repository has tests.",
		Parameters: objectSchema([]string{"repo", "diff", "explanation"}, map[string]any{
			"repo":        stringProp("the repository to change (a name from list_repositories)"),
			"diff":        stringProp("the unified diff (git diff format), paths relative to the repository root"),
			"explanation": stringProp("what the change does and why: a first line of at most ~70 characters (the commit title), then details"),
		}),
		ReadOnly: false,
		Summary:  patchSummary,
		Validate: func(ctx context.Context, args json.RawMessage) (string, error) {
			plan, err := rs.planPatch(args)
			if err != nil {
				return "", err
			}
			if err := gitReady(ctx, plan.repo); err != nil {
				return "", fmt.Errorf("the patch is valid but cannot be committed: %w; give the diff in your report instead", err)
			}
			return rs.patchPreview(ctx, plan, opts), nil
		},
		Run: func(ctx context.Context, args json.RawMessage) (Result, error) {
			return rs.applyPatch(ctx, args, opts)
		},
	}
}

// patchSummary is `repo: the explanation's first line`.
func patchSummary(args json.RawMessage) string {
	m := argMap(args)
	s := argString(m, "repo")
	if e := firstLineOf(argString(m, "explanation")); e != "" {
		s += ": " + e
	}
	return s
}

// gitReady checks that a patch to r can be committed: git is installed
// and the checkout is a git repository with a commit.
func gitReady(ctx context.Context, r *Repo) error {
	if _, err := exec.LookPath("git"); err != nil {
		return errNoGit
	}
	if _, err := repoGit(ctx, r.Path, nil, nil, "rev-parse", "--verify", "-q", "HEAD^{commit}"); err != nil {
		if _, err2 := repoGit(ctx, r.Path, nil, nil, "rev-parse", "--git-dir"); err2 != nil {
			return fmt.Errorf("%s is not a git repository (its local checkout has no .git)", r.Name)
		}
		return fmt.Errorf("%s has no commit yet to branch from", r.Name)
	}
	return nil
}

// planPatch checks a propose_patch call and computes every file's new
// content, without writing anything.
func (rs *Repos) planPatch(args json.RawMessage) (*patchPlan, error) {
	var a patchArgs
	if err := decodeCodeArgs(args, &a); err != nil {
		return nil, err
	}
	var r *Repo
	switch {
	case a.Repo != "":
		var err error
		if r, err = rs.Get(a.Repo); err != nil {
			return nil, err
		}
	case len(rs.list) == 1:
		r = rs.list[0]
	case len(rs.list) == 0:
		return nil, errors.New("no repositories are configured, so there is nothing to patch")
	default:
		return nil, fmt.Errorf("repo is required: one of %s", rs.names(rs.list))
	}
	if patchTitle(a.Explanation) == "" {
		return nil, errors.New("explanation is required: its first line becomes the commit title")
	}
	if strings.TrimSpace(a.Diff) == "" {
		return nil, errors.New("diff is empty: give the change as a unified diff (git diff format)")
	}
	if len(a.Diff) > patchMaxDiff {
		return nil, fmt.Errorf("the diff is %d KB; patches are limited to 1 MB: propose a smaller change", len(a.Diff)>>10)
	}
	nd, err := normalizeDiff(a.Diff)
	if err != nil {
		return nil, err
	}
	files, _, err := gitdiff.Parse(strings.NewReader(nd.text))
	if err != nil {
		return nil, fmt.Errorf("the diff does not parse: %v; write it as git diff prints it (--- a/PATH, +++ b/PATH, then @@ hunks whose lines start with ' ', '-' or '+')", err)
	}
	if len(files) == 0 {
		return nil, errors.New("the diff changes no file: each file needs --- a/PATH and +++ b/PATH lines before its @@ hunks")
	}
	plan := &patchPlan{repo: r, notes: nd.notes, explanation: a.Explanation}
	seen := map[string]bool{}
	var diff strings.Builder
	for i, f := range files {
		pf, notes, err := r.planFile(rs, f, i, nd.unnumbered)
		if err != nil {
			return nil, err
		}
		for _, p := range pf.paths() {
			if seen[p] {
				return nil, fmt.Errorf("%s appears more than once in the diff; put all of its hunks under one file header", p)
			}
			seen[p] = true
		}
		plan.notes = append(plan.notes, notes...)
		plan.files = append(plan.files, pf)
		plan.added += pf.added
		plan.deleted += pf.deleted
		diff.WriteString(f.String())
	}
	plan.diff = diff.String()
	return plan, nil
}

// planFile checks one file of a patch against the repository and applies
// it in memory.
func (r *Repo) planFile(rs *Repos, f *gitdiff.File, fileIdx int, unnumbered map[[2]int]bool) (*patchFile, []string, error) {
	name := f.NewName
	if name == "" {
		name = f.OldName
	}
	switch {
	case f.IsBinary:
		return nil, nil, fmt.Errorf("%s: binary patches are not supported; change text files only", name)
	case f.IsCopy:
		return nil, nil, fmt.Errorf("%s: copies are not supported; create the new file with --- /dev/null instead", name)
	}
	pf := &patchFile{oldPath: f.OldName, newPath: f.NewName}
	if f.IsNew {
		pf.oldPath = ""
		pf.newMode = f.NewMode
	}
	if f.IsDelete {
		pf.newPath = ""
	}
	if pf.oldPath != "" {
		rel, abs, err := r.resolvePath(pf.oldPath)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				err = rs.pathHelp(r, pf.oldPath, err)
				return nil, nil, fmt.Errorf("%w (to create a file, use --- /dev/null and +++ b/PATH)", err)
			}
			return nil, nil, err
		}
		pf.oldPath = rel
		lst, err := os.Lstat(filepath.Join(r.Path, filepath.FromSlash(rel)))
		switch {
		case err != nil:
			return nil, nil, err
		case lst.Mode()&fs.ModeSymlink != 0:
			return nil, nil, fmt.Errorf("%s is a symlink; patch the file it points to", rel)
		case !lst.Mode().IsRegular():
			return nil, nil, fmt.Errorf("%s is not a regular file", rel)
		case lst.Size() > patchMaxFileSize:
			return nil, nil, fmt.Errorf("%s is over 1 MB; tracehound does not patch files that large", rel)
		}
		if pf.oldData, err = os.ReadFile(abs); err != nil {
			return nil, nil, err
		}
		if codeIsBinary(pf.oldData) {
			return nil, nil, fmt.Errorf("%s is a binary file; only text files can be patched", rel)
		}
	}
	switch {
	case f.IsNew || (pf.newPath != "" && pf.newPath != f.OldName):
		rel, _, err := r.resolvePath(pf.newPath)
		switch {
		case err == nil:
			if f.IsNew {
				return nil, nil, fmt.Errorf("%s already exists; to change it, diff against its current content (--- a/%s) instead of creating it", rel, rel)
			}
			return nil, nil, fmt.Errorf("cannot rename to %s: it already exists", rel)
		case !errors.Is(err, fs.ErrNotExist):
			return nil, nil, err
		}
		pf.newPath = rel
	case pf.newPath != "":
		pf.newPath = pf.oldPath
	}
	if len(f.TextFragments) == 0 && !f.IsRename && !f.IsDelete && !f.IsNew {
		return nil, nil, fmt.Errorf("%s: the diff has a header but no @@ hunks (mode-only changes are not supported)", name)
	}
	notes, err := relocateHunks(pf.path(), pf.oldData, f, fileIdx, unnumbered)
	if err != nil {
		return nil, nil, err
	}
	for _, frag := range f.TextFragments {
		pf.added += int(frag.LinesAdded)
		pf.deleted += int(frag.LinesDeleted)
	}
	var out bytes.Buffer
	if err := gitdiff.Apply(&out, bytes.NewReader(pf.oldData), f); err != nil {
		var ae *gitdiff.ApplyError
		if errors.As(err, &ae) && ae.Fragment > 0 {
			return nil, nil, fmt.Errorf("hunk %d of %s does not apply: %v", ae.Fragment, pf.path(), err)
		}
		return nil, nil, fmt.Errorf("%s does not apply: %v", pf.path(), err)
	}
	pf.newData = out.Bytes()
	if f.IsDelete && len(pf.newData) > 0 {
		return nil, nil, fmt.Errorf("%s: the diff deletes the file but its hunks leave lines in it", pf.oldPath)
	}
	return pf, notes, nil
}

// fileLines splits content into lines that keep their "\n", as the
// fragments' lines do.
func fileLines(data []byte) []string {
	if len(data) == 0 {
		return nil
	}
	lines := strings.SplitAfter(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// relocateHunks places each hunk where its old lines (context and removed
// lines) are in the file: at the line its header says, else at the
// nearest line where they all match exactly (as git apply does, without
// fuzz). It rewrites the fragments' positions and says what moved. A hunk
// that matches nowhere is explained against the file's current lines.
func relocateHunks(name string, data []byte, f *gitdiff.File, fileIdx int, unnumbered map[[2]int]bool) ([]string, error) {
	lines := fileLines(data)
	order := make([]int, len(f.TextFragments))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return f.TextFragments[order[a]].OldPosition < f.TextFragments[order[b]].OldPosition
	})
	var notes []string
	minStart, shift := 0, int64(0)
	for _, i := range order {
		frag := f.TextFragments[i]
		noNumbers := unnumbered[[2]int{fileIdx, i}]
		var pre []string
		for _, l := range frag.Lines {
			if l.Old() {
				pre = append(pre, l.Line)
			}
		}
		if len(pre) == 0 {
			if len(lines) > 0 {
				return nil, fmt.Errorf("hunk %d of %s has no context lines, so where it goes cannot be checked: include the 3 lines before and after the change as context (lines starting with a space)", i+1, name)
			}
			continue
		}
		want := max(0, int(frag.OldPosition)-1)
		pos := -1
		if !noNumbers && want >= minStart && matchLinesAt(lines, want, pre) {
			pos = want
		} else {
			var at []int
			for p := minStart; p+len(pre) <= len(lines); p++ {
				if matchLinesAt(lines, p, pre) {
					at = append(at, p)
				}
			}
			if noNumbers && len(at) > 1 {
				var where []string
				for _, p := range at[:min(len(at), 5)] {
					where = append(where, strconv.Itoa(p+1))
				}
				return nil, fmt.Errorf("hunk %d of %s has no line numbers and its lines match the file in %d places (lines %s): add line numbers (@@ -start,count +start,count @@) or more context", i+1, name, len(at), strings.Join(where, ", "))
			}
			for _, p := range at {
				if pos < 0 || codeAbs(p-want) < codeAbs(pos-want) {
					pos = p
				}
			}
		}
		if pos < 0 {
			return nil, hunkMismatch(name, i, frag, lines, pre, want, minStart)
		}
		if noNumbers {
			notes = append(notes, fmt.Sprintf("hunk %d of %s had no line numbers; its lines are at line %d", i+1, name, pos+1))
		} else if pos != want {
			notes = append(notes, fmt.Sprintf("hunk %d of %s: its header says line %d, its lines are at line %d (header corrected)", i+1, name, want+1, pos+1))
		}
		frag.OldPosition = int64(pos + 1)
		if !(frag.NewPosition == 0 && frag.NewLines == 0) {
			frag.NewPosition = int64(pos+1) + shift
			if frag.NewLines == 0 {
				frag.NewPosition--
			}
		}
		shift += frag.LinesAdded - frag.LinesDeleted
		minStart = pos + len(pre)
	}
	return notes, nil
}

func matchLinesAt(lines []string, at int, pre []string) bool {
	if at < 0 || at+len(pre) > len(lines) {
		return false
	}
	for i, l := range pre {
		if lines[at+i] != l {
			return false
		}
	}
	return true
}

func codeAbs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// hunkMismatch explains why a hunk does not apply: where it fits best,
// which of its lines differs from the file's line there and how, and the
// file's current lines around it.
func hunkMismatch(name string, idx int, frag *gitdiff.TextFragment, lines, pre []string, want, minStart int) error {
	header := strings.TrimSpace(frag.Header())
	align := func(eq func(a, b string) bool) (bestP, bestN int) {
		bestP = -1
		for p := 0; p < max(1, len(lines)); p++ {
			n := 0
			for i := range pre {
				if p+i < len(lines) && eq(lines[p+i], pre[i]) {
					n++
				}
			}
			if n > bestN || (n == bestN && n > 0 && codeAbs(p-want) < codeAbs(bestP-want)) {
				bestP, bestN = p, n
			}
		}
		return bestP, bestN
	}
	bestP, bestN := align(func(a, b string) bool { return a == b })
	if bestN == 0 {
		// nothing matches exactly: look for the lines with their
		// whitespace ignored, to explain a tabs/spaces or CRLF mix-up
		bestP, bestN = align(func(a, b string) bool {
			return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
		})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "hunk %d of %s (%s) does not match the file", idx+1, name, header)
	center := want
	if bestN == 0 {
		fmt.Fprintf(&b, ": none of its %d context and removed lines is in the file (the first is %s).", len(pre), quoteCode(pre[0]))
	} else {
		center = bestP
		mi := 0
		for mi < len(pre) && bestP+mi < len(lines) && lines[bestP+mi] == pre[mi] {
			mi++
		}
		kind := "context"
		k := 0
		for _, l := range frag.Lines {
			if l.Old() {
				if k == mi {
					if l.Op == gitdiff.OpDelete {
						kind = "removed"
					}
					break
				}
				k++
			}
		}
		if mi >= len(pre) {
			// all lines match here: the place overlaps an earlier hunk
			fmt.Fprintf(&b, ": its lines are at line %d, which overlaps the hunk before it; merge the two hunks or put them in file order.", bestP+1)
		} else if bestP+mi >= len(lines) {
			fmt.Fprintf(&b, ": it fits best at line %d, but its %s %s line %s is past the end of the file (%d lines).",
				bestP+1, codeOrdinal(mi+1), kind, quoteCode(pre[mi]), len(lines))
		} else {
			fmt.Fprintf(&b, ": it fits best at line %d, where its %s old line (%s) is\n    %s\nbut line %d of the file is\n    %s\n",
				bestP+1, codeOrdinal(mi+1), kind, quoteCode(pre[mi]), bestP+mi+1, quoteCode(lines[bestP+mi]))
			if why := lineDifference(pre[mi], lines[bestP+mi]); why != "" {
				b.WriteString("(" + why + ")\n")
			}
		}
		center = bestP + mi
	}
	from := max(0, min(center, want)-patchContext)
	to := min(len(lines), max(center, want)+len(pre)+patchContext)
	if to-from > 40 {
		from, to = max(0, center-patchContext), min(len(lines), center+len(pre)+patchContext)
	}
	if to > from {
		fmt.Fprintf(&b, "\nThe file's current lines %d-%d:\n", from+1, to)
		width := max(4, len(strconv.Itoa(to)))
		for i := from; i < to; i++ {
			fmt.Fprintf(&b, "%*d | %s\n", width, i+1, codeLine(strings.TrimSuffix(lines[i], "\n")))
		}
	} else if len(lines) == 0 {
		b.WriteString("\nThe file is empty.\n")
	}
	b.WriteString("Copy the context and '-' lines exactly from the file (read_file shows them, tabs included) and propose the patch again.")
	return errors.New(b.String())
}

// lineDifference says how two lines that should be equal differ, when it
// is something invisible.
func lineDifference(want, got string) string {
	w, g := strings.TrimSuffix(want, "\n"), strings.TrimSuffix(got, "\n")
	switch {
	case w == g && strings.HasSuffix(want, "\n") != strings.HasSuffix(got, "\n"):
		if !strings.HasSuffix(got, "\n") {
			return "the file's last line has no newline at the end: follow it with the line \\ No newline at end of file"
		}
		return "the diff marks this line as having no newline at the end, but the file has one"
	case strings.TrimSuffix(w, "\r") == strings.TrimSuffix(g, "\r"):
		if strings.HasSuffix(g, "\r") {
			return "they differ only in the line ending: the file uses CRLF (\\r\\n) line endings"
		}
		return "they differ only in the line ending: the diff has CRLF, the file LF"
	case strings.Join(strings.Fields(w), " ") == strings.Join(strings.Fields(g), " "):
		switch {
		case strings.HasPrefix(g, "\t") && strings.HasPrefix(w, " "):
			return "they differ only in whitespace: the file indents with tabs, the diff with spaces"
		case strings.HasPrefix(g, " ") && strings.HasPrefix(w, "\t"):
			return "they differ only in whitespace: the file indents with spaces, the diff with tabs"
		}
		return "they differ only in whitespace"
	}
	return ""
}

func quoteCode(l string) string {
	l = strings.TrimSuffix(l, "\n")
	if utf8.RuneCountInString(l) > searchLineMax {
		l = string([]rune(l)[:searchLineMax]) + "…"
	}
	return "`" + codeLine(l) + "`"
}

func codeOrdinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// ---- diff normalisation ----

// normalizedDiff is a model's diff made parseable: markdown fences
// removed, traditional headers given git headers, hunk headers recounted.
type normalizedDiff struct {
	text       string
	unnumbered map[[2]int]bool // [file, hunk] whose header had no line numbers
	notes      []string
}

var hunkHeaderRE = regexp.MustCompile(`^@@+ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@+ ?(.*)$`)

// normalizeDiff fixes what models commonly get wrong in a unified diff
// while keeping every line's content: a ```diff fence around it, ---/+++
// headers without a diff --git line or without a/ b/ prefixes, hunk
// headers whose counts are off (the body is recounted; blank lines inside
// a hunk are context lines whose space was lost) or that have no line
// numbers at all ("@@ ... @@": the hunk is placed where its lines match).
func normalizeDiff(s string) (*normalizedDiff, error) {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if n := len(lines); n > 0 && !strings.HasSuffix(lines[n-1], "\n") {
		lines[n-1] += "\n"
	}
	lines = stripFence(lines)
	nd := &normalizedDiff{unnumbered: map[[2]int]bool{}}
	var out []string
	file, hunk := -1, 0
	gitLine := -1        // index in out of the current section's diff --git line
	inGitHeader := false // after a diff --git line, before its ---/+++ lines
	cur := ""
	for i := 0; i < len(lines); {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "diff --git "):
			file, hunk = file+1, 0
			gitLine, inGitHeader = len(out), true
			cur = strings.TrimSpace(strings.TrimPrefix(l, "diff --git "))
			out = append(out, l)
			i++
		case isFileHeaderAt(lines, i):
			oldN, newN, err := fileHeaderNames(lines[i], lines[i+1])
			if err != nil {
				return nil, fmt.Errorf("line %d of the diff: %w", i+1, err)
			}
			name := newN
			if name == "" {
				name = oldN
			}
			cur = name
			if !inGitHeader {
				file, hunk = file+1, 0
				a, b := oldN, newN
				if a == "" {
					a = b
				}
				if b == "" {
					b = a
				}
				out = append(out, "diff --git a/"+a+" b/"+b+"\n")
				switch {
				case oldN == "":
					out = append(out, "new file mode 100644\n")
				case newN == "":
					out = append(out, "deleted file mode 100644\n")
				}
			} else if oldN != "" && oldN == newN && gitLine >= 0 {
				out[gitLine] = "diff --git a/" + oldN + " b/" + newN + "\n"
			}
			inGitHeader = false
			out = append(out, headerLine("--- ", "a/", oldN), headerLine("+++ ", "b/", newN))
			i += 2
		case strings.HasPrefix(l, "@@"):
			if file < 0 {
				return nil, fmt.Errorf("line %d of the diff: a hunk (%s) before any file header; start each file with --- a/PATH and +++ b/PATH", i+1, strings.TrimSpace(l))
			}
			next, hunkLines, err := normalizeHunk(lines, i, cur, file, hunk, nd)
			if err != nil {
				return nil, err
			}
			out = append(out, hunkLines...)
			hunk++
			i = next
		default:
			out = append(out, l)
			i++
		}
	}
	nd.text = strings.Join(out, "")
	return nd, nil
}

// stripFence removes a markdown code fence around the diff.
func stripFence(lines []string) []string {
	first, last := 0, len(lines)-1
	for first <= last && strings.TrimSpace(lines[first]) == "" {
		first++
	}
	for last >= first && strings.TrimSpace(lines[last]) == "" {
		last--
	}
	if first > last || !strings.HasPrefix(strings.TrimSpace(lines[first]), "```") {
		return lines
	}
	first++
	if strings.TrimSpace(lines[last]) == "```" {
		last--
	}
	return lines[first : last+1]
}

func isFileHeaderAt(lines []string, i int) bool {
	return i+1 < len(lines) && strings.HasPrefix(lines[i], "--- ") && strings.HasPrefix(lines[i+1], "+++ ")
}

// fileHeaderNames reads the names of a ---/+++ pair: "" for /dev/null,
// a/ and b/ prefixes removed, timestamps dropped.
func fileHeaderNames(oldLine, newLine string) (oldN, newN string, err error) {
	name := func(l string) string {
		l = strings.TrimRight(l[4:], "\r\n")
		if i := strings.IndexByte(l, '\t'); i >= 0 {
			l = l[:i]
		}
		l = strings.TrimSpace(l)
		if len(l) >= 2 && l[0] == '"' && l[len(l)-1] == '"' {
			if u, err := strconv.Unquote(l); err == nil {
				l = u
			}
		}
		if l == "/dev/null" {
			return ""
		}
		return l
	}
	oldN, newN = name(oldLine), name(newLine)
	for _, n := range []string{oldN, newN} {
		if strings.HasPrefix(n, "/") || strings.HasPrefix(n, `\`) || (len(n) > 1 && n[1] == ':') {
			return "", "", fmt.Errorf("%s is absolute; paths in a diff are relative to the repository root (--- a/src/x.go)", n)
		}
	}
	if oldN == "" && newN == "" {
		return "", "", errors.New("both --- and +++ are /dev/null")
	}
	aOK := oldN == "" || strings.HasPrefix(oldN, "a/")
	bOK := newN == "" || strings.HasPrefix(newN, "b/")
	if aOK && bOK {
		if oldN != "" {
			oldN = oldN[2:]
		}
		if newN != "" {
			newN = newN[2:]
		}
	}
	if oldN != "" && newN != "" && oldN != newN {
		return "", "", fmt.Errorf("--- names %s but +++ names %s; a diff changes one file per header (to rename a file use diff --git with rename from/rename to lines)", oldN, newN)
	}
	return oldN, newN, nil
}

func headerLine(mark, prefix, name string) string {
	if name == "" {
		return mark + "/dev/null\n"
	}
	if strings.ContainsAny(name, "\"\\\t\n") || strings.IndexFunc(name, func(r rune) bool { return r < 0x20 }) >= 0 {
		return mark + strconv.Quote(prefix+name) + "\n"
	}
	return mark + prefix + name + "\n"
}

// normalizeHunk reads the hunk at lines[i] and returns the index after it
// and its lines with a header that matches its body.
func normalizeHunk(lines []string, i int, file string, fileIdx, idx int, nd *normalizedDiff) (int, []string, error) {
	header := strings.TrimRight(lines[i], "\r\n")
	var hOld, hNew, oldPos, newPos int64
	comment := ""
	numbered := false
	if m := hunkHeaderRE.FindStringSubmatch(header); m != nil {
		numbered = true
		oldPos, _ = strconv.ParseInt(m[1], 10, 64)
		hOld = 1
		if m[2] != "" {
			hOld, _ = strconv.ParseInt(m[2], 10, 64)
		}
		newPos, _ = strconv.ParseInt(m[3], 10, 64)
		hNew = 1
		if m[4] != "" {
			hNew, _ = strconv.ParseInt(m[4], 10, 64)
		}
		comment = m[5]
	} else {
		oldPos, newPos = 1, 1
		rest := strings.TrimLeft(header, "@")
		if j := strings.Index(rest, "@@"); j >= 0 {
			comment = strings.TrimSpace(rest[j:])
			comment = strings.TrimSpace(strings.TrimLeft(comment, "@"))
		}
	}
	var body []string
	var oldC, newC int64
	trailingBlank := 0
	j := i + 1
	satisfied := func() bool { return numbered && oldC >= hOld && newC >= hNew }
scan:
	for ; j < len(lines); j++ {
		l := lines[j]
		switch {
		case strings.HasPrefix(l, "@@") || strings.HasPrefix(l, "diff --git "):
			break scan
		case isFileHeaderAt(lines, j) && (satisfied() || j+2 >= len(lines) || strings.HasPrefix(lines[j+2], "@@") || strings.HasPrefix(lines[j+2], "diff --git ")):
			break scan
		case l == "\n" || l == "\r\n":
			body = append(body, " "+l)
			oldC++
			newC++
			trailingBlank++
			continue
		}
		switch l[0] {
		case ' ':
			oldC++
			newC++
		case '-':
			oldC++
		case '+':
			newC++
		case '\\':
		default:
			if satisfied() {
				break scan // prose after the hunk
			}
			return 0, nil, fmt.Errorf("line %d of the diff (in hunk %d of %s) starts with %q: every hunk line starts with ' ' (context, unchanged), '-' (removed) or '+' (added); unchanged lines need their leading space",
				j+1, idx+1, file, codeFirstRune(l))
		}
		body = append(body, l)
		trailingBlank = 0
	}
	// Blank lines at the end of a hunk are kept only as far as the header
	// counts them (a blank context line); the rest is spacing after the diff.
	keep := 0
	if numbered {
		for t := trailingBlank; t >= 0; t-- {
			drop := int64(trailingBlank - t)
			if oldC-drop == hOld && newC-drop == hNew {
				keep = t
				break
			}
		}
	}
	drop := trailingBlank - keep
	body = body[:len(body)-drop]
	oldC -= int64(drop)
	newC -= int64(drop)
	if len(body) == 0 {
		return 0, nil, fmt.Errorf("line %d of the diff: hunk %d of %s has no lines", i+1, idx+1, file)
	}
	if !numbered {
		nd.unnumbered[[2]int{fileIdx, idx}] = true
	} else if oldC != hOld || newC != hNew {
		nd.notes = append(nd.notes, fmt.Sprintf("hunk %d of %s: its header counted -%d +%d lines, its body has -%d +%d (header corrected)", idx+1, file, hOld, hNew, oldC, newC))
	}
	if oldC == 0 && oldPos > 0 && newC > 0 && !numbered {
		oldPos = 0
	}
	if oldC > 0 && oldPos == 0 {
		oldPos = 1
	}
	if newC > 0 && newPos == 0 {
		newPos = 1
	}
	h := fmt.Sprintf("@@ -%d,%d +%d,%d @@", oldPos, oldC, newPos, newC)
	if comment != "" {
		h += " " + comment
	}
	return j, append([]string{h + "\n"}, body...), nil
}

func codeFirstRune(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	return string(r)
}

// ---- preview and apply ----

func (rs *Repos) patchPreview(ctx context.Context, plan *patchPlan, opts CodeToolOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", plan.repo.Name, plan.summary())
	for _, f := range plan.files {
		op, name := "M", f.path()
		switch {
		case f.oldPath == "":
			op = "A"
		case f.newPath == "":
			op = "D"
		case f.oldPath != f.newPath:
			op, name = "R", f.oldPath+" → "+f.newPath
		}
		fmt.Fprintf(&b, "  %s %s  +%d −%d\n", op, name, f.added, f.deleted)
	}
	if cur, head := gitHeadInfo(ctx, plan.repo); head != "" {
		from := cur
		if from == "" {
			from = "detached HEAD"
		}
		branch := patchBranchBase(opts.IssueShortID, plan.explanation)
		if n, err := freeBranch(ctx, plan.repo.Path, branch); err == nil {
			branch = n
		}
		fmt.Fprintf(&b, "On approval: one commit %q on a new branch %s from %s (%s).\n", patchTitle(plan.explanation), branch, from, head)
	}
	if prefix, err := repoGit(ctx, plan.repo.Path, nil, nil, "rev-parse", "--show-prefix"); err == nil && strings.TrimSpace(prefix) != "" {
		fmt.Fprintf(&b, "Note: this checkout is the directory %s of a larger git repository; the branch and commit are made in that repository.\n", strings.TrimSpace(prefix))
	}
	for _, n := range plan.notes {
		b.WriteString("Note: " + n + "\n")
	}
	if dirty, err := dirtyPaths(ctx, plan.repo, plan.paths()); err == nil && len(dirty) > 0 {
		fmt.Fprintf(&b, "Warning: %s; applying will be refused until they are committed or stashed.\n", strings.Join(dirty, ", "))
	}
	b.WriteString("\n")
	b.WriteString(plan.diff)
	return redact.Sanitize(b.String())
}

// patchTitle is the first non-empty line of an explanation, one line,
// sanitised.
func patchTitle(explanation string) string {
	for _, l := range strings.Split(explanation, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return redact.SanitizeLine(l)
		}
	}
	return ""
}

var patchSlugRE = regexp.MustCompile(`[^a-z0-9]+`)

// patchSlug makes a branch-name element of text: lower case, words joined
// by "-", at most n characters (cut at a word boundary when possible).
func patchSlug(text string, n int) string {
	s := strings.Trim(patchSlugRE.ReplaceAllString(strings.ToLower(text), "-"), "-")
	if len(s) > n {
		s = s[:n]
		if i := strings.LastIndexByte(s, '-'); i > n/2 {
			s = s[:i]
		}
		s = strings.Trim(s, "-")
	}
	return s
}

// patchBranchBase is tracehound/<issue>-<slug of the explanation>.
func patchBranchBase(issueShortID, explanation string) string {
	slug := patchSlug(patchTitle(explanation), patchSlugMax)
	if slug == "" {
		slug = "patch"
	}
	if id := patchSlug(issueShortID, 40); id != "" {
		return "tracehound/" + id + "-" + slug
	}
	return "tracehound/" + slug
}

// freeBranch is base, or base-2, base-3… the first that does not exist.
func freeBranch(ctx context.Context, dir, base string) (string, error) {
	for n := 1; n <= 100; n++ {
		name := base
		if n > 1 {
			name = fmt.Sprintf("%s-%d", base, n)
		}
		if _, err := repoGit(ctx, dir, nil, nil, "rev-parse", "--verify", "-q", "refs/heads/"+name); err != nil {
			var ge *gitError
			if errors.As(err, &ge) {
				return name, nil
			}
			return "", err
		}
	}
	return "", fmt.Errorf("branches %s through %s-100 all exist; delete some", base, base)
}

// dirtyPaths lists the paths (of those given, repository-relative) that
// have uncommitted changes or are untracked, as "path (modified)".
func dirtyPaths(ctx context.Context, r *Repo, paths []string) ([]string, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	args := append([]string{"--literal-pathspecs", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--"}, paths...)
	out, err := repoGit(ctx, r.Path, []string{"GIT_OPTIONAL_LOCKS=0"}, nil, args...)
	if err != nil {
		return nil, err
	}
	var dirty []string
	entries := strings.Split(out, "\x00")
	for i := 0; i < len(entries); i++ {
		e := entries[i]
		if len(e) < 4 {
			continue
		}
		xy, p := e[:2], e[3:]
		what := "modified"
		switch {
		case xy == "??":
			what = "untracked"
		case strings.ContainsRune(xy, 'D'):
			what = "deleted"
		case strings.ContainsRune(xy, 'A'):
			what = "added, not committed"
		case xy[0] != ' ' && xy[1] == ' ':
			what = "staged"
		}
		if xy[0] == 'R' || xy[0] == 'C' {
			i++ // the source path follows
		}
		dirty = append(dirty, fmt.Sprintf("%s (%s)", redact.SanitizeLine(p), what))
	}
	return dirty, nil
}

// applyPatch commits an approved patch on a new branch: it re-validates,
// refuses when a touched file has uncommitted changes, builds the commit
// from HEAD in a temporary index (the user's index and files are not
// touched), creates the branch, then checks it out, which git does only
// when that leaves the user's other changes intact.
func (rs *Repos) applyPatch(ctx context.Context, args json.RawMessage, opts CodeToolOptions) (Result, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return Result{}, fmt.Errorf("%w: the patch was not applied and nothing was changed", errNoGit)
	}
	plan, err := rs.planPatch(args)
	if err != nil {
		return Result{}, fmt.Errorf("the patch no longer applies, nothing was changed: %w", err)
	}
	r := plan.repo
	if err := gitReady(ctx, r); err != nil {
		return Result{}, fmt.Errorf("%w: the patch was not applied", err)
	}
	dir := r.Path
	git := func(env []string, stdin []byte, args ...string) (string, error) {
		if stdin == nil {
			return repoGit(ctx, dir, env, nil, args...)
		}
		return repoGit(ctx, dir, env, bytes.NewReader(stdin), args...)
	}
	dirty, err := dirtyPaths(ctx, r, plan.paths())
	if err != nil {
		return Result{}, fmt.Errorf("check the working tree of %s: %w", r.Name, err)
	}
	if len(dirty) > 0 {
		return Result{}, fmt.Errorf("not applied: %s in %s; commit or stash those changes and approve again", strings.Join(dirty, ", "), r.Name)
	}
	headOut, err := git(nil, nil, "rev-parse", "--verify", "HEAD^{commit}")
	if err != nil {
		return Result{}, err
	}
	head := strings.TrimSpace(headOut)
	prevBranch, _ := git(nil, nil, "symbolic-ref", "-q", "--short", "HEAD")
	prevBranch = strings.TrimSpace(prevBranch)
	prefixOut, err := git(nil, nil, "rev-parse", "--show-prefix")
	if err != nil {
		return Result{}, err
	}
	prefix := strings.TrimSuffix(prefixOut, "\n")
	top, err := git(nil, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return Result{}, err
	}
	// Index plumbing runs at the top of the work tree with top-relative
	// paths (the checkout may be a subdirectory of a larger repository).
	dir = strings.TrimSuffix(top, "\n")

	// Build the commit in a temporary index.
	tmp, err := os.MkdirTemp("", "tracehound-patch-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(tmp)
	idx := []string{"GIT_INDEX_FILE=" + filepath.Join(tmp, "index")}
	if _, err := git(idx, nil, "read-tree", head); err != nil {
		return Result{}, err
	}
	for _, f := range plan.files {
		mode := "100644"
		if f.oldPath != "" {
			out, err := git(idx, nil, "--literal-pathspecs", "ls-files", "-s", "-z", "--", prefix+f.oldPath)
			if err != nil {
				return Result{}, err
			}
			if fields := strings.Fields(out); len(fields) > 0 {
				mode = fields[0]
			}
			if _, err := git(idx, nil, "update-index", "--force-remove", "--", prefix+f.oldPath); err != nil {
				return Result{}, err
			}
		} else if f.newMode&0o111 != 0 {
			mode = "100755"
		}
		if f.newPath == "" {
			continue
		}
		blob, err := git(nil, f.newData, "hash-object", "-w", "--stdin", "--path="+prefix+f.newPath)
		if err != nil {
			return Result{}, err
		}
		info := mode + "," + strings.TrimSpace(blob) + "," + prefix + f.newPath
		if _, err := git(idx, nil, "update-index", "--add", "--cacheinfo", info); err != nil {
			return Result{}, err
		}
	}
	tree, err := git(idx, nil, "write-tree")
	if err != nil {
		return Result{}, err
	}
	msg := patchTitle(plan.explanation) + "\n\nProposed by tracehound"
	if opts.IssueShortID != "" {
		msg += " for " + redact.SanitizeLine(opts.IssueShortID)
	}
	msg += ".\n"
	commitOut, err := git(identityEnv(ctx, r), []byte(msg), "commit-tree", strings.TrimSpace(tree), "-p", head, "-F", "-")
	if err != nil {
		return Result{}, fmt.Errorf("commit the patch: %w (nothing was changed)", err)
	}
	commit := strings.TrimSpace(commitOut)

	// Create the branch (never moving an existing one), then switch to it.
	base := patchBranchBase(opts.IssueShortID, plan.explanation)
	if _, err := git(nil, nil, "check-ref-format", "--branch", base); err != nil {
		base = patchBranchBase("", "patch")
	}
	var branch string
	for tries := 0; ; tries++ {
		branch, err = freeBranch(ctx, r.Path, base)
		if err != nil {
			return Result{}, err
		}
		_, err = git(nil, nil, "update-ref", "-m", "tracehound: proposed patch", "refs/heads/"+branch, commit, "")
		if err == nil {
			break
		}
		if tries == 3 {
			return Result{}, fmt.Errorf("create branch %s: %w (nothing was changed)", branch, err)
		}
	}
	rs.forget(r)
	short := commit[:min(7, len(commit))]
	res := Result{Branch: branch, Commit: commit, Repo: r.Name, Path: plan.files[0].path()}
	back := "git checkout " + prevBranch
	prevDesc := prevBranch
	if prevBranch == "" {
		prevDesc = "a detached HEAD at " + head[:min(7, len(head))]
		back = "git checkout --detach " + head[:min(7, len(head))]
	}
	dir = r.Path
	if _, err := git(nil, nil, "checkout", "-q", branch, "--"); err != nil {
		res.Text = fmt.Sprintf("committed on branch %s as commit %s (%s) in %s, but the checkout stayed on %s because git refused to switch: %v. "+
			"Nothing in the working tree was changed; switch with `git checkout %s` when ready.",
			branch, short, plan.summary(), r.Name, prevDesc, err, branch)
		res.Text = redact.Sanitize(res.Text)
		return res, nil
	}
	res.Text = redact.Sanitize(fmt.Sprintf("applied on branch %s as commit %s (%s) in %s; the previous branch was %s (go back with `%s`). The checkout is now on %s.",
		branch, short, plan.summary(), r.Name, prevDesc, back, branch))
	return res, nil
}

// identityEnv sets tracehound as the author and committer when the
// repository has no user configured (and the environment names none), so
// the commit does not fail; otherwise the user's identity is used.
func identityEnv(ctx context.Context, r *Repo) []string {
	has := func(key, env string) bool {
		if os.Getenv(env) != "" {
			return true
		}
		out, err := repoGit(ctx, r.Path, nil, nil, "config", "--get", key)
		return err == nil && strings.TrimSpace(out) != ""
	}
	if has("user.name", "GIT_AUTHOR_NAME") && has("user.email", "GIT_AUTHOR_EMAIL") {
		return nil
	}
	return []string{
		"GIT_AUTHOR_NAME=tracehound", "GIT_AUTHOR_EMAIL=tracehound@localhost",
		"GIT_COMMITTER_NAME=tracehound", "GIT_COMMITTER_EMAIL=tracehound@localhost",
	}
}
