package cli

import (
	"flag"
	"fmt"
)

var cmdVersion = &command{
	group: "Other",
	name:  "version",
	short: "print the version, commit, Go version and FIPS 140-3 mode",
	long: `Version prints the version of this program, the commit and date it was built
from, the Go version, and whether FIPS 140-3 mode is on (also: --version).`,
	setup: func(c *cli, fs *flag.FlagSet) func([]string) int {
		return func([]string) int { return c.printVersion() }
	},
}

var cmdHelp = &command{
	group:     "Other",
	name:      "help",
	usageLine: "[command]",
	short:     "print this help, or a command's",
	long:      `Help prints the program's help, or with a command's name that command's.`,
	setup: func(c *cli, fs *flag.FlagSet) func([]string) int {
		return func(args []string) int {
			if len(args) == 0 {
				c.usage(c.stdout)
				return 0
			}
			cmd := lookup(args[0])
			if cmd == nil {
				return c.usageError(fmt.Errorf("no command %q", args[0]), "--help")
			}
			cfs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
			cmd.setup(c, cfs)
			c.commandHelp(cmd, cfs)
			return 0
		}
	},
}

// printVersion prints the version report.
func (c *cli) printVersion() int {
	fmt.Fprint(c.stdout, versionReport(c.build))
	return 0
}
