// Command bench times whole helper processes, the way git runs them, and
// prints the median of each with its ratio to the floor (starting the binary
// to print its version) and to the AWS CLI's helper when that is installed.
//
//	go run ./internal/bench [-n 300] [-cli-runs 20]
//
// Every case runs once per round, in turn, so that a change in the machine's
// load touches all of them alike. Nothing leaves the machine: credentials
// come from the environment and instance metadata is disabled.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

const request = "protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/myrepo\n"

type benchCase struct {
	name  string
	args  []string
	stdin string
	every int // run in one round out of every; 1 for all
	times []time.Duration
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench: ")
	rounds := flag.Int("n", 300, "rounds")
	cliRuns := flag.Int("cli-runs", 20, "runs of the AWS CLI's helper, spread over the rounds")
	flag.Parse()

	dir, err := os.MkdirTemp("", "bench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "git-credential-codecommit")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		log.Fatalf("go build: %v", err)
	}

	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_SESSION_TOKEN=" + strings.Repeat("IQoJb3JpZ2luX2VjEJr", 20),
		"AWS_EC2_METADATA_DISABLED=true",
	}
	cases := []*benchCase{
		{name: "version (floor)", args: []string{bin, "--version"}, every: 1},
		{name: "get, environment credentials", args: []string{bin, "get"}, stdin: request, every: 1},
	}
	if aws, err := exec.LookPath("aws"); err == nil {
		every := max(1, *rounds/max(1, *cliRuns))
		cases = append(cases, &benchCase{name: "aws codecommit credential-helper get", args: []string{aws, "codecommit", "credential-helper", "get"}, stdin: request, every: every})
	}

	for r := 0; r < *rounds; r++ {
		for _, c := range cases {
			if r%c.every == 0 {
				c.times = append(c.times, runOnce(c, env))
			}
		}
	}

	floor := median(cases[0].times)
	ours := median(cases[1].times)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "case\truns\tmedian\t× floor\t")
	for _, c := range cases {
		m := median(c.times)
		fmt.Fprintf(w, "%s\t%d\t%s\t%.2f\t\n", c.name, len(c.times), m.Round(10*time.Microsecond), float64(m)/float64(floor))
	}
	w.Flush()
	if len(cases) > 2 {
		fmt.Printf("\nget is %.0f times faster than the AWS CLI's helper\n", float64(median(cases[2].times))/float64(ours))
	}
}

func runOnce(c *benchCase, env []string) time.Duration {
	cmd := exec.Command(c.args[0], c.args[1:]...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(c.stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil || (c.stdin != "" && !bytes.Contains(out.Bytes(), []byte("password="))) {
		log.Fatalf("%s: %v\n%s", c.name, err, errOut.String())
	}
	return d
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
