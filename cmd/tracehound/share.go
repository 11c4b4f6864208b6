package main

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/investigation"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/share"
	"github.com/tracehound/tracehound/ui"
)

// shareOptions are `tracehound share`'s flags.
type shareOptions struct {
	model          modelFlags
	listen         string
	authorizedKeys string
	allowKeys      []string
	maxGuests      int
	idle           time.Duration
	guestApprove   bool
	guestDrive     bool
}

func newShareCmd(a *app) *cobra.Command {
	var o shareOptions
	cmd := &cobra.Command{
		Use:   "share [TARGET]",
		Short: "Open the explorer and let colleagues join the same investigation over SSH",
		Long: `Open the explorer on TARGET (as tracehound does) and serve the same
investigation over SSH: a colleague joins with plain OpenSSH and gets their
own explorer — their own cursor, folds, filter and focus — over the shared
incident, agent run, chat and approvals. f follows another participant.

Only keys in the authorized keys file (authorized_keys format; default
$XDG_CONFIG_HOME/tracehound/authorized_keys) or given with --allow-key may
join; by default only the host approves tool calls (--guest-approve) and
starts or steers the agent (--guest-drive); a guest's messages go to the
chat. The host key is created once under $XDG_DATA_HOME/tracehound/ and its
fingerprint printed. Guests get no shell, command, port or agent forwarding.`,
		Example: `  tracehound share --demo --allow-key "$(cat ~/.ssh/id_ed25519.pub)"
  tracehound share PAYMENTS-1AB --authorized-keys team.keys
  ssh -p 2222 alice@127.0.0.1        # a guest, on the same machine`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runShare(cmd.Context(), a, &o, argOr(args))
		},
	}
	o.model.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:2222", "`ADDR` for guests (host:port; a non-loopback address is for a trusted network)")
	f.StringVar(&o.authorizedKeys, "authorized-keys", "", "`FILE` of keys that may join (authorized_keys format; default $XDG_CONFIG_HOME/tracehound/authorized_keys)")
	f.StringArrayVar(&o.allowKeys, "allow-key", nil, "a public `KEY` that may join (an authorized_keys line; repeatable)")
	f.IntVar(&o.maxGuests, "max-guests", 8, "at most `N` guests at once")
	f.DurationVar(&o.idle, "idle-timeout", 30*time.Minute, "end a guest's connection after this long without traffic")
	f.BoolVar(&o.guestApprove, "guest-approve", false, "let guests approve and deny tool calls (every decision records who)")
	f.BoolVar(&o.model.askReadOnly, "ask-read-only", false, "ask before every tool call, read-only ones too (the approvals then show who answered)")
	f.BoolVar(&o.guestDrive, "guest-drive", false, "let guests start, continue, stop and message the agent")
	return cmd
}

func runShare(ctx context.Context, a *app, o *shareOptions, arg string) error {
	if !isTerminal(a.stdout) {
		return usagef("share opens the explorer for the host: run it in a terminal")
	}
	host, _, err := net.SplitHostPort(o.listen)
	if err != nil {
		return usagef("--listen %q is not HOST:PORT", o.listen)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(a.stderr, "tracehound: warning: listening on %s: anyone on that network who holds a listed key can join\n", o.listen)
	}
	keysPath := o.authorizedKeys
	if keysPath == "" {
		keysPath = share.DefaultAuthorizedKeysPath(a.getenv, a.homeDir)
	}
	src, t, err := a.openTarget(ctx, arg)
	if err != nil {
		return err
	}
	if t.Kind == sentryapi.TargetProfile {
		return usagef("%s is a profile; open its issue or trace", arg)
	}
	target := arg
	if target == "" {
		target = src.DefaultIssue
	}
	opts, err := a.invOptions(&o.model, src, t, target)
	if err != nil {
		return err
	}
	opts.PauseBetweenPhases = true
	if dir, err := a.stateDir(); err == nil {
		opts.TranscriptDir = dir
	}
	fmt.Fprintf(a.stderr, "tracehound: opening %s…\n", target)
	inv, err := investigation.Open(ctx, opts)
	if err != nil {
		return coreError(err)
	}
	defer inv.Close()

	hostP := investigation.Participant{ID: "host", Name: hostName(a), CanApprove: true, CanMessage: true}
	hub := &pairHub{host: hostP, guestModels: map[string]*ui.Model{}}
	var srv *share.Server
	srv, err = share.New(share.Config{
		Listen: o.listen, AuthorizedKeys: keysPath, AllowKeys: o.allowKeys,
		HostKeyPath: share.DefaultHostKeyPath(a.getenv, a.homeDir),
		MaxGuests:   o.maxGuests, IdleTimeout: o.idle,
		Program: func(g share.Guest) tea.Model {
			p := investigation.Participant{ID: g.ID, Name: g.Name, CanApprove: o.guestApprove, CanMessage: o.guestDrive}
			m := ui.New(ctx, ui.Config{
				Source: src.Label, Demo: src.Demo, Link: sentryLink, Participant: p,
				Open:    func(context.Context, ui.Progress) (*investigation.Investigation, error) { return inv, nil },
				Pairing: &ui.Pairing{HostID: hostP.ID, Selected: hub.selected, Here: hub.participants(srv.Guests())},
			})
			hub.addGuest(g.ID, m)
			return m
		},
	})
	if err != nil {
		return usageError{err}
	}
	hub.srv = srv
	if err := srv.Start(); err != nil {
		return err
	}
	closeGuests := func(reason string) {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Close(c, reason)
	}
	defer closeGuests("the host ended the shared investigation")
	srv.OnChange(func(c share.Change) {
		switch c.Kind {
		case share.Joined, share.Left:
			inv.Presence(c.Text())
			if c.Kind == share.Left {
				hub.removeGuest(c.Guest.ID)
			}
			hub.presence(c.Guests)
		case share.Refused:
			hub.status(fmt.Sprintf("refused %s (%s)", c.Guest.Name, c.Reason))
		}
	})
	fmt.Fprintf(a.stderr, "tracehound: sharing on %s — host key %s\n", srv.Addr(), srv.Fingerprint())
	if srv.Keys() == 0 {
		fmt.Fprintf(a.stderr, "tracehound: no keys may join yet: add a colleague's public key (a line of their ~/.ssh/id_ed25519.pub) to %s, or pass --allow-key\n", keysPath)
	}
	fmt.Fprintf(a.stderr, "tracehound: guests join with: %s\n", srv.JoinCommand())
	// The screen is the explorer's from here.
	stderr, release := a.holdStderr()
	defer release()
	err = ui.RunHost(ctx, ui.Config{
		Source: src.Label, Demo: src.Demo, Link: sentryLink, Participant: hostP,
		Open:    func(context.Context, ui.Progress) (*investigation.Investigation, error) { return inv, nil },
		Pairing: &ui.Pairing{Host: true, HostID: hostP.ID, Join: srv.JoinCommand(), Selected: hub.selected},
	}, func(p *tea.Program) {
		hub.setHost(p)
		hub.presence(srv.Guests())
	})
	closeGuests("the host quit")
	if id := inv.TranscriptID(); id != "" {
		fmt.Fprintf(stderr, "tracehound: the investigation is saved: tracehound resume %s\n", id)
	}
	return err
}

// hostName is the host's name on the others' screens.
func hostName(a *app) string {
	for _, k := range []string{"TRACEHOUND_NAME", "USER", "LOGNAME"} {
		if v := a.getenv(k); v != "" {
			return v + " (host)"
		}
	}
	return "host"
}

// pairHub relays presence and selections between the host's program and
// the guests' (share.Server.Send never blocks on a slow guest).
type pairHub struct {
	host investigation.Participant
	srv  *share.Server

	mu          sync.Mutex
	hostProg    *tea.Program
	guestModels map[string]*ui.Model
	here        []investigation.Participant
}

func (h *pairHub) setHost(p *tea.Program) {
	h.mu.Lock()
	h.hostProg = p
	h.mu.Unlock()
}

func (h *pairHub) addGuest(id string, m *ui.Model) {
	h.mu.Lock()
	h.guestModels[id] = m
	h.mu.Unlock()
}

// removeGuest ends a departed guest's subscription.
func (h *pairHub) removeGuest(id string) {
	h.mu.Lock()
	m := h.guestModels[id]
	delete(h.guestModels, id)
	h.mu.Unlock()
	if m != nil {
		m.Detach()
	}
}

// send delivers msg to the host's program and every guest's.
func (h *pairHub) send(msg tea.Msg) {
	h.mu.Lock()
	p := h.hostProg
	h.mu.Unlock()
	if p != nil {
		go p.Send(msg)
	}
	if h.srv != nil {
		h.srv.Send(msg)
	}
}

func (h *pairHub) presence(guests []share.Guest) {
	h.send(ui.PresenceMsg{Here: h.participants(guests)})
}

// participants is who is here: the host, then the guests in order of
// arrival.
func (h *pairHub) participants(guests []share.Guest) []investigation.Participant {
	here := []investigation.Participant{h.host}
	for _, g := range guests {
		here = append(here, investigation.Participant{ID: g.ID, Name: g.Name})
	}
	return here
}

func (h *pairHub) selected(who investigation.Participant, node string, pane int) {
	h.send(ui.FollowMsg{Who: who, Node: node, Pane: pane})
}

func (h *pairHub) status(s string) {
	h.mu.Lock()
	p := h.hostProg
	h.mu.Unlock()
	if p != nil {
		go p.Send(ui.StatusMsg(s))
	}
}
