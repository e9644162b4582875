package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
)

// herd starts n gets at once on one assume-role profile, against a fake STS
// that answers in 12 seconds, throttles every call, or fails every call
// with a server error, and prints how many AssumeRole calls each case made
// and how the gets ended.
func herd(bin, dir string, n int) error {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "STS\tgets\tAssumeRole calls\tanswered\tfailed (distinct lines)\twall\t\n")
	for _, c := range []struct {
		name    string
		latency time.Duration
		fault   *fakeaws.Fault
	}{
		{name: "answers in 12 s", latency: 12 * time.Second},
		{name: "always Throttling", fault: &fakeaws.Fault{Status: 400, Code: "Throttling", Message: "Rate exceeded"}},
		{name: "always 500", fault: &fakeaws.Fault{Status: 500, Code: "InternalFailure", Message: "internal failure"}},
	} {
		keys := fakeaws.NewKeys()
		sts, err := fakeaws.StartSTS(keys)
		if err != nil {
			return err
		}
		sts.SetLatency(c.latency)
		if c.fault != nil {
			faults := make([]fakeaws.Fault, 1000)
			for i := range faults {
				faults[i] = *c.fault
			}
			sts.FailNext(faults...)
		}
		home := filepath.Join(dir, "herd-"+strings.ReplaceAll(c.name, " ", "-"))
		base := fakeaws.Credentials{AccessKeyID: "AKIAHERDBASE00000001", SecretAccessKey: "herd/base/secret+key000000000000000000"}
		keys.Add(base)
		if err := writeFile(filepath.Join(home, ".aws", "credentials"), "[base]\naws_access_key_id = "+base.AccessKeyID+"\naws_secret_access_key = "+base.SecretAccessKey+"\n"); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(home, ".aws", "config"), "[profile deploy]\nrole_arn = arn:aws:iam::111122223333:role/Deploy\nsource_profile = base\nregion = us-east-1\n"); err != nil {
			return err
		}
		env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_EC2_METADATA_DISABLED=true",
			"AWS_ENDPOINT_URL_STS=" + sts.URL, "AWS_PROFILE=deploy"}
		var (
			mu       sync.Mutex
			wg       sync.WaitGroup
			answered int
			lines    []string
		)
		start := time.Now()
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(bin, "get")
				cmd.Env = env
				cmd.Stdin = strings.NewReader(request)
				var out, errOut bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errOut
				err := cmd.Run()
				mu.Lock()
				defer mu.Unlock()
				if err == nil && bytes.HasPrefix(out.Bytes(), []byte("username=")) {
					answered++
				} else {
					lines = append(lines, strings.TrimSpace(errOut.String()))
				}
			}()
		}
		wg.Wait()
		wall := time.Since(start)
		sts.Close()
		slices.Sort(lines)
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d (%d)\t%s\t\n", c.name, n, sts.Calls("AssumeRole"), answered, len(lines), len(slices.Compact(lines)), wall.Round(100*time.Millisecond))
		if len(lines) > 0 {
			defer fmt.Printf("  %s: %s\n", c.name, lines[0])
		}
	}
	return w.Flush()
}
