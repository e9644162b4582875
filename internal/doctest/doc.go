// Package doctest holds only tests: they check what README.md and docs/*.md
// claim (messages, flags, numbers, links) against the program.
//
// A claim is checked when a line "<!-- checked: NAME -->" comes right before
// it: a fenced block, which must equal what the check named NAME makes the
// program print, or a paragraph, list or table (up to the next blank line),
// in which the check looks for the numbers and names it reads from the code.
// The checks live in claims_test.go; a name without a check, or a check
// that no document uses, fails the test. Every fenced block without a
// language is a message, so it must be marked "checked" or
// "<!-- not checked: WHY -->".
package doctest
