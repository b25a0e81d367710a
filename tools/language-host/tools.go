//go:build tools

// The Node.js language host, which runs a Pulumi program from its directory (`pulumi up` in the
// project). github.com/pulumi/pulumi/sdk/v3 up to v3.68.0 carries it as a package; later releases
// moved it into a module of its own that has no tags, which the Go module proxy cannot serve.
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
