// Package history is the format of a dataset's optional repository history:
// history/{owner}/{repo}.json next to sources/{owner}/{repo}/. Materialising
// a repository replays its commits in order; each commit's tree is the
// sources tree with Files overlaid and Delete removed, so the last commit
// (normally without overrides) is exactly the sources tree.
package history

// File is history/{owner}/{repo}.json.
type File struct {
	Commits []Commit `json:"commits"`
}

// Commit is one commit, oldest first.
type Commit struct {
	Message string `json:"message"`
	// Author is "Name <email>"; it is also the committer.
	Author string `json:"author"`
	// Date is RFC 3339; it is both the author and the committer date.
	Date string `json:"date"`
	// Tag, if set, is a lightweight tag on the commit.
	Tag string `json:"tag,omitempty"`
	// Files maps a path in the repository to the dataset path of the
	// content it has in this commit (instead of the sources tree's).
	Files map[string]string `json:"files,omitempty"`
	// Delete lists repository paths absent from this commit.
	Delete []string `json:"delete,omitempty"`
}
