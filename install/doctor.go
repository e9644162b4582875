package install

import (
	"context"
	"io"
)

// ProbeEnv is set by doctor in the environment of the git it runs to see
// which helpers git asks: a get that finds it answers nothing and touches no
// credentials.
const ProbeEnv = "GIT_CREDENTIAL_CODECOMMIT_DOCTOR"

// DoctorOptions say what doctor checks.
type DoctorOptions struct {
	URL     string // the repository URL to check; a CodeCommit URL in the configured region when empty
	Profile string // as for the helper's --profile
	Region  string
	Online  bool // also call STS GetCallerIdentity and compare the clock with AWS's
	Dir     string
	Env     []string
}

// Check is one finding of doctor.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"` // "ok", "warn" or "fail"
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// Report is what doctor found. OK is true when a clone of URL would work.
type Report struct {
	URL    string  `json:"url"`
	OK     bool    `json:"ok"`
	Checks []Check `json:"checks"`
}

// Doctor checks the set-up for o.URL.
func Doctor(ctx context.Context, o DoctorOptions) Report {
	return Report{URL: o.URL}
}

// WriteText writes r for people.
func (r Report) WriteText(w io.Writer) {}
