module maas-sim/test/conformance

go 1.22

require github.com/juju/gomaasapi/v2 v2.0.0

require (
	github.com/juju/collections v0.0.0-20220203020748-febd7cad8a7a // indirect
	github.com/juju/errors v0.0.0-20220203013757-bd733f3c86b9 // indirect
	github.com/juju/loggo v0.0.0-20210728185423-eebad3a902c4 // indirect
	github.com/juju/schema v1.0.1-0.20190814234152-1f8aaeef0989 // indirect
	github.com/juju/version v0.0.0-20191219164919-81c1be00b9a6 // indirect
	gopkg.in/mgo.v2 v2.0.0-20190816093944-a6b53ec6cb22 // indirect
)

// gomaasapi and juju/schema are not served by the Go module proxy here; they come
// from the Debian packages golang-github-juju-gomaasapi-dev / golang-github-juju-schema-dev.
replace github.com/juju/gomaasapi/v2 => /usr/share/gocode/src/github.com/juju/gomaasapi

replace github.com/juju/schema => /usr/share/gocode/src/github.com/juju/schema
