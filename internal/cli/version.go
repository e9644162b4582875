package cli

import (
	"flag"
	"fmt"
	"runtime/debug"
)

var cmdVersion = &command{
	group: "Other",
	name:  "version",
	short: "print the version",
	long:  `Version prints the version of this program (also: --version).`,
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

// printVersion prints the version.
func (c *cli) printVersion() int {
	fmt.Fprintln(c.stdout, name, c.version())
	return 0
}

// version is the version the build stamped, else the module's version
// (go install …@vX), else "devel".
func (c *cli) version() string {
	if c.build.Version != "" {
		return c.build.Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
