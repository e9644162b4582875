// Command bench times whole helper processes, the way git runs them, and
// prints the median of each case with its ratio to the floor (starting the
// binary to print its version), and to the AWS CLI's helper on the same
// inputs when the AWS CLI is installed.
//
//	go run ./internal/bench [-n 200] [-cli-runs 15]
//	go run ./internal/bench -herd 50
//
// Credentials come from loopback fakes: the environment, an assume-role
// profile against a fake STS that takes 150 ms to answer (as real STS
// roughly does from outside AWS), and a fake EC2 instance metadata service.
// "cold" runs with the cache off, so every run fetches; "warm" runs with the
// cache filled. Every case runs once per round, in turn, so that a change in
// the machine's load touches all of them alike. Nothing leaves the machine.
package main

import (
	"bytes"
	"errors"
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

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
)

const request = "protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/myrepo\n"

type benchCase struct {
	name  string
	args  []string
	env   []string // on top of the common environment
	stdin string
	every int // run in one round out of every
	times []time.Duration
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench: ")
	rounds := flag.Int("n", 200, "rounds")
	cliRuns := flag.Int("cli-runs", 15, "runs of each AWS CLI case, spread over the rounds")
	herdSize := flag.Int("herd", 0, "instead, start this many gets at once against a slow, a throttling and a failing STS, and count the AssumeRole calls")
	flag.Parse()
	// run returns rather than exits on failure, so that its deferred
	// clean-ups (the temporary home, the fakes) always run.
	if err := run(*rounds, *cliRuns, *herdSize); err != nil {
		log.Fatal(err)
	}
}

func run(rounds, cliRuns, herdSize int) error {
	dir, err := os.MkdirTemp("", "bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "git-credential-codecommit")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %v", err)
	}
	if herdSize > 0 {
		return herd(bin, dir, herdSize)
	}

	keys := fakeaws.NewKeys()
	sts, err := fakeaws.StartSTS(keys)
	if err != nil {
		return err
	}
	defer sts.Close()
	sts.SetLatency(150 * time.Millisecond)
	imds, err := fakeaws.StartIMDS(keys, "bench-role")
	if err != nil {
		return err
	}
	defer imds.Close()

	env := keys.Issue("ASIAENV", time.Now().Add(time.Hour))
	base := fakeaws.Credentials{AccessKeyID: "AKIABENCHBASE0000001", SecretAccessKey: "bench/base/secret+key000000000000000000"}
	keys.Add(base)
	if err := writeFile(filepath.Join(dir, ".aws", "credentials"), "[base]\naws_access_key_id = "+base.AccessKeyID+"\naws_secret_access_key = "+base.SecretAccessKey+"\n"); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, ".aws", "config"), "[profile deploy]\nrole_arn = arn:aws:iam::111122223333:role/Deploy\nsource_profile = base\nregion = us-east-1\n"); err != nil {
		return err
	}
	// A corporate proxy's CA bundle, as AWS_CA_BUNDLE names it: the
	// machine's roots, about 150 certificates.
	caBundle := filepath.Join(dir, "ca-bundle.pem")
	if err := caBundleFile(caBundle); err != nil {
		return err
	}

	common := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL_STS=" + sts.URL,
	}
	// As in CodeBuild, which sets AWS_REGION beside the keys.
	keysOnly := []string{"AWS_ACCESS_KEY_ID=" + env.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + env.SecretAccessKey, "AWS_SESSION_TOKEN=" + env.SessionToken}
	envKeys := append(slices.Clip(keysOnly), "AWS_REGION=us-east-1")
	// Behind a corporate proxy: a CA bundle, and no region but the host's.
	behindProxy := append(slices.Clip(keysOnly), "AWS_CA_BUNDLE="+caBundle)
	assumeRole := []string{"AWS_PROFILE=deploy"}
	onEC2 := []string{"AWS_EC2_METADATA_DISABLED=false", "AWS_EC2_METADATA_SERVICE_ENDPOINT=" + imds.URL}
	cold := "GIT_CREDENTIAL_CODECOMMIT_NO_CACHE=1"
	get := []string{bin, "get"}
	cases := []*benchCase{
		{name: "version (floor)", args: []string{bin, "--version"}},
		{name: "get, environment credentials", args: get, env: envKeys, stdin: request},
		{name: "get, environment credentials, AWS_CA_BUNDLE, no AWS_REGION", args: get, env: behindProxy, stdin: request},
		{name: "get, assume-role, cold (STS 150 ms)", args: get, env: append(assumeRole, cold), stdin: request, every: 4},
		{name: "get, assume-role, warm (cached)", args: get, env: assumeRole, stdin: request},
		{name: "get, IMDS, cold", args: get, env: append(onEC2, cold), stdin: request},
		{name: "get, IMDS, warm (cached)", args: get, env: onEC2, stdin: request},
	}
	if aws, err := exec.LookPath("aws"); err == nil {
		every := max(1, rounds/max(1, cliRuns))
		cli := []string{aws, "codecommit", "credential-helper", "get"}
		cases = append(cases,
			&benchCase{name: "AWS CLI, environment credentials", args: cli, env: envKeys, stdin: request, every: every},
			&benchCase{name: "AWS CLI, assume-role (its cache warm)", args: cli, env: assumeRole, stdin: request, every: every},
			&benchCase{name: "AWS CLI, IMDS", args: cli, env: onEC2, stdin: request, every: every},
		)
	}

	// Fill the caches (ours, and the AWS CLI's) before timing.
	for _, c := range cases {
		if _, err := runOnce(c, common); err != nil {
			return err
		}
	}
	for r := 0; r < rounds; r++ {
		for _, c := range cases {
			if r%max(1, c.every) == 0 {
				d, err := runOnce(c, common)
				if err != nil {
					return err
				}
				c.times = append(c.times, d)
			}
		}
	}

	floor := median(cases[0].times)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "case\truns\tmedian\t× floor\t")
	for _, c := range cases {
		m := median(c.times)
		fmt.Fprintf(w, "%s\t%d\t%s\t%.2f\t\n", c.name, len(c.times), m.Round(10*time.Microsecond), float64(m)/float64(floor))
	}
	w.Flush()
	byName := map[string]time.Duration{}
	for _, c := range cases {
		byName[c.name] = median(c.times)
	}
	fmt.Println()
	ratio := func(a, b string) float64 { return float64(byName[a]) / float64(byName[b]) }
	fmt.Printf("warm assume-role get / environment get: %.2f\n", ratio("get, assume-role, warm (cached)", "get, environment credentials"))
	fmt.Printf("environment get / floor: %.2f\n", ratio("get, environment credentials", "version (floor)"))
	fmt.Printf("environment get with AWS_CA_BUNDLE and no AWS_REGION / floor: %.2f\n", ratio("get, environment credentials, AWS_CA_BUNDLE, no AWS_REGION", "version (floor)"))
	if _, ok := byName["AWS CLI, environment credentials"]; ok {
		fmt.Printf("AWS CLI / get, environment credentials: %.0f times\n", ratio("AWS CLI, environment credentials", "get, environment credentials"))
		fmt.Printf("AWS CLI / get, assume-role, warm: %.0f times\n", ratio("AWS CLI, assume-role (its cache warm)", "get, assume-role, warm (cached)"))
		fmt.Printf("AWS CLI / get, IMDS, warm: %.0f times\n", ratio("AWS CLI, IMDS", "get, IMDS, warm (cached)"))
	}
	fmt.Printf("\nSTS AssumeRole calls: %d; IMDS credential fetches: %d\n", sts.Calls("AssumeRole"), imds.CredentialFetches())
	return nil
}

func runOnce(c *benchCase, common []string) (time.Duration, error) {
	cmd := exec.Command(c.args[0], c.args[1:]...)
	cmd.Env = append(slices.Clone(common), c.env...)
	cmd.Stdin = strings.NewReader(c.stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil || (c.stdin != "" && !bytes.Contains(out.Bytes(), []byte("password="))) {
		return 0, fmt.Errorf("%s: %v\n%s", c.name, err, errOut.String())
	}
	return d, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func writeFile(name, body string) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return err
	}
	return os.WriteFile(name, []byte(body), 0o600)
}

// caBundleFile copies the machine's CA bundle to name.
func caBundleFile(name string) error {
	for _, f := range []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"} {
		if b, err := os.ReadFile(f); err == nil {
			return os.WriteFile(name, b, 0o600)
		}
	}
	return errors.New("no CA bundle on this machine to stand for a corporate one (install ca-certificates)")
}
