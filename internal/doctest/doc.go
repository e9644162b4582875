// Package doctest holds only tests: they check what README.md and docs/*.md
// claim (messages, flags, numbers, links) against the program.
//
// A claim is checked when a line "<!-- checked: NAME -->" comes right before
// it (several such lines may mark one claim): a fenced block, which must be
// what the check called NAME makes the program print, or a paragraph, list
// or table (up to the next blank line), in which the check looks for the
// numbers it reads from the code or from a run. The checks are in
// claims_test.go, and hold no message of their own: when a message changes,
// change the document's block and the test passes. A number is read from the
// constant that holds it (constOf, which finds a constant that moved to
// another package under the same name). A marker without a check, or a check
// that marks no claim, fails the test, and so does a fenced block without a
// language (a message) marked neither "checked" nor "<!-- not checked: WHY -->".
//
// Beyond the marked claims: every flag a document gives the program is one
// of that command's (as its -h lists them), and every flag is documented;
// every GIT_CREDENTIAL_CODECOMMIT_ variable named is one the code reads, and
// the reverse; every relative link and #anchor resolves.
package doctest
