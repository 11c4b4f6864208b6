package otlp

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Frame is one stack frame parsed from an exception.stacktrace text, in the
// SDK (ingest) form Sentry events carry.
type Frame struct {
	Filename string `json:"filename,omitempty"`
	AbsPath  string `json:"abs_path,omitempty"`
	Module   string `json:"module,omitempty"`
	Function string `json:"function,omitempty"`
	LineNo   int    `json:"lineno,omitempty"`
	ColNo    int    `json:"colno,omitempty"`
	InApp    bool   `json:"in_app"`
}

// maxFrames bounds the frames kept from one stack trace: the innermost
// ones, where the failure is.
const maxFrames = 200

// ParseStack parses the stack trace text an OpenTelemetry SDK records in
// exception.stacktrace. lang is telemetry.sdk.language ("go", "python",
// "java", "nodejs", "dotnet"…); when it is empty or unknown the format is
// recognised from the text. Frames run caller → callee (the last one is
// where the exception was raised), as in Sentry events. Text no parser
// recognises gives no frames: the event still carries the type and message.
func ParseStack(text, lang string) []Frame {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var frames []Frame
	switch sniff(text, lang) {
	case "go":
		frames = parseGo(text)
	case "python":
		frames = parsePython(text)
	case "java":
		frames = parseJava(text)
	case "node":
		frames = parseNode(text)
	case "dotnet":
		frames = parseDotnet(text)
	}
	if len(frames) > maxFrames {
		frames = frames[len(frames)-maxFrames:]
	}
	return frames
}

var (
	goHeader     = regexp.MustCompile(`(?m)^goroutine \d+ \[`)
	pyHeader     = regexp.MustCompile(`(?m)^\s*File "[^"]*", line \d+`)
	javaFrame    = regexp.MustCompile(`(?m)^\s+at [\w$.<>/]+\([^)]*\)\s*$`)
	nodeFrame    = regexp.MustCompile(`(?m)^\s+at .*(\(.*:\d+:\d+\)|:\d+:\d+)\s*$`)
	dotnetFrame  = regexp.MustCompile(`(?m)^\s+at .+\) in .+:line \d+`)
	dotnetFrame2 = regexp.MustCompile(`(?m)^\s+at [\w.<>` + "`" + `+]+\(.*\)\s*$`)
)

// sniff picks the parser: the SDK language when the text fits it, else
// the first format the text looks like.
func sniff(text, lang string) string {
	switch strings.ToLower(lang) {
	case "go":
		if goHeader.MatchString(text) || strings.Contains(text, ".go:") {
			return "go"
		}
	case "python":
		if pyHeader.MatchString(text) {
			return "python"
		}
	case "java", "kotlin", "scala":
		if javaFrame.MatchString(text) {
			return "java"
		}
	case "nodejs", "node", "js", "javascript", "webjs":
		if nodeFrame.MatchString(text) {
			return "node"
		}
	case "dotnet", "csharp", ".net":
		if dotnetFrame.MatchString(text) || dotnetFrame2.MatchString(text) {
			return "dotnet"
		}
	}
	switch {
	case goHeader.MatchString(text):
		return "go"
	case pyHeader.MatchString(text):
		return "python"
	case dotnetFrame.MatchString(text):
		return "dotnet"
	case nodeFrame.MatchString(text):
		return "node"
	case javaFrame.MatchString(text):
		return "java"
	case dotnetFrame2.MatchString(text):
		return "dotnet"
	}
	return ""
}

// --- Go -------------------------------------------------------------------

// goFileLine is the second line of a goroutine dump frame:
// "\t/abs/path/file.go:42 +0x1d".
var goFileLine = regexp.MustCompile(`^\t(.+?):(\d+)(?: \+0x[0-9a-f]+)?\s*$`)

// parseGo reads the first goroutine of a runtime.Stack dump (what the Go
// SDK records with trace.WithStackTrace): pairs of "function(args)" and
// "\tfile:line +0xNN" lines, innermost first. The SDK cuts the dump at a
// fixed size, so the last pair may be missing its second line or be cut
// mid-word; such a frame is dropped.
func parseGo(text string) []Frame {
	lines := strings.Split(text, "\n")
	start := 0
	if m := goHeader.FindStringIndex(text); m != nil {
		start = strings.Count(text[:m[0]], "\n") + 1
	}
	var frames []Frame
	for i := start; i < len(lines); i++ {
		fn := lines[i]
		if strings.HasPrefix(fn, "goroutine ") && i > start {
			break // only the first goroutine
		}
		if fn == "" || strings.HasPrefix(fn, "\t") || i+1 >= len(lines) {
			continue
		}
		m := goFileLine.FindStringSubmatch(lines[i+1])
		if m == nil {
			continue
		}
		i++
		if strings.HasPrefix(fn, "created by ") {
			fn = strings.TrimPrefix(fn, "created by ")
			if j := strings.Index(fn, " in goroutine "); j >= 0 {
				fn = fn[:j]
			}
		} else if j := strings.LastIndexByte(fn, '('); j > 0 {
			fn = fn[:j]
		}
		line, _ := strconv.Atoi(m[2])
		mod, name := splitGoFunc(fn)
		frames = append(frames, Frame{
			AbsPath: m[1], Filename: goFilename(m[1], mod), Module: mod, Function: name,
			LineNo: line, InApp: goInApp(mod, m[1]),
		})
	}
	slices.Reverse(frames)
	return frames
}

// splitGoFunc splits "github.com/a/b.(*T).M" into the package path and
// the function ("(*T).M"), the way the Sentry Go SDK does.
func splitGoFunc(fn string) (pkg, name string) {
	slash := strings.LastIndexByte(fn, '/')
	dot := strings.IndexByte(fn[slash+1:], '.')
	if dot < 0 {
		return "", fn
	}
	dot += slash + 1
	return fn[:dot], fn[dot+1:]
}

// goFilename is the path from the package's directory on, when the path
// ends with it ("shop/payments/main.go" for a package ".../shop/payments"),
// else the base name with its directory.
func goFilename(abs, pkg string) string {
	dir := abs[:max(strings.LastIndexByte(abs, '/'), 0)]
	if pkg != "" && pkg != "main" {
		last := pkg[strings.LastIndexByte(pkg, '/')+1:]
		if strings.HasSuffix(dir, "/"+last) || dir == last {
			if i := strings.LastIndex(abs, "/"+last+"/"); i >= 0 {
				return abs[i+1:]
			}
		}
	}
	parts := strings.Split(abs, "/")
	if len(parts) >= 2 {
		return strings.Join(parts[len(parts)-2:], "/")
	}
	return abs
}

// goInApp: not the standard library, the module cache, GOROOT or the
// OpenTelemetry SDK itself.
func goInApp(pkg, path string) bool {
	switch {
	case strings.Contains(path, "/pkg/mod/"), strings.Contains(path, "/go/src/runtime/"),
		strings.Contains(path, "/usr/local/go/"), strings.Contains(path, "/vendor/"):
		return false
	case strings.HasPrefix(pkg, "go.opentelemetry.io/"), strings.HasPrefix(pkg, "google.golang.org/"),
		strings.HasPrefix(pkg, "golang.org/"):
		return false
	case pkg == "main":
		return true
	}
	first, _, _ := strings.Cut(pkg, "/")
	return strings.Contains(first, ".") // stdlib packages have no dot in their first element
}

// --- Python ---------------------------------------------------------------

var pyFrame = regexp.MustCompile(`^\s*File "([^"]+)", line (\d+)(?:, in (.+))?$`)

// parsePython reads a traceback ("Traceback (most recent call last):"),
// caller first already. With chained exceptions ("During handling…",
// "The above exception…") the last traceback is the one raised.
func parsePython(text string) []Frame {
	var frames []Frame
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "Traceback (most recent call last)") {
			frames = frames[:0]
			continue
		}
		m := pyFrame.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		line, _ := strconv.Atoi(m[2])
		path := m[1]
		frames = append(frames, Frame{
			AbsPath: path, Filename: pyFilename(path), Module: pyModule(path), Function: m[3], LineNo: line,
			InApp: !strings.Contains(path, "site-packages") && !strings.Contains(path, "dist-packages") &&
				!strings.Contains(path, "/lib/python") && !strings.HasPrefix(path, "<"),
		})
	}
	return frames
}

func pyFilename(path string) string {
	for _, marker := range []string{"site-packages/", "dist-packages/"} {
		if i := strings.LastIndex(path, marker); i >= 0 {
			return path[i+len(marker):]
		}
	}
	return strings.TrimPrefix(path, "/")
}

func pyModule(path string) string {
	f := pyFilename(path)
	f = strings.TrimSuffix(f, ".py")
	f = strings.TrimSuffix(f, "/__init__")
	return strings.ReplaceAll(f, "/", ".")
}

// --- Java -----------------------------------------------------------------

var javaAt = regexp.MustCompile(`^\s+at (?:[\w.$-]+/)*([\w$.<>]+)\.([\w$<>-]+)\(([^)]*)\)`)

// parseJava reads Throwable.printStackTrace text, innermost first; only
// the outermost exception's frames (before the first "Caused by:") are
// kept, which is the exception the span recorded.
func parseJava(text string) []Frame {
	var frames []Frame
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "Caused by:") {
			break
		}
		m := javaAt.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		cls, fn, where := m[1], m[2], m[3]
		f := Frame{Module: cls, Function: fn}
		if file, line, ok := strings.Cut(where, ":"); ok {
			f.Filename = file
			f.LineNo, _ = strconv.Atoi(line)
		} else {
			f.Filename = where // "Native Method", "Unknown Source"
		}
		// The source path as the package lays it out: what a checkout's
		// path ends with (src/main/java/com/acme/Foo.java).
		if pkg := cls[:max(strings.LastIndexByte(cls, '.'), 0)]; pkg != "" && strings.Contains(f.Filename, ".") {
			f.AbsPath = strings.ReplaceAll(pkg, ".", "/") + "/" + f.Filename
		}
		f.InApp = javaInApp(cls)
		frames = append(frames, f)
	}
	slices.Reverse(frames)
	return frames
}

func javaInApp(cls string) bool {
	for _, p := range []string{"java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "scala.", "org.springframework.",
		"org.apache.", "io.opentelemetry.", "io.netty.", "org.eclipse.", "com.google.", "reactor.", "io.grpc.", "org.hibernate."} {
		if strings.HasPrefix(cls, p) {
			return false
		}
	}
	return true
}

// --- Node -----------------------------------------------------------------

var (
	nodeAtFn   = regexp.MustCompile(`^\s+at (?:async )?(.+?) \((.+):(\d+):(\d+)\)\s*$`)
	nodeAtAnon = regexp.MustCompile(`^\s+at (?:async )?(.+):(\d+):(\d+)\s*$`)
)

// parseNode reads a V8 stack ("    at fn (/path/file.js:10:5)"),
// innermost first.
func parseNode(text string) []Frame {
	var frames []Frame
	for _, l := range strings.Split(text, "\n") {
		var fn, path, line, col string
		if m := nodeAtFn.FindStringSubmatch(l); m != nil {
			fn, path, line, col = m[1], m[2], m[3], m[4]
		} else if m := nodeAtAnon.FindStringSubmatch(l); m != nil {
			path, line, col = m[1], m[2], m[3]
		} else {
			continue
		}
		path = strings.TrimPrefix(path, "file://")
		ln, _ := strconv.Atoi(line)
		cn, _ := strconv.Atoi(col)
		fn = strings.TrimPrefix(fn, "new ")
		frames = append(frames, Frame{
			AbsPath: path, Filename: nodeFilename(path), Function: fn, LineNo: ln, ColNo: cn,
			InApp: !strings.Contains(path, "node_modules") && !strings.HasPrefix(path, "node:") && !strings.HasPrefix(path, "internal/"),
		})
	}
	slices.Reverse(frames)
	return frames
}

func nodeFilename(path string) string {
	if i := strings.LastIndex(path, "node_modules/"); i >= 0 {
		return path[i:]
	}
	return strings.TrimPrefix(path, "/")
}

// --- .NET -----------------------------------------------------------------

var dotnetAt = regexp.MustCompile(`^\s+at (.+?)\((.*?)\)(?: in (.+):line (\d+))?\s*$`)

// parseDotnet reads Exception.ToString() frames ("   at Ns.Type.Method(T a)
// in /src/File.cs:line 42"), innermost first, up to the first inner
// exception marker.
func parseDotnet(text string) []Frame {
	var frames []Frame
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, "--- End of inner exception stack trace ---") {
			frames = frames[:0] // the outer exception's frames follow
			continue
		}
		m := dotnetAt.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		qual := m[1]
		mod, fn := qual, ""
		if i := strings.LastIndexByte(qual, '.'); i > 0 {
			mod, fn = qual[:i], qual[i+1:]
		}
		f := Frame{Module: mod, Function: fn, AbsPath: m[3]}
		if m[3] != "" {
			f.Filename = dotnetFilename(m[3])
			f.LineNo, _ = strconv.Atoi(m[4])
		}
		f.InApp = !strings.HasPrefix(mod, "System.") && !strings.HasPrefix(mod, "Microsoft.") && !strings.HasPrefix(mod, "OpenTelemetry.")
		frames = append(frames, f)
	}
	slices.Reverse(frames)
	return frames
}

func dotnetFilename(path string) string {
	path = strings.ReplaceAll(path, `\`, "/")
	if i := strings.IndexByte(path, ':'); i == 1 {
		path = path[2:] // a drive letter
	}
	return strings.TrimPrefix(path, "/")
}
