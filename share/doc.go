// Package share serves one investigation to colleagues over SSH (the
// `tracehound share` command): guests join with plain OpenSSH, each
// session runs its own Bubble Tea program — its own cursor, folds,
// filter and focus — over the investigation the host is running, whose
// event hub replays the history to late joiners and whose approval
// requests only the allowed participants can answer.
//
// The server admits only keys listed in an authorized_keys file (or
// given with --allow-key), offers no shell, exec, subsystem, port or
// agent forwarding, caps the guests and ends idle connections. It knows
// nothing of the explorer: the caller gives it a function that makes a
// guest's program.
package share
