// Conformance program: drives a MAAS region API (the project's simulator, or a real MAAS)
// with a MAAS client no one in this project wrote, and checks each step with an
// independent read through the same client.
//
// The client is juju's gomaasapi (github.com/juju/gomaasapi/v2, the client Juju uses),
// taken from the Debian package golang-github-juju-gomaasapi-dev, because the Go module
// proxy reachable here does not serve github.com/canonical/gomaasclient.
//
// Environment:
//
//	MAAS_API_URL            e.g. http://127.0.0.1:5240/MAAS (required)
//	MAAS_API_KEY            consumer:token:secret (required)
//	MAAS_SIM_ADMIN_TOKEN    optional; used to read GET /_sim/inventory (simulator only)
//	CONFORMANCE_TIMEOUT     seconds to wait for each state change (default 120)
//	CONFORMANCE_VERBOSE=1   log every HTTP request to stderr
//
// Output: one line per step, "PASS <step>" or "FAIL <step>: <why>", then "N passed, M failed".
// Exit status 1 if any step failed, 2 on a usage error.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/juju/errors"
	"github.com/juju/gomaasapi/v2"
)

// ---------------------------------------------------------------------------
// HTTP recording (so a failure can name the request and the answer)

type exchange struct {
	Method, URL string
	Status      int
}

type recorder struct {
	mu      sync.Mutex
	last    exchange
	verbose bool
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	ex := exchange{Method: req.Method, URL: req.URL.RequestURI()}
	if err == nil {
		ex.Status = resp.StatusCode
	}
	r.mu.Lock()
	r.last = ex
	r.mu.Unlock()
	if r.verbose {
		if err != nil {
			fmt.Fprintf(os.Stderr, "  > %s %s -> error %v\n", ex.Method, ex.URL, err)
		} else {
			fmt.Fprintf(os.Stderr, "  > %s %s -> %d\n", ex.Method, ex.URL, ex.Status)
		}
	}
	return resp, err
}

func (r *recorder) Last() exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// ---------------------------------------------------------------------------
// Step runner

type runner struct {
	passed, failed int
	failedSteps    map[string]bool
	rec            *recorder
}

// step runs fn unless one of deps failed; prints PASS/FAIL.
func (r *runner) step(name string, deps []string, fn func() error) bool {
	for _, d := range deps {
		if r.failedSteps[d] {
			r.fail(name, fmt.Sprintf("not run: it needs step %q, which failed", d))
			return false
		}
	}
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return fn()
	}()
	if err != nil {
		r.fail(name, err.Error())
		return false
	}
	r.passed++
	fmt.Printf("PASS %s\n", name)
	return true
}

func (r *runner) fail(name, why string) {
	r.failed++
	r.failedSteps[name] = true
	why = strings.ReplaceAll(strings.TrimSpace(why), "\n", " | ")
	fmt.Printf("FAIL %s: %s\n", name, why)
}

// ---------------------------------------------------------------------------
// Client helpers (all requests go through gomaasapi's Client)

type env struct {
	baseURL  string // .../MAAS
	apiKey   string
	ctrl     gomaasapi.Controller
	client   *gomaasapi.Client
	rec      *recorder
	httpc    *http.Client
	timeout  time.Duration
	username string
}

// describe renders an error with the HTTP status and body MAAS (or the simulator) answered.
func (e *env) describe(err error) string {
	if err == nil {
		return "<nil>"
	}
	if se, ok := serverError(err); ok {
		last := e.rec.Last()
		return fmt.Sprintf("HTTP %d from %s %s, body %q", se.StatusCode, last.Method, last.URL, clip(se.BodyMessage, 400))
	}
	return clip(err.Error(), 500)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func rel(path string) *url.URL { return &url.URL{Path: path} }

func parseBody(b []byte) (interface{}, error) {
	var v interface{}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("answer is not JSON (%v): %q", err, clip(string(b), 200))
	}
	return v, nil
}

func (e *env) get(path, op string, params url.Values) (interface{}, error) {
	b, err := e.client.Get(rel(path), op, params)
	if err != nil {
		return nil, fmt.Errorf("GET %s op=%q: %s", path, op, e.describe(err))
	}
	return parseBody(b)
}

func (e *env) post(path, op string, params url.Values) (interface{}, error) {
	b, err := e.client.Post(rel(path), op, params, nil)
	if err != nil {
		return nil, fmt.Errorf("POST %s?op=%s: %s", path, op, e.describe(err))
	}
	return parseBody(b)
}

// postRaw returns the gomaasapi error untouched (for the error-answer checks).
func (e *env) postRaw(path, op string, params url.Values) ([]byte, error) {
	return e.client.Post(rel(path), op, params, nil)
}

func (e *env) put(path string, params url.Values) (interface{}, error) {
	b, err := e.client.Put(rel(path), params)
	if err != nil {
		return nil, fmt.Errorf("PUT %s: %s", path, e.describe(err))
	}
	return parseBody(b)
}

func asMap(v interface{}) map[string]interface{} {
	m, _ := v.(map[string]interface{})
	return m
}

func asList(v interface{}) []interface{} {
	l, _ := v.([]interface{})
	return l
}

func str(m map[string]interface{}, k string) string {
	if m == nil {
		return ""
	}
	switch v := m[k].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func num(m map[string]interface{}, k string) (int64, bool) {
	if m == nil {
		return 0, false
	}
	switch v := m[k].(type) {
	case float64:
		return int64(v), true
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

func mustNum(m map[string]interface{}, k string) (int64, error) {
	n, ok := num(m, k)
	if !ok {
		return 0, fmt.Errorf("field %q missing or not a number (got %#v)", k, m[k])
	}
	return n, nil
}

// machine reads one machine through the typed API (gomaasapi schema checks included).
func (e *env) machine(id string) (gomaasapi.Machine, error) {
	ms, err := e.ctrl.Machines(gomaasapi.MachinesArgs{SystemIDs: []string{id}})
	if err != nil {
		return nil, fmt.Errorf("typed read of machine %s (GET machines/?id=%s) failed: %s", id, id, e.describe(err))
	}
	if len(ms) != 1 {
		return nil, fmt.Errorf("GET machines/?id=%s returned %d machines, want 1", id, len(ms))
	}
	if ms[0].SystemID() != id {
		return nil, fmt.Errorf("GET machines/?id=%s returned machine %s", id, ms[0].SystemID())
	}
	return ms[0], nil
}

// rawMachine reads machines/{id}/ as plain JSON.
func (e *env) rawMachine(id string) (map[string]interface{}, error) {
	v, err := e.get("machines/"+id+"/", "", nil)
	if err != nil {
		return nil, err
	}
	m := asMap(v)
	if m == nil {
		return nil, fmt.Errorf("GET machines/%s/ is not a JSON object", id)
	}
	return m, nil
}

// waitStatus polls (typed read) until the machine reaches want; fails on failure states.
func (e *env) waitStatus(id, want string) ([]string, error) {
	deadline := time.Now().Add(e.timeout)
	var seen []string
	for {
		m, err := e.machine(id)
		if err != nil {
			return seen, err
		}
		s := m.StatusName()
		if len(seen) == 0 || seen[len(seen)-1] != s {
			seen = append(seen, s)
		}
		if s == want {
			return seen, nil
		}
		if strings.HasPrefix(s, "Failed") || s == "Broken" || strings.HasSuffix(s, "failed") {
			return seen, fmt.Errorf("machine %s reached %q while waiting for %q (statuses seen: %s; status_message %q)",
				id, s, want, strings.Join(seen, " -> "), m.StatusMessage())
		}
		if time.Now().After(deadline) {
			return seen, fmt.Errorf("machine %s not %q after %s (statuses seen: %s)", id, want, e.timeout, strings.Join(seen, " -> "))
		}
		time.Sleep(150 * time.Millisecond)
	}
}

func findIface(m gomaasapi.Machine, name string) gomaasapi.Interface {
	for _, i := range m.InterfaceSet() {
		if i.Name() == name {
			return i
		}
	}
	return nil
}

func findBlock(devs []gomaasapi.BlockDevice, name string) gomaasapi.BlockDevice {
	for _, d := range devs {
		if d.Name() == name {
			return d
		}
	}
	return nil
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range list {
		k := strings.ToLower(x)
		if !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// Inventory (simulator only; optional)

type server struct {
	hostname string
	enlisted bool
	macs     []string
	bmc      string
}

// inventory reads GET /_sim/inventory with the admin token. The shape is read loosely.
func (e *env) inventory() ([]server, error) {
	tok := os.Getenv("MAAS_SIM_ADMIN_TOKEN")
	if tok == "" {
		return nil, fmt.Errorf("MAAS_SIM_ADMIN_TOKEN not set")
	}
	u := strings.TrimSuffix(e.baseURL, "/")
	u = strings.TrimSuffix(u, "/MAAS") + "/_sim/inventory"
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := e.httpc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET /_sim/inventory: HTTP %d %q", resp.StatusCode, clip(string(b), 200))
	}
	var v interface{}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	list := asList(v)
	if list == nil {
		for _, k := range []string{"servers", "machines", "inventory"} {
			if l := asList(asMap(v)[k]); l != nil {
				list = l
				break
			}
		}
	}
	var out []server
	for _, it := range list {
		m := asMap(it)
		s := server{hostname: str(m, "hostname")}
		s.enlisted, _ = m["enlisted"].(bool)
		for _, k := range []string{"macs", "mac_addresses", "macAddresses"} {
			for _, x := range asList(m[k]) {
				if xs, ok := x.(string); ok {
					s.macs = append(s.macs, xs)
				}
			}
		}
		for _, k := range []string{"nics", "interfaces"} {
			for _, x := range asList(m[k]) {
				nm := asMap(x)
				for _, mk := range []string{"mac", "mac_address", "macAddress"} {
					if mac := str(nm, mk); mac != "" {
						s.macs = append(s.macs, mac)
						break
					}
				}
			}
		}
		for _, k := range []string{"bmc", "bmcAddress", "bmc_address", "power_address", "powerAddress"} {
			switch bv := m[k].(type) {
			case string:
				s.bmc = bv
			case map[string]interface{}:
				for _, ak := range []string{"address", "ip", "power_address", "host"} {
					if a := str(bv, ak); a != "" {
						s.bmc = a
						break
					}
				}
			}
			if s.bmc != "" {
				break
			}
		}
		s.macs = dedupe(s.macs)
		out = append(out, s)
	}
	return out, nil
}

// ---------------------------------------------------------------------------

func main() {
	baseURL := os.Getenv("MAAS_API_URL")
	apiKey := os.Getenv("MAAS_API_KEY")
	if baseURL == "" || apiKey == "" {
		fmt.Fprintln(os.Stderr, "conformance: MAAS_API_URL and MAAS_API_KEY must be set")
		os.Exit(2)
	}
	timeout := 120 * time.Second
	if s := os.Getenv("CONFORMANCE_TIMEOUT"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			timeout = time.Duration(n) * time.Second
		}
	}
	rec := &recorder{verbose: os.Getenv("CONFORMANCE_VERBOSE") == "1"}
	httpc := &http.Client{Transport: rec, Timeout: 90 * time.Second}
	e := &env{baseURL: baseURL, apiKey: apiKey, rec: rec, httpc: httpc, timeout: timeout}
	r := &runner{failedSteps: map[string]bool{}, rec: rec}

	run(r, e)

	fmt.Printf("%d passed, %d failed\n", r.passed, r.failed)
	if r.failed > 0 {
		os.Exit(1)
	}
}

// Step names.
const (
	sConnect   = "connect"
	sList      = "list-machines"
	sRead      = "read-machine"
	sCreate    = "create-machine"
	sComm      = "commission"
	sBlank     = "storage-layout-blank"
	sEFI       = "partition-efi"
	sBoot      = "partition-boot"
	sPV        = "partition-lvm"
	sVG        = "volume-group"
	sLV        = "logical-volume"
	sStorRead  = "storage-read"
	sBond      = "create-bond"
	sLink      = "link-subnet-static"
	sDeploy    = "deploy"
	sRelease   = "release-erase"
	sTooLarge  = "error-partition-too-large"
	sDelete    = "delete-machine"
	sDeployNew = "error-deploy-new-machine"
	sBadKey    = "error-bad-api-key"
)

const (
	hostname    = "conformance-node01"
	staticIP    = "10.0.0.123"
	subnetCIDR  = "10.0.0.0/24"
	mib         = int64(1 << 20)
	alignment   = 4 * mib
	efiSizeArg  = "512M" // SI: 512 * 10^6 bytes
	bootSizeArg = "1G"   // SI: 10^9 bytes
)

func alignDown(n int64) int64 { return n / alignment * alignment }

func run(r *runner, e *env) {
	// Default inventory (issue 3): unenlisted node01 with eth0/eth1/eth2 and disk sda.
	macs := []string{"aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02"}
	bmc := "10.0.0.201"
	errMacs := []string{"52:54:00:c0:ff:ee"} // unknown to the inventory: generated hardware

	var (
		sysID, errSysID string
		diskID          int
		diskName        = "sda"
		diskSize        int64
		efiID, bootID   int
		pvID            int
		vgID            int
		vgSize          int64
		lvID            int
		lvSize          int64
		lvName          string
		bondID          int
		subnetID        int
		eth0MAC         string
	)

	// --- connect: version/ + users/?op=whoami through gomaasapi.NewController.
	r.step(sConnect, nil, func() error {
		ctrl, err := gomaasapi.NewController(gomaasapi.ControllerArgs{BaseURL: e.baseURL, APIKey: e.apiKey, HTTPClient: e.httpc})
		if err != nil {
			return fmt.Errorf("gomaasapi.NewController (GET version/, GET users/?op=whoami): %s", e.describe(err))
		}
		e.ctrl = ctrl
		c, err := gomaasapi.NewAuthenticatedClient(gomaasapi.AddAPIVersionToURL(e.baseURL, "2.0"), e.apiKey)
		if err != nil {
			return err
		}
		c.HTTPClient = e.httpc
		e.client = c
		// Independent read: version and whoami again.
		ver, _, err := ctrl.APIVersionInfo()
		if err != nil {
			return fmt.Errorf("GET version/: %s", e.describe(err))
		}
		if ver == "" {
			return fmt.Errorf("GET version/: empty \"version\"")
		}
		caps := ctrl.Capabilities()
		for _, want := range []string{"networks-management", "storage-deployment-ubuntu", "network-deployment-ubuntu"} {
			if !caps.Contains(want) {
				return fmt.Errorf("GET version/: capability %q missing (got %v)", want, caps.SortedValues())
			}
		}
		w, err := e.get("users/", "whoami", nil)
		if err != nil {
			return err
		}
		wm := asMap(w)
		e.username = str(wm, "username")
		if e.username == "" {
			return fmt.Errorf("GET users/?op=whoami: no username in %v", w)
		}
		if su, _ := wm["is_superuser"].(bool); !su {
			return fmt.Errorf("GET users/?op=whoami: is_superuser is %v; the API key must be an admin's", wm["is_superuser"])
		}
		return nil
	})
	// Use the simulator's inventory when the admin token is available.
	if r.failedSteps[sConnect] {
		// every later step depends on connect and is reported as not run
	} else if inv, err := e.inventory(); err == nil {
		for _, s := range inv {
			if s.hostname == "node01" && len(s.macs) > 0 {
				macs = s.macs
				if s.bmc != "" {
					bmc = s.bmc
				}
			}
		}
	} else if os.Getenv("MAAS_SIM_ADMIN_TOKEN") != "" {
		fmt.Fprintf(os.Stderr, "note: could not read /_sim/inventory (%v); using the default node01 MACs\n", err)
	}

	// --- list-machines (typed: every machine must pass gomaasapi's schema checks)
	var listed []gomaasapi.Machine
	r.step(sList, []string{sConnect}, func() error {
		ms, err := e.ctrl.Machines(gomaasapi.MachinesArgs{})
		if err != nil {
			return fmt.Errorf("GET machines/: %s", e.describe(err))
		}
		listed = ms
		raw, err := e.get("machines/", "", nil)
		if err != nil {
			return err
		}
		if len(asList(raw)) != len(ms) {
			return fmt.Errorf("typed list has %d machines, raw list %d", len(ms), len(asList(raw)))
		}
		for _, m := range ms {
			if m.Hostname() == "existing-node" {
				if m.StatusName() != "Ready" {
					return fmt.Errorf("existing-node is %q, want \"Ready\" (default inventory)", m.StatusName())
				}
				return nil
			}
		}
		names := []string{}
		for _, m := range ms {
			names = append(names, m.Hostname())
		}
		return fmt.Errorf("existing-node (enlisted, Ready in the default inventory) not in GET machines/: %v", names)
	})

	// --- read-machine: machines/{id}/ and the filters
	r.step(sRead, []string{sList}, func() error {
		if len(listed) == 0 {
			return fmt.Errorf("no machine to read")
		}
		m0 := listed[0]
		id := m0.SystemID()
		raw, err := e.rawMachine(id)
		if err != nil {
			return err
		}
		if str(raw, "system_id") != id || str(raw, "hostname") != m0.Hostname() {
			return fmt.Errorf("GET machines/%s/ answered system_id %q hostname %q, list said %q", id, str(raw, "system_id"), str(raw, "hostname"), m0.Hostname())
		}
		if want := "/MAAS/api/2.0/machines/" + id + "/"; str(raw, "resource_uri") != want {
			return fmt.Errorf("resource_uri %q, want %q", str(raw, "resource_uri"), want)
		}
		st, err := mustNum(raw, "status")
		if err != nil {
			return err
		}
		if str(raw, "status_name") == "Ready" && st != 4 {
			return fmt.Errorf("status_name Ready with status %d, want 4", st)
		}
		byName, err := e.ctrl.Machines(gomaasapi.MachinesArgs{Hostnames: []string{m0.Hostname()}})
		if err != nil {
			return fmt.Errorf("GET machines/?hostname=: %s", e.describe(err))
		}
		if len(byName) != 1 || byName[0].SystemID() != id {
			return fmt.Errorf("GET machines/?hostname=%s returned %d machines", m0.Hostname(), len(byName))
		}
		if _, err := e.machine(id); err != nil {
			return err
		}
		// A missing machine is a 404.
		_, err = e.client.Get(rel("machines/nosuch/"), "", nil)
		if se, ok := serverError(err); !ok || se.StatusCode != 404 {
			return fmt.Errorf("GET machines/nosuch/: want HTTP 404, got %s", e.describe(err))
		}
		return nil
	})

	// --- create-machine with IPMI power parameters (commission=false: stays New)
	r.step(sCreate, []string{sConnect}, func() error {
		p := url.Values{}
		p.Set("architecture", "amd64/generic")
		for _, m := range macs {
			p.Add("mac_addresses", m)
		}
		p.Set("hostname", hostname)
		p.Set("power_type", "ipmi")
		p.Set("power_parameters_power_address", bmc)
		p.Set("power_parameters_power_user", "admin")
		p.Set("power_parameters_power_pass", "secret")
		p.Set("power_parameters_power_driver", "LAN_2_0")
		p.Set("commission", "false")
		v, err := e.post("machines/", "", p) // gomaasapi sends POST machines/?op=
		if err != nil {
			return err
		}
		created := asMap(v)
		sysID = str(created, "system_id")
		if sysID == "" {
			return fmt.Errorf("create answer has no system_id: %v", clip(fmt.Sprint(v), 300))
		}
		if s := str(created, "status_name"); s != "New" {
			return fmt.Errorf("create with commission=false answered status_name %q, want \"New\"", s)
		}
		// Independent reads.
		m, err := e.machine(sysID)
		if err != nil {
			return err
		}
		if m.Hostname() != hostname {
			return fmt.Errorf("hostname %q, want %q", m.Hostname(), hostname)
		}
		if m.StatusName() != "New" {
			return fmt.Errorf("status_name %q, want \"New\"", m.StatusName())
		}
		if m.Architecture() != "amd64/generic" {
			return fmt.Errorf("architecture %q, want amd64/generic", m.Architecture())
		}
		raw, err := e.rawMachine(sysID)
		if err != nil {
			return err
		}
		if st, _ := num(raw, "status"); st != 0 {
			return fmt.Errorf("status %v, want 0 (NEW)", raw["status"])
		}
		if str(raw, "power_type") != "ipmi" {
			return fmt.Errorf("power_type %q, want ipmi", str(raw, "power_type"))
		}
		pp, err := e.get("machines/"+sysID+"/", "power_parameters", nil)
		if err != nil {
			return err
		}
		ppm := asMap(pp)
		if str(ppm, "power_address") != bmc || str(ppm, "power_user") != "admin" || str(ppm, "power_pass") != "secret" {
			return fmt.Errorf("GET machines/%s/?op=power_parameters = %v, want power_address %s, power_user admin, power_pass secret", sysID, pp, bmc)
		}
		byMAC, err := e.ctrl.Machines(gomaasapi.MachinesArgs{MACAddresses: []string{macs[0]}})
		if err != nil {
			return fmt.Errorf("GET machines/?mac_address=: %s", e.describe(err))
		}
		if len(byMAC) != 1 || byMAC[0].SystemID() != sysID {
			return fmt.Errorf("GET machines/?mac_address=%s returned %d machines", macs[0], len(byMAC))
		}
		return nil
	})

	// --- commission and poll to Ready
	r.step(sComm, []string{sCreate}, func() error {
		v, err := e.post("machines/"+sysID+"/", "commission", url.Values{"testing_scripts": {"none"}})
		if err != nil {
			return err
		}
		if s := str(asMap(v), "status_name"); s != "Commissioning" {
			return fmt.Errorf("commission answered status_name %q, want \"Commissioning\"", s)
		}
		if _, err := e.waitStatus(sysID, "Ready"); err != nil {
			return err
		}
		m, err := e.machine(sysID)
		if err != nil {
			return err
		}
		if m.CPUCount() <= 0 || m.Memory() <= 0 {
			return fmt.Errorf("after commissioning cpu_count=%d memory=%d, want > 0", m.CPUCount(), m.Memory())
		}
		for i, name := range []string{"eth0", "eth1", "eth2"} {
			ifc := findIface(m, name)
			if ifc == nil {
				return fmt.Errorf("after commissioning no interface %s (interfaces: %v)", name, ifaceNames(m))
			}
			if i < len(macs) && !strings.EqualFold(ifc.MACAddress(), macs[i]) {
				return fmt.Errorf("%s has MAC %s, want %s", name, ifc.MACAddress(), macs[i])
			}
		}
		eth0MAC = findIface(m, "eth0").MACAddress()
		d := findBlock(m.PhysicalBlockDevices(), diskName)
		if d == nil {
			return fmt.Errorf("after commissioning no physical block device %s", diskName)
		}
		diskID, diskSize = d.ID(), int64(d.Size())
		if diskSize < 8*1000*1000*1000 {
			return fmt.Errorf("%s size %d bytes, too small for this test", diskName, diskSize)
		}
		return nil
	})

	devPath := func() string { return fmt.Sprintf("nodes/%s/blockdevices/%d/", sysID, diskID) }
	partPath := func(id int) string { return fmt.Sprintf("nodes/%s/blockdevices/%d/partition/%d", sysID, diskID, id) }

	// --- blank storage layout
	r.step(sBlank, []string{sComm}, func() error {
		if _, err := e.post("machines/"+sysID+"/", "set_storage_layout", url.Values{"storage_layout": {"blank"}}); err != nil {
			return err
		}
		v, err := e.get(devPath(), "", nil)
		if err != nil {
			return err
		}
		d := asMap(v)
		if l := asList(d["partitions"]); len(l) != 0 {
			return fmt.Errorf("after blank layout %s still has %d partitions", diskName, len(l))
		}
		if d["filesystem"] != nil {
			return fmt.Errorf("after blank layout %s still has filesystem %v", diskName, d["filesystem"])
		}
		if pt := d["partition_table_type"]; pt != nil {
			return fmt.Errorf("after blank layout partition_table_type = %v, want null", pt)
		}
		m, err := e.machine(sysID)
		if err != nil {
			return err
		}
		for _, b := range m.BlockDevices() {
			if b.Type() == "virtual" {
				return fmt.Errorf("after blank layout virtual block device %s remains", b.Name())
			}
		}
		return nil
	})

	// createPartition POSTs a partition, formats and mounts it, then reads it back.
	createPartition := func(size string, bootable bool, fstype, mount string, wantSize int64) (int, error) {
		p := url.Values{}
		if size != "" {
			p.Set("size", size)
		}
		if bootable {
			p.Set("bootable", "true")
		}
		v, err := e.post(devPath()+"partitions/", "", p)
		if err != nil {
			return 0, err
		}
		pm := asMap(v)
		id64, err := mustNum(pm, "id")
		if err != nil {
			return 0, fmt.Errorf("partition create answer: %v", err)
		}
		id := int(id64)
		if got := str(pm, "resource_uri"); got != "/MAAS/api/2.0/"+partPath(id) {
			return id, fmt.Errorf("partition resource_uri %q, want %q (MAAS: no trailing slash)", got, "/MAAS/api/2.0/"+partPath(id))
		}
		if str(pm, "type") != "partition" {
			return id, fmt.Errorf("partition type %q, want \"partition\"", str(pm, "type"))
		}
		if fstype != "" {
			if _, err := e.post(partPath(id), "format", url.Values{"fstype": {fstype}}); err != nil {
				return id, err
			}
		}
		if mount != "" {
			if _, err := e.post(partPath(id), "mount", url.Values{"mount_point": {mount}}); err != nil {
				return id, err
			}
		}
		// Independent read (partition URL has no trailing slash).
		rv, err := e.get(partPath(id), "", nil)
		if err != nil {
			return id, err
		}
		rm := asMap(rv)
		sz, err := mustNum(rm, "size")
		if err != nil {
			return id, err
		}
		if wantSize > 0 && sz != wantSize {
			return id, fmt.Errorf("partition size %d, want %d (%s in SI units rounded down to 4 MiB)", sz, wantSize, size)
		}
		if sz%alignment != 0 {
			return id, fmt.Errorf("partition size %d is not a multiple of 4 MiB", sz)
		}
		if b, _ := rm["bootable"].(bool); b != bootable {
			return id, fmt.Errorf("partition bootable = %v, want %v", rm["bootable"], bootable)
		}
		fs := asMap(rm["filesystem"])
		if fstype != "" {
			if str(fs, "fstype") != fstype {
				return id, fmt.Errorf("partition filesystem %v, want fstype %s", rm["filesystem"], fstype)
			}
			if str(fs, "mount_point") != mount {
				return id, fmt.Errorf("partition filesystem %v, want mount_point %q", rm["filesystem"], mount)
			}
		}
		return id, nil
	}

	r.step(sEFI, []string{sBlank}, func() error {
		var err error
		efiID, err = createPartition(efiSizeArg, true, "fat32", "/boot/efi", alignDown(512*1000*1000))
		if err != nil {
			return err
		}
		v, err := e.get(devPath(), "", nil)
		if err != nil {
			return err
		}
		if pt := str(asMap(v), "partition_table_type"); pt != "GPT" {
			return fmt.Errorf("after the first partition partition_table_type = %q, want GPT (UEFI)", pt)
		}
		return nil
	})
	r.step(sBoot, []string{sEFI}, func() error {
		var err error
		bootID, err = createPartition(bootSizeArg, false, "ext4", "/boot", alignDown(1000*1000*1000))
		return err
	})
	r.step(sPV, []string{sBoot}, func() error {
		var err error
		pvID, err = createPartition("", false, "", "", 0) // no size: the rest of the disk
		if err != nil {
			return err
		}
		v, err := e.get(devPath(), "", nil)
		if err != nil {
			return err
		}
		d := asMap(v)
		if l := asList(d["partitions"]); len(l) != 3 {
			return fmt.Errorf("%s has %d partitions, want 3", diskName, len(l))
		}
		if av, ok := num(d, "available_size"); ok && av >= alignment {
			return fmt.Errorf("after a partition with no size the disk still has available_size %d", av)
		}
		return nil
	})

	r.step(sVG, []string{sPV}, func() error {
		v, err := e.post(fmt.Sprintf("nodes/%s/volume-groups/", sysID), "", url.Values{"name": {"vgconf"}, "partitions": {strconv.Itoa(pvID)}})
		if err != nil {
			return err
		}
		id64, err := mustNum(asMap(v), "id")
		if err != nil {
			return fmt.Errorf("volume group create answer: %v", err)
		}
		vgID = int(id64)
		rv, err := e.get(fmt.Sprintf("nodes/%s/volume-group/%d/", sysID, vgID), "", nil)
		if err != nil {
			return err
		}
		vg := asMap(rv)
		if str(vg, "name") != "vgconf" {
			return fmt.Errorf("volume group name %q, want vgconf", str(vg, "name"))
		}
		if vgSize, err = mustNum(vg, "size"); err != nil {
			return err
		}
		devs := asList(vg["devices"])
		if len(devs) != 1 {
			return fmt.Errorf("volume group has %d devices, want 1 (the partition)", len(devs))
		}
		if did, _ := num(asMap(devs[0]), "id"); int(did) != pvID {
			return fmt.Errorf("volume group device id %d, want partition %d", did, pvID)
		}
		pv, err := e.get(partPath(pvID), "", nil)
		if err != nil {
			return err
		}
		if fs := str(asMap(asMap(pv)["filesystem"]), "fstype"); fs != "lvm-pv" {
			return fmt.Errorf("partition %d filesystem fstype %q, want lvm-pv after joining a volume group", pvID, fs)
		}
		return nil
	})

	r.step(sLV, []string{sVG}, func() error {
		lvSize = alignDown(vgSize / 2)
		v, err := e.post(fmt.Sprintf("nodes/%s/volume-group/%d/", sysID, vgID), "create_logical_volume",
			url.Values{"name": {"lvroot"}, "size": {strconv.FormatInt(lvSize, 10)}})
		if err != nil {
			return err
		}
		lv := asMap(v)
		id64, err := mustNum(lv, "id")
		if err != nil {
			return fmt.Errorf("create_logical_volume answer: %v", err)
		}
		lvID = int(id64)
		lvName = str(lv, "name")
		if lvName != "vgconf-lvroot" {
			return fmt.Errorf("logical volume name %q, want vgconf-lvroot", lvName)
		}
		if str(lv, "type") != "virtual" {
			return fmt.Errorf("logical volume type %q, want virtual", str(lv, "type"))
		}
		bd := fmt.Sprintf("nodes/%s/blockdevices/%d/", sysID, lvID)
		if _, err := e.post(bd, "format", url.Values{"fstype": {"ext4"}}); err != nil {
			return err
		}
		if _, err := e.post(bd, "mount", url.Values{"mount_point": {"/"}}); err != nil {
			return err
		}
		rv, err := e.get(bd, "", nil)
		if err != nil {
			return err
		}
		rb := asMap(rv)
		if sz, _ := num(rb, "size"); sz != lvSize {
			return fmt.Errorf("logical volume size %d, want %d", sz, lvSize)
		}
		fs := asMap(rb["filesystem"])
		if str(fs, "fstype") != "ext4" || str(fs, "mount_point") != "/" {
			return fmt.Errorf("logical volume filesystem %v, want ext4 mounted at /", rb["filesystem"])
		}
		vg, err := e.get(fmt.Sprintf("nodes/%s/volume-group/%d/", sysID, vgID), "", nil)
		if err != nil {
			return err
		}
		if n := len(asList(asMap(vg)["logical_volumes"])); n != 1 {
			return fmt.Errorf("volume group lists %d logical volumes, want 1", n)
		}
		return nil
	})

	// Whole storage picture through the typed machine (gomaasapi's blockdevice/partition schemas).
	r.step(sStorRead, []string{sLV}, func() error {
		m, err := e.machine(sysID)
		if err != nil {
			return err
		}
		disk := findBlock(m.PhysicalBlockDevices(), diskName)
		if disk == nil {
			return fmt.Errorf("no %s in physicalblockdevice_set", diskName)
		}
		want := map[int][2]string{efiID: {"fat32", "/boot/efi"}, bootID: {"ext4", "/boot"}, pvID: {"lvm-pv", ""}}
		parts := disk.Partitions()
		if len(parts) != 3 {
			return fmt.Errorf("%s has %d partitions in the machine read, want 3", diskName, len(parts))
		}
		for _, p := range parts {
			w, ok := want[p.ID()]
			if !ok {
				return fmt.Errorf("unexpected partition id %d", p.ID())
			}
			fs := p.FileSystem()
			if fs == nil || fs.Type() != w[0] || fs.MountPoint() != w[1] {
				got := "none"
				if fs != nil {
					got = fs.Type() + " at " + fs.MountPoint()
				}
				return fmt.Errorf("partition %d filesystem %s, want %s at %q", p.ID(), got, w[0], w[1])
			}
		}
		lv := findBlock(m.BlockDevices(), lvName)
		if lv == nil {
			return fmt.Errorf("logical volume %s not in blockdevice_set", lvName)
		}
		if fs := lv.FileSystem(); fs == nil || fs.Type() != "ext4" || fs.MountPoint() != "/" {
			return fmt.Errorf("logical volume %s filesystem %v, want ext4 at /", lvName, fs)
		}
		return nil
	})

	// --- bond 802.3ad over eth0+eth1
	r.step(sBond, []string{sComm}, func() error {
		m, err := e.machine(sysID)
		if err != nil {
			return err
		}
		eth0, eth1 := findIface(m, "eth0"), findIface(m, "eth1")
		if eth0.VLAN() != nil && eth1.VLAN() != nil && eth0.VLAN().ID() != eth1.VLAN().ID() {
			// MAAS requires the parents of a bond to share a VLAN: move eth1 first.
			if _, err := e.put(fmt.Sprintf("nodes/%s/interfaces/%d/", sysID, eth1.ID()), url.Values{"vlan": {strconv.Itoa(eth0.VLAN().ID())}}); err != nil {
				return fmt.Errorf("eth1 is on VLAN %d, eth0 on %d; moving eth1 failed: %v", eth1.VLAN().ID(), eth0.VLAN().ID(), err)
			}
		}
		p := url.Values{}
		p.Set("name", "bond0")
		p.Add("parents", strconv.Itoa(eth0.ID()))
		p.Add("parents", strconv.Itoa(eth1.ID()))
		p.Set("bond_mode", "802.3ad")
		p.Set("bond_lacp_rate", "fast")
		p.Set("bond_xmit_hash_policy", "layer3+4")
		v, err := e.post(fmt.Sprintf("nodes/%s/interfaces/", sysID), "create_bond", p)
		if err != nil {
			return err
		}
		id64, err := mustNum(asMap(v), "id")
		if err != nil {
			return fmt.Errorf("create_bond answer: %v", err)
		}
		bondID = int(id64)
		rv, err := e.get(fmt.Sprintf("nodes/%s/interfaces/%d/", sysID, bondID), "", nil)
		if err != nil {
			return err
		}
		b := asMap(rv)
		if str(b, "type") != "bond" || str(b, "name") != "bond0" {
			return fmt.Errorf("interface %d is %q type %q, want bond0 type bond", bondID, str(b, "name"), str(b, "type"))
		}
		if !strings.EqualFold(str(b, "mac_address"), eth0MAC) {
			return fmt.Errorf("bond mac_address %q, want the first parent's %q", str(b, "mac_address"), eth0MAC)
		}
		params := asMap(b["params"])
		wantParams := map[string]string{"bond_mode": "802.3ad", "bond_lacp_rate": "fast", "bond_xmit_hash_policy": "layer3+4",
			"bond_miimon": "100", "bond_downdelay": "0", "bond_updelay": "0", "bond_num_grat_arp": "1"}
		keys := make([]string, 0, len(wantParams))
		for k := range wantParams {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if got := str(params, k); got != wantParams[k] {
				return fmt.Errorf("bond params[%s] = %q, want %q (params %v)", k, got, wantParams[k], b["params"])
			}
		}
		// Typed read: parents and children.
		m, err = e.machine(sysID)
		if err != nil {
			return err
		}
		bond := findIface(m, "bond0")
		if bond == nil {
			return fmt.Errorf("bond0 not in the machine's interface_set")
		}
		if ps := bond.Parents(); len(ps) != 2 || ps[0] != "eth0" || ps[1] != "eth1" {
			return fmt.Errorf("bond0 parents %v, want [eth0 eth1]", ps)
		}
		for _, n := range []string{"eth0", "eth1"} {
			if !contains(findIface(m, n).Children(), "bond0") {
				return fmt.Errorf("%s children %v, want bond0 among them", n, findIface(m, n).Children())
			}
		}
		return nil
	})

	// --- link the bond statically to 10.0.0.0/24
	r.step(sLink, []string{sBond}, func() error {
		sv, err := e.get("subnets/", "", nil)
		if err != nil {
			return err
		}
		for _, s := range asList(sv) {
			sm := asMap(s)
			if str(sm, "cidr") == subnetCIDR {
				id, _ := num(sm, "id")
				subnetID = int(id)
			}
		}
		if subnetID == 0 {
			return fmt.Errorf("no subnet %s in GET subnets/", subnetCIDR)
		}
		v, err := e.post(fmt.Sprintf("nodes/%s/interfaces/%d/", sysID, bondID), "link_subnet",
			url.Values{"mode": {"STATIC"}, "subnet": {strconv.Itoa(subnetID)}, "ip_address": {staticIP}})
		if err != nil {
			return err
		}
		if str(asMap(v), "name") != "bond0" {
			return fmt.Errorf("link_subnet answered interface %q, want bond0", str(asMap(v), "name"))
		}
		m, err := e.machine(sysID)
		if err != nil {
			return err
		}
		bond := findIface(m, "bond0")
		if bond == nil {
			return fmt.Errorf("bond0 gone")
		}
		for _, l := range bond.Links() {
			if l.Subnet() != nil && l.Subnet().CIDR() == subnetCIDR {
				if l.Mode() != "static" {
					return fmt.Errorf("link mode %q, want \"static\"", l.Mode())
				}
				if l.IPAddress() != staticIP {
					return fmt.Errorf("link ip_address %q, want %s", l.IPAddress(), staticIP)
				}
				return nil
			}
		}
		return fmt.Errorf("bond0 has no link to %s (links: %d)", subnetCIDR, len(bond.Links()))
	})

	// --- deploy (gomaasapi Machine.Start) and poll to Deployed
	r.step(sDeploy, []string{sStorRead, sLink}, func() error {
		m, err := e.machine(sysID)
		if err != nil {
			return err
		}
		if err := m.Start(gomaasapi.StartArgs{DistroSeries: "jammy"}); err != nil {
			return fmt.Errorf("deploy (Machine.Start): %s", e.describe(err))
		}
		if m.StatusName() != "Deploying" {
			return fmt.Errorf("deploy answered status_name %q, want \"Deploying\"", m.StatusName())
		}
		if _, err := e.waitStatus(sysID, "Deployed"); err != nil {
			return err
		}
		m, err = e.machine(sysID)
		if err != nil {
			return err
		}
		if m.OperatingSystem() != "ubuntu" || m.DistroSeries() != "jammy" {
			return fmt.Errorf("deployed osystem %q distro_series %q, want ubuntu jammy", m.OperatingSystem(), m.DistroSeries())
		}
		if !contains(m.IPAddresses(), staticIP) {
			return fmt.Errorf("deployed ip_addresses %v, want %s among them", m.IPAddresses(), staticIP)
		}
		raw, err := e.rawMachine(sysID)
		if err != nil {
			return err
		}
		if str(raw, "owner") != e.username {
			return fmt.Errorf("deployed owner %q, want %q", str(raw, "owner"), e.username)
		}
		if st, _ := num(raw, "status"); st != 6 {
			return fmt.Errorf("deployed status %v, want 6", raw["status"])
		}
		return nil
	})

	// --- release with erase, poll to Ready
	r.step(sRelease, []string{sDeploy}, func() error {
		v, err := e.post("machines/"+sysID+"/", "release", url.Values{"erase": {"true"}, "comment": {"conformance"}})
		if err != nil {
			return err
		}
		if s := str(asMap(v), "status_name"); s != "Disk erasing" {
			return fmt.Errorf("release erase=true answered status_name %q, want \"Disk erasing\"", s)
		}
		if _, err := e.waitStatus(sysID, "Ready"); err != nil {
			return err
		}
		raw, err := e.rawMachine(sysID)
		if err != nil {
			return err
		}
		if raw["owner"] != nil {
			return fmt.Errorf("released machine owner %v, want null", raw["owner"])
		}
		if str(raw, "osystem") != "" || str(raw, "distro_series") != "" {
			return fmt.Errorf("released machine osystem %q distro_series %q, want empty", str(raw, "osystem"), str(raw, "distro_series"))
		}
		// MAAS keeps the storage and interface configuration made while Ready across a release.
		m, err := e.machine(sysID)
		if err != nil {
			return err
		}
		if d := findBlock(m.PhysicalBlockDevices(), diskName); d == nil || len(d.Partitions()) != 3 {
			return fmt.Errorf("after release %s no longer has its 3 partitions", diskName)
		}
		if findBlock(m.BlockDevices(), lvName) == nil {
			return fmt.Errorf("after release logical volume %s is gone", lvName)
		}
		if findIface(m, "bond0") == nil {
			return fmt.Errorf("after release bond0 is gone")
		}
		return nil
	})

	// --- partition larger than the disk: 400
	r.step(sTooLarge, []string{sComm}, func() error {
		before, err := e.get(devPath()+"partitions/", "", nil)
		if err != nil {
			return err
		}
		size := strconv.FormatInt(diskSize*2, 10)
		_, err = e.postRaw(devPath()+"partitions/", "", url.Values{"size": {size}})
		if err == nil {
			return fmt.Errorf("POST %spartitions/ size=%s (twice the disk) succeeded, want HTTP 400", devPath(), size)
		}
		se, ok := serverError(err)
		if !ok || se.StatusCode != 400 {
			return fmt.Errorf("want HTTP 400, got %s", e.describe(err))
		}
		var body map[string]interface{}
		if json.Unmarshal([]byte(se.BodyMessage), &body) != nil || body["size"] == nil {
			return fmt.Errorf("HTTP 400 body %q, want MAAS's JSON field errors with a \"size\" key", clip(se.BodyMessage, 300))
		}
		after, err := e.get(devPath()+"partitions/", "", nil)
		if err != nil {
			return err
		}
		if len(asList(after)) != len(asList(before)) {
			return fmt.Errorf("partition count changed from %d to %d after a rejected create", len(asList(before)), len(asList(after)))
		}
		return nil
	})

	// --- delete
	r.step(sDelete, []string{sCreate}, func() error {
		if err := e.client.Delete(rel("machines/" + sysID + "/")); err != nil {
			return fmt.Errorf("DELETE machines/%s/: %s", sysID, e.describe(err))
		}
		if st := e.rec.Last().Status; st != 204 {
			return fmt.Errorf("DELETE machines/%s/ answered HTTP %d, want 204", sysID, st)
		}
		ms, err := e.ctrl.Machines(gomaasapi.MachinesArgs{SystemIDs: []string{sysID}})
		if err != nil {
			return fmt.Errorf("GET machines/?id=%s: %s", sysID, e.describe(err))
		}
		if len(ms) != 0 {
			return fmt.Errorf("deleted machine still listed")
		}
		_, err = e.client.Get(rel("machines/"+sysID+"/"), "", nil)
		if se, ok := serverError(err); !ok || se.StatusCode != 404 {
			return fmt.Errorf("GET machines/%s/ after delete: want HTTP 404, got %s", sysID, e.describe(err))
		}
		return nil
	})

	// --- deploy of a New machine: 409 "Can't deploy a machine that is in the 'New' state"
	r.step(sDeployNew, []string{sConnect}, func() error {
		p := url.Values{}
		p.Set("architecture", "amd64/generic")
		for _, m := range errMacs {
			p.Add("mac_addresses", m)
		}
		p.Set("hostname", "conformance-new")
		p.Set("power_type", "ipmi")
		p.Set("power_parameters_power_address", "10.0.0.202")
		p.Set("power_parameters_power_user", "admin")
		p.Set("power_parameters_power_pass", "secret")
		p.Set("commission", "false")
		v, err := e.post("machines/", "", p)
		if err != nil {
			return err
		}
		errSysID = str(asMap(v), "system_id")
		defer func() {
			if errSysID != "" {
				_ = e.client.Delete(rel("machines/" + errSysID + "/"))
			}
		}()
		m, err := e.machine(errSysID)
		if err != nil {
			return err
		}
		if m.StatusName() != "New" {
			return fmt.Errorf("machine created with commission=false is %q, want \"New\"", m.StatusName())
		}
		err = m.Start(gomaasapi.StartArgs{DistroSeries: "jammy"})
		if err == nil {
			return fmt.Errorf("deploy of a New machine succeeded, want HTTP 409")
		}
		se, ok := serverError(err)
		if !ok || se.StatusCode != 409 {
			return fmt.Errorf("want HTTP 409, got %s", e.describe(err))
		}
		if !gomaasapi.IsBadRequestError(err) {
			return fmt.Errorf("gomaasapi did not map the 409 to its BadRequestError: %v", err)
		}
		if want := "Can't deploy a machine that is in the 'New' state"; !strings.Contains(se.BodyMessage, want) {
			return fmt.Errorf("HTTP 409 body %q, want MAAS's text %q", clip(se.BodyMessage, 200), want)
		}
		m, err = e.machine(errSysID)
		if err != nil {
			return err
		}
		if m.StatusName() != "New" {
			return fmt.Errorf("after the refused deploy the machine is %q, want \"New\"", m.StatusName())
		}
		return nil
	})

	badKeyStep(r, e)
}

func ifaceNames(m gomaasapi.Machine) []string {
	var out []string
	for _, i := range m.InterfaceSet() {
		out = append(out, i.Name())
	}
	return out
}

// badKeyStep: a wrong token secret and an unknown consumer must both get 401.
func badKeyStep(r *runner, e *env) {
	r.step(sBadKey, nil, func() error {
		parts := strings.Split(e.apiKey, ":")
		if len(parts) != 3 {
			return fmt.Errorf("MAAS_API_KEY is not consumer:token:secret")
		}
		wrongSecret := parts[0] + ":" + parts[1] + ":" + strings.Repeat("x", 32)
		_, err := gomaasapi.NewController(gomaasapi.ControllerArgs{BaseURL: e.baseURL, APIKey: wrongSecret, HTTPClient: e.httpc})
		if err == nil {
			return fmt.Errorf("gomaasapi.NewController accepted a key with a wrong token secret")
		}
		se, ok := serverError(err)
		if !ok || se.StatusCode != 401 {
			return fmt.Errorf("wrong token secret: want HTTP 401, got %s", e.describe(err))
		}
		unknown := "nosuchconsumer0000:nosuchtoken000000:" + strings.Repeat("y", 32)
		c, err := gomaasapi.NewAuthenticatedClient(gomaasapi.AddAPIVersionToURL(e.baseURL, "2.0"), unknown)
		if err != nil {
			return err
		}
		c.HTTPClient = e.httpc
		_, err = c.Get(rel("machines/"), "", nil)
		se, ok = serverError(err)
		if !ok || se.StatusCode != 401 {
			return fmt.Errorf("unknown consumer on GET machines/: want HTTP 401, got %s", e.describe(err))
		}
		anon, err := gomaasapi.NewAnonymousClient(e.baseURL, "2.0")
		if err != nil {
			return err
		}
		anon.HTTPClient = e.httpc
		_, aerr := anon.Get(rel("machines/"), "", nil)
		if ase, ok := serverError(aerr); !ok || ase.StatusCode != 401 {
			return fmt.Errorf("no Authorization header on GET machines/: want HTTP 401, got %s", e.describe(aerr))
		}
		if !strings.HasPrefix(se.BodyMessage, "Authorization Error") {
			fmt.Fprintf(os.Stderr, "note: 401 body %q does not start with MAAS's \"Authorization Error\"\n", clip(se.BodyMessage, 200))
		}
		return nil
	})
	runJuju(r, e)
}

// serverError finds the HTTP answer inside an error gomaasapi returned, also when the
// client wrapped it in one of its own kinds (errors.Wrap(err, NewBadRequestError(...))
// makes the Cause the descriptive error, the ServerError stays in the Underlying chain).
func serverError(err error) (gomaasapi.ServerError, bool) {
	for i := 0; err != nil && i < 50; i++ {
		if se, ok := err.(gomaasapi.ServerError); ok {
			return se, true
		}
		if se, ok := errors.Cause(err).(gomaasapi.ServerError); ok {
			return se, true
		}
		u, ok := err.(interface{ Underlying() error })
		if !ok {
			break
		}
		err = u.Underlying()
	}
	return gomaasapi.ServerError{}, false
}
