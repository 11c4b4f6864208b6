package share

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"
)

// Config says where and to whom the investigation is shared.
type Config struct {
	// Listen is the address (default 127.0.0.1:2222).
	Listen string
	// AuthorizedKeys is an authorized_keys file; a missing file means no
	// keys from it.
	AuthorizedKeys string
	// AllowKeys are authorized_keys lines given on the command line.
	AllowKeys []string
	// HostKeyPath is the server's private key, created on first use.
	HostKeyPath string
	// MaxGuests caps the guests at once (default 8).
	MaxGuests int
	// IdleTimeout ends a connection with no traffic for that long
	// (default 30 minutes).
	IdleTimeout time.Duration
	// Program makes a guest's own explorer over the shared investigation.
	Program func(Guest) tea.Model
}

// Guest is a participant who joined over SSH.
type Guest struct {
	// ID is unique in this share ("ssh:alice", "ssh:alice#2").
	ID string
	// Name is the SSH user, or the key's comment when the user gives none.
	Name string
	// Key is the SHA256 fingerprint of the key the guest used.
	Key string
	// Addr is where the guest connected from.
	Addr string
	// Since is when the guest joined.
	Since time.Time
}

// ChangeKind says what happened to the guest list.
type ChangeKind int

// The changes a host is told about.
const (
	Joined ChangeKind = iota
	Left
	Refused
)

// Change is one join, leave or refusal.
type Change struct {
	Kind  ChangeKind
	Guest Guest
	// Reason says why a connection was refused or why a guest left.
	Reason string
	// Guests is who is here after the change.
	Guests []Guest
}

// Text is the line the chat shows for the change.
func (c Change) Text() string {
	switch c.Kind {
	case Joined:
		return fmt.Sprintf("%s joined over SSH (%d here)", c.Guest.Name, len(c.Guests)+1)
	case Left:
		if c.Reason != "" {
			return fmt.Sprintf("%s left (%s)", c.Guest.Name, c.Reason)
		}
		return c.Guest.Name + " left"
	}
	return fmt.Sprintf("refused %s: %s", c.Guest.Name, c.Reason)
}

type guestSession struct {
	guest Guest
	sess  ssh.Session
	prog  *tea.Program
	done  chan struct{}
}

// Server serves one investigation to guests over SSH: each guest's
// session runs its own Bubble Tea program (its own cursor, folds and
// focus) over the shared investigation the Program function binds.
type Server struct {
	cfg         Config
	srv         *ssh.Server
	ln          net.Listener
	keys        []authorizedKey
	fingerprint string

	mu       sync.Mutex
	guests   map[string]*guestSession
	closing  string // the reason, once Close has begun
	onChange []func(Change)
	wg       sync.WaitGroup
}

type ctxKey struct{ name string }

var keyComment = ctxKey{"comment"}

// New checks the configuration, loads the keys and the host key. It does
// not listen yet (Start).
func New(cfg Config) (*Server, error) {
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:2222"
	}
	if cfg.MaxGuests <= 0 {
		cfg.MaxGuests = 8
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.Program == nil {
		return nil, errors.New("share: no program for guests")
	}
	keys, err := loadAuthorizedKeys(cfg.AuthorizedKeys, cfg.AllowKeys)
	if err != nil {
		return nil, err
	}
	signer, pemBytes, err := hostKey(cfg.HostKeyPath)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, keys: keys, fingerprint: gossh.FingerprintSHA256(signer.PublicKey()), guests: map[string]*guestSession{}}
	s.srv, err = wish.NewServer(
		wish.WithHostKeyPEM(pemBytes),
		wish.WithPublicKeyAuth(s.allowed),
		wish.WithIdleTimeout(cfg.IdleTimeout),
		// The last middleware runs first: admit, then the guest's program.
		wish.WithMiddleware(bubbletea.MiddlewareWithProgramHandler(s.program), s.admit),
	)
	if err != nil {
		return nil, err
	}
	// No port, agent or X11 forwarding, no subsystems: only the
	// session channel, and only for the explorer (admit refuses commands).
	s.srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": ssh.DefaultSessionHandler}
	s.srv.LocalPortForwardingCallback = func(ssh.Context, string, uint32) bool { return false }
	s.srv.ReversePortForwardingCallback = func(ssh.Context, string, uint32) bool { return false }
	s.srv.SubsystemHandlers = nil
	return s, nil
}

// Keys is how many keys may join.
func (s *Server) Keys() int { return len(s.keys) }

// Fingerprint is the host key's SHA256 fingerprint, for guests to check.
func (s *Server) Fingerprint() string { return s.fingerprint }

// OnChange registers a function told of every join, leave and refusal
// (called on the server's goroutines; keep it quick).
func (s *Server) OnChange(f func(Change)) {
	s.mu.Lock()
	s.onChange = append(s.onChange, f)
	s.mu.Unlock()
}

// Start listens and serves in the background.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening for guests on %s: %w", s.cfg.Listen, err)
	}
	s.ln = ln
	go func() { _ = s.srv.Serve(ln) }()
	return nil
}

// Addr is the address guests connect to (after Start).
func (s *Server) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// JoinCommand is what a guest types: `ssh -p PORT NAME@HOST`.
func (s *Server) JoinCommand() string {
	host, port := "127.0.0.1", "2222"
	if a := s.Addr(); a != nil {
		if h, p, err := net.SplitHostPort(a.String()); err == nil {
			host, port = h, p
		}
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "22" {
		return "ssh NAME@" + host
	}
	return "ssh -p " + port + " NAME@" + host
}

// Guests lists who is here, in order of arrival.
func (s *Server) Guests() []Guest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.guestsLocked()
}

func (s *Server) guestsLocked() []Guest {
	out := make([]Guest, 0, len(s.guests))
	for _, g := range s.guests {
		out = append(out, g.guest)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Since.Equal(out[j].Since) {
			return out[i].Since.Before(out[j].Since)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Send delivers a message to every guest's program (presence, follow
// updates). It never blocks on a slow guest: each program has its own
// queue, and a guest whose program has ended is skipped.
func (s *Server) Send(msg tea.Msg) {
	s.mu.Lock()
	progs := make([]*tea.Program, 0, len(s.guests))
	for _, g := range s.guests {
		if g.prog != nil {
			progs = append(progs, g.prog)
		}
	}
	s.mu.Unlock()
	for _, p := range progs {
		go p.Send(msg)
	}
}

// Close ends every guest's session with the reason and stops listening.
// It waits (up to the context) for the guests' screens to be restored.
func (s *Server) Close(ctx context.Context, reason string) error {
	s.mu.Lock()
	if s.closing != "" {
		s.mu.Unlock()
		return nil
	}
	if reason == "" {
		reason = "the host ended the shared investigation"
	}
	s.closing = reason
	for _, g := range s.guests {
		if g.prog != nil {
			g.prog.Quit()
		} else {
			_ = g.sess.Close()
		}
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return s.srv.Close()
}

// allowed is the public-key check: only listed keys get in.
func (s *Server) allowed(ctx ssh.Context, key ssh.PublicKey) bool {
	for _, k := range s.keys {
		if ssh.KeysEqual(key, k.key) {
			ctx.SetValue(keyComment, k.comment)
			return true
		}
	}
	s.tell(Change{Kind: Refused, Guest: Guest{Name: ctx.User(), Key: gossh.FingerprintSHA256(key), Addr: ctx.RemoteAddr().String()},
		Reason: "key not in the authorized keys"})
	return false
}

func (s *Server) tell(c Change) {
	s.mu.Lock()
	fs := append([]func(Change){}, s.onChange...)
	s.mu.Unlock()
	for _, f := range fs {
		f(c)
	}
}

// admit runs before the guest's program: it refuses commands,
// subsystems, sessions without a terminal and guests past the cap; it
// names the guest, tells the host, and on the way out says why the
// session ended.
func (s *Server) admit(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if len(sess.Command()) > 0 || sess.Subsystem() != "" {
			wish.Fatalln(sess, "tracehound share serves the explorer only: connect without a command (ssh -p PORT NAME@HOST)")
			return
		}
		if _, _, ok := sess.Pty(); !ok {
			wish.Fatalln(sess, "tracehound share needs a terminal: connect with ssh -t")
			return
		}
		g, err := s.join(sess)
		if err != nil {
			wish.Fatalln(sess, err.Error())
			return
		}
		defer s.wg.Done()
		next(sess)
		reason := s.leave(g)
		if reason != "" {
			wish.Println(sess, "tracehound: "+reason+".")
		}
		_ = sess.Exit(0)
	}
}

func (s *Server) join(sess ssh.Session) (*guestSession, error) {
	name := strings.TrimSpace(sess.User())
	if c, _ := sess.Context().Value(keyComment).(string); name == "" && c != "" {
		name = c
	}
	if name == "" {
		name = "guest"
	}
	s.mu.Lock()
	if s.closing != "" {
		s.mu.Unlock()
		return nil, errors.New("tracehound: " + s.closing)
	}
	if len(s.guests) >= s.cfg.MaxGuests {
		s.mu.Unlock()
		s.tell(Change{Kind: Refused, Guest: Guest{Name: name}, Reason: fmt.Sprintf("the session is full (%d guests)", s.cfg.MaxGuests)})
		return nil, fmt.Errorf("tracehound: the shared investigation is full (%d guests); ask the host to raise --max-guests", s.cfg.MaxGuests)
	}
	id := "ssh:" + name
	for n := 2; s.guests[id] != nil; n++ {
		id = "ssh:" + name + "#" + strconv.Itoa(n)
	}
	key := ""
	if pk := sess.PublicKey(); pk != nil {
		key = gossh.FingerprintSHA256(pk)
	}
	g := &guestSession{guest: Guest{ID: id, Name: strings.TrimPrefix(id, "ssh:"), Key: key, Addr: sess.RemoteAddr().String(), Since: time.Now()},
		sess: sess, done: make(chan struct{})}
	s.guests[id] = g
	s.wg.Add(1)
	list := s.guestsLocked()
	s.mu.Unlock()
	sess.Context().SetValue(ctxKey{"guest"}, g)
	s.tell(Change{Kind: Joined, Guest: g.guest, Guests: list})
	return g, nil
}

// leave removes the guest and returns why the session ended when the
// host ended it.
func (s *Server) leave(g *guestSession) string {
	s.mu.Lock()
	delete(s.guests, g.guest.ID)
	reason := s.closing
	list := s.guestsLocked()
	s.mu.Unlock()
	why := ""
	if reason != "" {
		why = "the host ended the session"
	}
	s.tell(Change{Kind: Left, Guest: g.guest, Reason: why, Guests: list})
	return reason
}

// program builds the guest's own Bubble Tea program.
func (s *Server) program(sess ssh.Session) *tea.Program {
	g, _ := sess.Context().Value(ctxKey{"guest"}).(*guestSession)
	if g == nil {
		return nil
	}
	m := s.cfg.Program(g.guest)
	if m == nil {
		return nil
	}
	p := tea.NewProgram(m, bubbletea.MakeOptions(sess)...)
	s.mu.Lock()
	g.prog = p
	closing := s.closing != ""
	s.mu.Unlock()
	if closing {
		go p.Quit()
	}
	return p
}
