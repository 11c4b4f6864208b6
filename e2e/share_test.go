package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sshClient returns the OpenSSH client, or skips (fails where
// TRACEHOUND_E2E_REQUIRE_SSH says the test must run).
func sshClient(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"ssh", "ssh-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("TRACEHOUND_E2E_REQUIRE_SSH") != "" {
				t.Fatalf("%s is not installed, and TRACEHOUND_E2E_REQUIRE_SSH says this test must run", tool)
			}
			t.Skipf("%s is not installed: the pairing test needs the OpenSSH client", tool)
		}
	}
	p, _ := exec.LookPath("ssh")
	return p
}

// keygen makes an ed25519 key pair; it returns the private key's path
// and the public key line.
func keygen(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name+"@e2e", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return path, strings.TrimSpace(string(pub))
}

// TestShareOverSSH: the host shares the demo; a colleague joins with the
// real OpenSSH client and sees the tree; a key that is not listed is
// refused; the host starts the agent and the guest sees the report
// stream in; the guest's approval is refused, their message reaches the
// host's chat; the guest leaves and the host stays responsive; the host
// quits and the guest's ssh ends with a message.
func TestShareOverSSH(t *testing.T) {
	ssh := sshClient(t)
	bin := build(t)
	dir := t.TempDir()
	aliceKey, alicePub := keygen(t, dir, "alice")
	bobKey, _ := keygen(t, dir, "bob")
	keys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keys, []byte("# the team\n"+alicePub+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	env := append(stateEnv(t), "XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "USER=hana")
	host := start(t, 140, 45, env, fmt.Sprintf("%s share --demo --ask-read-only --listen 127.0.0.1:%d --authorized-keys %s", bin, port, keys))
	host.waitText("STOREFRONT-4Z", "here: hana (host) (you)", fmt.Sprintf("join: ssh -p %d NAME@127.0.0.1", port))

	opts := fmt.Sprintf("-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o IdentitiesOnly=yes -o BatchMode=yes -p %d", port)
	// A key that is not listed is refused.
	out, err := exec.Command(ssh, append(strings.Fields(opts), "-i", bobKey, "bob@127.0.0.1")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Errorf("an unlisted key: err %v, output %q", err, out)
	}
	host.waitText("refused bob")

	guest := start(t, 140, 45, nil, fmt.Sprintf("%s %s -t -i %s alice@127.0.0.1", ssh, opts, aliceKey))
	s := guest.waitText("STOREFRONT-4Z", "here: hana (host), alice (you)")
	if !strings.Contains(s, "ui.action.click /checkout") {
		t.Errorf("the guest does not see the trace tree:\n%s", s)
	}
	host.waitText("alice joined over SSH", "alice · join:")

	// The host starts the agent; the guest sees the run and its approval
	// request, which only the host may answer.
	host.keys("a")
	guest.waitText("Waiting for the host to approve")
	guest.keys("3")
	guest.keys("a")
	guest.waitText("Only the host approves tool calls here")
	guest.keys("i")
	guest.text("the signer changed in v2.14")
	guest.keys("Enter")
	host.waitText("alice (to the others; not sent to the agent)", "the signer changed in v2.14")

	// The host approves for the session and continues through the phases;
	// the guest sees the report stream in.
	for i := 0; i < 12 && !strings.Contains(host.screen(), "Agent finished"); i++ {
		s := host.waitFor("an approval, a pause or the end", func(s string) bool {
			return strings.Contains(s, "awaiting approval") || strings.Contains(s, "press c to continue") || strings.Contains(s, "Agent finished")
		})
		switch {
		case strings.Contains(s, "Agent finished"):
			continue
		case strings.Contains(s, "awaiting approval"):
			host.keys("s")
		case strings.Contains(s, "press c to continue"):
			host.keys("c")
		}
		host.waitFor("the key to take effect", func(n string) bool { return n != s })
	}
	guest.waitText("final report")
	guest.waitFor("the message input to close", func(s string) bool { return !strings.Contains(s, "Message the others") })
	guest.waitText("the most likely root cause is CanonicalRequest")

	// The guest leaves: the host is told and stays responsive.
	guest.keys("q")
	guest.waitText("[exited 0]")
	host.waitText("here: hana (host) (you) · join")
	before := host.screen()
	host.keys("1")
	host.keys("k")
	host.waitFor("the host's cursor to move", func(s string) bool { return s != before })

	// A second guest; the host quits: the guest's ssh ends, told why.
	guest2 := start(t, 100, 30, nil, fmt.Sprintf("%s %s -t -i %s alice@127.0.0.1", ssh, opts, aliceKey))
	guest2.waitText("here: hana (host), alice (you)")
	host.keys("q")
	host.waitText("[exited 0]", "the investigation is saved")
	guest2.waitText("the host quit", "[exited 0]")
}
