// Command cdx completes and checks the CycloneDX SBOMs of a release; it is
// built with the other tools of tools/go.mod.
//
//	cdx complete NOTICES BINARY SBOM
//
// rewrites SBOM, which cyclonedx-gomod made from BINARY with -std, adding
// what it leaves out: the licence of every component, taken from NOTICES
// (internal/release/THIRD_PARTY_NOTICES, made from the module graph by
// internal/release's TestNotices; a module it does not list is an error,
// never a guess), and, when BINARY was built with GOFIPS140, the Go
// Cryptographic Module it links, as a component of its own and as a build
// property. cyclonedx-gomod's own licence detection is not used: it reads
// the builder's module cache, so its answer depends on the builder.
//
//	cdx validate SCHEMA SBOM...
//
// validates each SBOM against the CycloneDX JSON schema file SCHEMA
// (bom-1.6.schema.json of the cyclonedx-go module, with the schemas it
// references beside it), offline.
package main

import (
	"bytes"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

func main() {
	var err error
	switch {
	case len(os.Args) == 5 && os.Args[1] == "complete":
		err = complete(os.Args[2], os.Args[3], os.Args[4])
	case len(os.Args) >= 4 && os.Args[1] == "validate":
		err = validate(os.Args[2], os.Args[3:])
	default:
		err = fmt.Errorf("usage: cdx complete NOTICES BINARY SBOM | cdx validate SCHEMA SBOM...")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cdx:", err)
		os.Exit(1)
	}
}

// licences reads the module table at the top of NOTICES: "path version
// licence" lines (the standard library's, "std", has no version).
func licences(notices string) (map[string]string, error) {
	b, err := os.ReadFile(notices)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && strings.Contains(f[0], "."):
			m[f[0]+"@"+f[1]] = f[2]
		case len(f) == 2 && f[0] == "std":
			m["std"] = f[1]
		}
	}
	if m["std"] == "" {
		return nil, fmt.Errorf("%s: no module table", notices)
	}
	return m, nil
}

func complete(notices, binary, sbom string) error {
	lic, err := licences(notices)
	if err != nil {
		return err
	}
	info, err := buildinfo.ReadFile(binary)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(sbom)
	if err != nil {
		return err
	}
	var bom map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&bom); err != nil {
		return fmt.Errorf("%s: %v", sbom, err)
	}
	meta, _ := bom["metadata"].(map[string]any)
	main, _ := meta["component"].(map[string]any)
	comps, _ := bom["components"].([]any)
	if main == nil || comps == nil {
		return fmt.Errorf("%s: no metadata.component or components", sbom)
	}
	license := func(id string) []any { return []any{map[string]any{"license": map[string]any{"id": id}}} }
	// The program: its licence is LICENSE's.
	main["licenses"] = license("Apache-2.0")
	sawStd := false
	for _, c := range comps {
		c := c.(map[string]any)
		name, version := c["name"].(string), c["version"].(string)
		id := lic[name+"@"+version]
		if name == "std" {
			id, sawStd = lic["std"], true
		}
		if id == "" {
			return fmt.Errorf("%s: %s@%s is not in %s: run go test ./internal/release -update", sbom, name, version, notices)
		}
		c["licenses"] = license(id)
	}
	if !sawStd {
		return fmt.Errorf("%s: no standard library component (cyclonedx-gomod -std)", sbom)
	}
	for _, s := range info.Settings {
		if s.Key != "GOFIPS140" {
			continue
		}
		// GOFIPS140=v1.0.0 is recorded as v1.0.0-<hash of the frozen
		// module's source>.
		version, _, _ := strings.Cut(s.Value, "-")
		ref := "fips140:" + s.Value
		comps = append(comps, map[string]any{
			"bom-ref":     ref,
			"type":        "library",
			"name":        "Go Cryptographic Module",
			"version":     version,
			"description": "the CMVP-validated Go Cryptographic Module (crypto/internal/fips140), frozen at " + version + " and selected with GOFIPS140=" + version + "; part of the Go distribution " + info.GoVersion,
			"licenses":    license(lic["std"]),
			"properties": []any{
				map[string]any{"name": "cdx:gomod:build:env:GOFIPS140", "value": s.Value},
			},
		})
		bom["components"] = comps
		props, _ := main["properties"].([]any)
		main["properties"] = append(props, map[string]any{"name": "cdx:gomod:build:env:GOFIPS140", "value": s.Value})
		deps, _ := bom["dependencies"].([]any)
		for _, dep := range deps {
			dep := dep.(map[string]any)
			if dep["ref"] == main["bom-ref"] {
				on, _ := dep["dependsOn"].([]any)
				dep["dependsOn"] = append(on, ref)
			}
		}
		bom["dependencies"] = append(deps, map[string]any{"ref": ref})
	}
	out, err := json.MarshalIndent(bom, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(sbom, append(out, '\n'), 0o644)
}

func validate(schema string, sboms []string) error {
	c := jsonschema.NewCompiler()
	// Every schema the CycloneDX schema references is a file beside it:
	// nothing is fetched.
	dir := filepath.Dir(schema)
	c.LoadURL = func(u string) (io.ReadCloser, error) {
		name := u[strings.LastIndex(u, "/")+1:]
		if name == "jsf-0.82.schema.json" {
			name = "jsf-0.82.schemax.json" // its name in cyclonedx-go
		}
		return os.Open(filepath.Join(dir, strings.TrimPrefix(name, "file://")))
	}
	s, err := c.Compile(schema)
	if err != nil {
		return err
	}
	for _, f := range sboms {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
		if err := s.Validate(v); err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
	}
	return nil
}
