// Go tools for Vigil's tests. Build them with hack/tools/build.sh, never by hand.
module github.com/vigil/vigil/hack/tools

go 1.24

require (
	github.com/yuin/gopher-lua v1.1.2
	sigs.k8s.io/yaml v1.6.0
)

require go.yaml.in/yaml/v2 v2.4.2 // indirect
