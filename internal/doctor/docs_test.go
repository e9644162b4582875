package doctor

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestDocs checks what docs/design.md says of doctor's budget, its message
// for a check that does not finish, and the JSON report's version.
func TestDocs(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/design.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Join(strings.Fields(string(b)), " ")
	unfinished := runTasksUnfinished(DefaultBudget)
	for _, want := range []string{
		fmt.Sprintf("under one budget of %d s for all of them", int(DefaultBudget.Seconds())),
		`fails with "` + unfinished.Detail + `"`,
		fmt.Sprintf(`(`+"`"+`{"version": %d, "url", "ok", "checks"}`+"`"+`)`, ReportVersion),
		fmt.Sprintf("The JSON version stays %d", ReportVersion),
		"has the status `" + string(Skip) + "` and says why",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs/design.md does not say: %s", want)
		}
	}
}
