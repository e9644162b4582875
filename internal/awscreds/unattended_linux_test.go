package awscreds

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestUnattended checks the rule for where no one can sign in, in this
// test binary run again as a child: CI decides when set, and otherwise a
// process with a controlling terminal (a pseudo-terminal here) is attended
// and one without (its own session, as under a CI runner) is not. Its
// stdin and stderr are never terminals here: they do not count.
func TestUnattended(t *testing.T) {
	if ci, ok := os.LookupEnv("AWSCREDS_UNATTENDED_CI"); ok {
		// The child: CI as the parent asked, not as the baseline sets it.
		os.Unsetenv("CI")
		if ci != "" {
			os.Setenv("CI", ci)
		}
		fmt.Print(unattended())
		return
	}
	ptmx, pts := openPTY(t)
	defer ptmx.Close()
	defer pts.Close()
	for _, tc := range []struct {
		ci       string // "" leaves CI unset
		terminal bool
		want     bool
	}{
		{"", true, false},
		{"", false, true},
		{"true", true, true},
		{"woodpecker", true, true},
		{"false", false, false},
		{"0", false, false},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestUnattended$")
		cmd.Env = []string{"AWSCREDS_UNATTENDED_CI=" + tc.ci}
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal
		if tc.terminal {
			cmd.ExtraFiles = []*os.File{pts} // fd 3
			cmd.SysProcAttr.Setctty, cmd.SysProcAttr.Ctty = true, 3
		}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("CI=%q, terminal %v: %v", tc.ci, tc.terminal, err)
		}
		if !strings.HasPrefix(string(out), strconv.FormatBool(tc.want)) { // then the child's PASS
			t.Errorf("CI=%q, terminal %v: unattended %s, want %v", tc.ci, tc.terminal, out, tc.want)
		}
	}
}

// openPTY opens a pseudo-terminal: its master and its slave.
func openPTY(t *testing.T) (ptmx, pts *os.File) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	pts, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		ptmx.Close()
		t.Skipf("no pseudo-terminals: %v", err)
	}
	return ptmx, pts
}
