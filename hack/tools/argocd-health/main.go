// argocd-health runs Argo CD style health checks (health.lua) against their test cases
// (health_test.yaml) with gopher-lua, the interpreter Argo CD embeds, and prints one JSON
// line per case: {"dir","inputPath","expected":{status,message},"got":{status,message},"error"}.
//
// The Lua state mirrors Argo CD's: the object is the global `obj` (a table converted from
// the object's JSON), only the base, table, string, math and package libraries are open, and
// the script returns a table {status, message}.
//
// Usage: argocd-health <dir>...   (each dir holds health.lua, health_test.yaml, testdata/)
//        argocd-health -eval <health.lua> <object.yaml>
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"
)

type healthStatus struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

type testFile struct {
	Tests []struct {
		HealthStatus healthStatus `json:"healthStatus"`
		InputPath    string       `json:"inputPath"`
	} `json:"tests"`
}

type result struct {
	Dir       string        `json:"dir"`
	InputPath string        `json:"inputPath"`
	Expected  *healthStatus `json:"expected,omitempty"`
	Got       *healthStatus `json:"got,omitempty"`
	Error     string        `json:"error,omitempty"`
}

func newState() *lua.LState {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
	} {
		l.Push(l.NewFunction(lib.fn))
		l.Push(lua.LString(lib.name))
		l.Call(1, 0)
	}
	return l
}

// toLua converts decoded JSON (maps, slices, float64, string, bool, nil) to Lua values the
// way Argo CD does: objects and arrays become tables, arrays 1-indexed.
func toLua(l *lua.LState, v interface{}) lua.LValue {
	switch t := v.(type) {
	case map[string]interface{}:
		tbl := l.NewTable()
		for k, e := range t {
			tbl.RawSetString(k, toLua(l, e))
		}
		return tbl
	case []interface{}:
		tbl := l.NewTable()
		for _, e := range t {
			tbl.Append(toLua(l, e))
		}
		return tbl
	case string:
		return lua.LString(t)
	case float64:
		return lua.LNumber(t)
	case bool:
		return lua.LBool(t)
	default:
		return lua.LNil
	}
}

func evaluate(script []byte, objectYAML []byte) (*healthStatus, error) {
	var obj map[string]interface{}
	if err := yaml.Unmarshal(objectYAML, &obj); err != nil {
		return nil, fmt.Errorf("object: %w", err)
	}
	l := newState()
	defer l.Close()
	l.SetGlobal("obj", toLua(l, obj))
	if err := l.DoString(string(script)); err != nil {
		return nil, fmt.Errorf("health.lua: %w", err)
	}
	ret, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("health.lua returned %s, not a table", l.Get(-1).Type())
	}
	hs := &healthStatus{}
	if s, ok := ret.RawGetString("status").(lua.LString); ok {
		hs.Status = string(s)
	}
	if m, ok := ret.RawGetString("message").(lua.LString); ok {
		hs.Message = string(m)
	}
	switch hs.Status {
	case "Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown":
	default:
		return nil, fmt.Errorf("health.lua returned status %q, which Argo CD does not know", hs.Status)
	}
	return hs, nil
}

func runDir(dir string, out *json.Encoder) error {
	script, err := os.ReadFile(filepath.Join(dir, "health.lua"))
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(filepath.Join(dir, "health_test.yaml"))
	if err != nil {
		return err
	}
	var tf testFile
	if err := yaml.UnmarshalStrict(raw, &tf); err != nil {
		return fmt.Errorf("%s/health_test.yaml: %w", dir, err)
	}
	if len(tf.Tests) == 0 {
		return fmt.Errorf("%s/health_test.yaml: no tests", dir)
	}
	for _, tc := range tf.Tests {
		expected := tc.HealthStatus
		r := result{Dir: dir, InputPath: tc.InputPath, Expected: &expected}
		input, err := os.ReadFile(filepath.Join(dir, tc.InputPath))
		if err == nil {
			r.Got, err = evaluate(script, input)
		}
		if err != nil {
			r.Error = err.Error()
		}
		if err := out.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	out := json.NewEncoder(os.Stdout)
	args := os.Args[1:]
	if len(args) == 3 && args[0] == "-eval" {
		script, err := os.ReadFile(args[1])
		if err != nil {
			fail(err)
		}
		input, err := os.ReadFile(args[2])
		if err != nil {
			fail(err)
		}
		hs, err := evaluate(script, input)
		if err != nil {
			fail(err)
		}
		_ = out.Encode(hs)
		return
	}
	if len(args) == 0 {
		fail(fmt.Errorf("usage: argocd-health <dir>... | argocd-health -eval <health.lua> <object.yaml>"))
	}
	for _, dir := range args {
		if err := runDir(dir, out); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "argocd-health:", err)
	os.Exit(1)
}
