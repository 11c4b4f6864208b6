// Package arch holds no code: its test keeps the import rules between
// tracehound's packages (../shared/DESIGN.md, "Wave 2 shape") from
// eroding. It checks the packages that exist, so a rule about a package
// not yet written (share, mcp, investigation) starts to hold the day the
// package appears. (That redact imports only the standard library is
// checked by redact's own test.)
package arch
