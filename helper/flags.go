package helper

import (
	"flag"
	"io"
)

// DefineFlags defines the flags of the helper's command line on fs, bound
// to g's fields. It is their one definition: the program parses its command
// line with it, and doctor reads the command lines in git's configuration
// with it (through ParseArgs).
func (g *Getter) DefineFlags(fs *flag.FlagSet) {
	fs.StringVar(&g.Profile, "profile", g.Profile, "use the AWS profile `NAME` (default: AWS_PROFILE, then \"default\")")
	fs.StringVar(&g.Region, "region", g.Region, "`REGION` for AWS calls, and for signing when the host names none")
	fs.BoolVar(&g.IgnoreHostCheck, "ignore-host-check", g.IgnoreHostCheck, "sign for any https host, not only CodeCommit's")
	fs.BoolVar(&g.NoCache, "no-cache", g.NoCache, "do not share role credentials between runs (or "+NoCacheEnv+"=1)")
	fs.BoolVar(&g.Debug, "debug", g.Debug, "explain the signing on stderr, never a secret (or "+DebugEnv+"=1)")
}

// The environment variables that turn on --debug and --no-cache.
const (
	DebugEnv   = "GIT_CREDENTIAL_CODECOMMIT_DEBUG"
	NoCacheEnv = "GIT_CREDENTIAL_CODECOMMIT_NO_CACHE"
)

// ParseArgs reads the helper's flags from args, the words of a helper
// command line after the program, as the program reads them: flags, then
// the operation, then flags again (git appends the operation to the
// command it is configured with). It returns the operation too.
func ParseArgs(args []string) (g Getter, op string, err error) {
	fs := flag.NewFlagSet("git-credential-codecommit", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	g.DefineFlags(fs)
	if err := fs.Parse(args); err != nil {
		return g, "", err
	}
	if fs.NArg() == 0 {
		return g, "", nil
	}
	op = fs.Arg(0)
	return g, op, fs.Parse(fs.Args()[1:])
}
