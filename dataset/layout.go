package dataset

import (
	"path"
	"strings"
)

// The files at the root of a dataset.
const (
	// OrganizationFile is GET /organizations/{org}/, the only required file.
	OrganizationFile = "organization.json"
	// ProjectsFile is GET /organizations/{org}/projects/ (an array).
	ProjectsFile = "projects.json"
	// ReposFile is GET /organizations/{org}/repos/ (an array).
	ReposFile = "repos.json"
	// CodeMappingsFile is GET /organizations/{org}/code-mappings/ (an array).
	CodeMappingsFile = "code-mappings.json"
	// ManifestFile is the optional manifest (Manifest).
	ManifestFile = "dataset.json"
	// ExpectedFile is the optional known root cause, for evals (Expected).
	ExpectedFile = "expected.json"
)

// The directories of a dataset.
const (
	IssuesDir   = "issues"   // {issue_id}.json
	EventsDir   = "events"   // {project_slug}/{event_id}.json
	TracesDir   = "traces"   // {trace_id}.json, {trace_id}.meta.json
	ProfilesDir = "profiles" // {project_slug}/{profile_id}.json
	ChunksDir   = "chunks"   // {profiler_id}/{chunk_id}.json
	SourcesDir  = "sources"  // {owner}/{repo}/… the source trees
	HistoryDir  = "history"  // {owner}/{repo}.json and the older files it names
)

const (
	jsonExt      = ".json"
	traceMetaExt = ".meta.json"
)

// IssuePath is the file of an issue (GET /organizations/{org}/issues/{id}/).
func IssuePath(id string) string { return path.Join(IssuesDir, SafeName(id)+jsonExt) }

// EventPath is the file of an error or transaction event of a project
// (GET /projects/{org}/{project}/events/{id}/).
func EventPath(project, eventID string) string {
	return path.Join(EventsDir, SafeName(project), SafeName(eventID)+jsonExt)
}

// TracePath is the file of a trace (GET /organizations/{org}/trace/{id}/).
func TracePath(traceID string) string { return path.Join(TracesDir, SafeName(traceID)+jsonExt) }

// TraceMetaPath is the optional trace-meta file of a trace
// (GET /organizations/{org}/trace-meta/{id}/).
func TraceMetaPath(traceID string) string {
	return path.Join(TracesDir, SafeName(traceID)+traceMetaExt)
}

// ProfilePath is the file of a transaction profile
// (GET /projects/{org}/{project}/profiling/profiles/{id}/).
func ProfilePath(project, profileID string) string {
	return path.Join(ProfilesDir, SafeName(project), SafeName(profileID)+jsonExt)
}

// ChunkPath is the file of one continuous-profiling chunk of a profiler.
func ChunkPath(profilerID, chunkID string) string {
	return path.Join(ChunksDir, SafeName(profilerID), SafeName(chunkID)+jsonExt)
}

// SourcePath is the directory of a repository's source tree (repo as in
// repos.json, "owner/name").
func SourcePath(repo string) string { return SourcesDir + "/" + repo }

// HistoryPath is the history file of a repository (the format of
// demo/internal/history).
func HistoryPath(repo string) string { return HistoryDir + "/" + repo + jsonExt }

// SafeName keeps a path element that comes from outside (an id or a slug
// from the API, an SDK's event id) one element inside the dataset: path
// separators and control characters become "_", and "", "." and ".." are
// "_".
func SafeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 {
			return '_'
		}
		return r
	}, s)
	if s == "" || s == "." || s == ".." {
		return "_"
	}
	return s
}

// NormID normalises an event, trace, profile or profiler id as the layout
// indexes it: lower case, without the dashes of the UUID form.
func NormID(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "-", ""))
}

// IsHexID reports whether s is a 32-hex id after NormID.
func IsHexID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
