package main

// The steps a Juju-style client takes against MAAS, through gomaasapi's own calls: capabilities,
// zones, pools, allocate with zone/pool/tags constraints (what Juju's "zones=" and "tags="
// constraints become), the allocated machine's interfaces and block devices, deploy, release.
// The zone, pool and tag are made first through the plain API, as a site administrator would
// (maas-api.md §10); the machine is the default inventory's existing-node.

import (
	"fmt"
	"net/url"

	"github.com/juju/gomaasapi/v2"
)

const (
	sJujuCaps     = "juju-capabilities"
	sJujuSite     = "juju-site-zone-pool-tag"
	sJujuZones    = "juju-zones"
	sJujuPools    = "juju-pools"
	sJujuNoMatch  = "juju-allocate-no-match"
	sJujuAllocate = "juju-allocate-zone-pool-tags"
	sJujuRead     = "juju-read-interfaces-blockdevices"
	sJujuDeploy   = "juju-deploy"
	sJujuRelease  = "juju-release"

	jujuZone  = "conformance-zone"
	jujuPool  = "conformance-pool"
	jujuTag   = "conformance-tag"
	jujuAgent = "juju-conformance"
)

func findByName[T interface{ Name() string }](list []T, name string) bool {
	for _, x := range list {
		if x.Name() == name {
			return true
		}
	}
	return false
}

// existingNode is the default inventory's Ready machine.
func (e *env) existingNode() (string, error) {
	v, err := e.get("machines/", "", url.Values{"hostname": {"existing-node"}})
	if err != nil {
		return "", err
	}
	list := asList(v)
	if len(list) != 1 {
		return "", fmt.Errorf("GET machines/?hostname=existing-node: %d machines, want 1", len(list))
	}
	return str(asMap(list[0]), "system_id"), nil
}

func runJuju(r *runner, e *env) {
	var sysID string

	r.step(sJujuCaps, []string{sConnect}, func() error {
		caps := e.ctrl.Capabilities()
		for _, c := range []string{"network-deployment-ubuntu", "networks-management", "storage-deployment-ubuntu"} {
			if !caps.Contains(c) {
				return fmt.Errorf("capabilities %v lack %q (Juju requires network-deployment-ubuntu)", caps.SortedValues(), c)
			}
		}
		return nil
	})

	r.step(sJujuSite, []string{sConnect}, func() error {
		var err error
		if sysID, err = e.existingNode(); err != nil {
			return err
		}
		for _, s := range []struct{ path, name string }{{"zones/", jujuZone}, {"resourcepools/", jujuPool}, {"tags/", jujuTag}} {
			if _, err := e.post(s.path, "", url.Values{"name": {s.name}}); err != nil {
				return fmt.Errorf("POST %s name=%s: %s", s.path, s.name, e.describe(err))
			}
		}
		if _, err := e.put("machines/"+sysID+"/", url.Values{"zone": {jujuZone}, "pool": {jujuPool}}); err != nil {
			return fmt.Errorf("PUT machines/%s/ zone, pool: %s", sysID, e.describe(err))
		}
		v, err := e.post("tags/"+jujuTag+"/", "update_nodes", url.Values{"add": {sysID}})
		if err != nil {
			return fmt.Errorf("POST tags/%s/?op=update_nodes: %s", jujuTag, e.describe(err))
		}
		if n, _ := num(asMap(v), "added"); n != 1 {
			return fmt.Errorf("update_nodes answered %v, want added 1", v)
		}
		return nil
	})

	r.step(sJujuZones, []string{sJujuSite}, func() error {
		zones, err := e.ctrl.Zones()
		if err != nil {
			return fmt.Errorf("Controller.Zones: %s", e.describe(err))
		}
		if !findByName(zones, "default") || !findByName(zones, jujuZone) {
			return fmt.Errorf("zones/ lacks default or %s (%d zones)", jujuZone, len(zones))
		}
		return nil
	})

	// gomaasapi 2.0.0's Controller.Pools asks for pools/, a URL MAAS 3.x does not have (urls_api.py
	// routes resourcepools/ and resourcepool/{id}/ only), so it gets 404 from a real region as from
	// this one; the pools are read where MAAS serves them, and the 404 is checked as MAAS's.
	r.step(sJujuPools, []string{sJujuSite}, func() error {
		v, err := e.get("resourcepools/", "", nil)
		if err != nil {
			return err
		}
		var names []string
		for _, p := range asList(v) {
			names = append(names, str(asMap(p), "name"))
		}
		if !contains(names, "default") || !contains(names, jujuPool) {
			return fmt.Errorf("resourcepools/ has %v, want default and %s", names, jujuPool)
		}
		if _, err := e.ctrl.Pools(); err == nil {
			return fmt.Errorf("Controller.Pools (GET pools/) succeeded; MAAS 3.x has no pools/ URL")
		} else if se, ok := serverError(err); !ok || se.StatusCode != 404 {
			return fmt.Errorf("Controller.Pools (GET pools/): want MAAS's 404, got %s", e.describe(err))
		}
		return nil
	})

	r.step(sJujuNoMatch, []string{sJujuSite}, func() error {
		_, _, err := e.ctrl.AllocateMachine(gomaasapi.AllocateMachineArgs{Zone: "default", Tags: []string{jujuTag}, AgentName: jujuAgent})
		if !gomaasapi.IsNoMatchError(err) {
			return fmt.Errorf("allocate zone=default tags=%s (no such machine): want gomaasapi's NoMatchError (409), got %s", jujuTag, e.describe(err))
		}
		return nil
	})

	r.step(sJujuAllocate, []string{sJujuZones, sJujuPools, sJujuNoMatch}, func() error {
		m, _, err := e.ctrl.AllocateMachine(gomaasapi.AllocateMachineArgs{
			Zone: jujuZone, Pool: jujuPool, Tags: []string{jujuTag}, NotTags: []string{"never-made"},
			NotInZone: []string{"default"}, AgentName: jujuAgent,
		})
		if err != nil {
			return fmt.Errorf("Controller.AllocateMachine zone/pool/tags: %s", e.describe(err))
		}
		if m.SystemID() != sysID {
			return fmt.Errorf("allocated %s, want existing-node %s", m.SystemID(), sysID)
		}
		if m.Zone() == nil || m.Zone().Name() != jujuZone || m.Pool() == nil || m.Pool().Name() != jujuPool {
			return fmt.Errorf("allocated machine not in zone %s and pool %s", jujuZone, jujuPool)
		}
		if m.StatusName() != "Allocated" {
			return fmt.Errorf("allocated machine status %q, want Allocated", m.StatusName())
		}
		raw, err := e.rawMachine(sysID)
		if err != nil {
			return err
		}
		if tags, _ := raw["tag_names"].([]interface{}); len(tags) != 1 || tags[0] != jujuTag {
			return fmt.Errorf("tag_names %v, want [%s]", raw["tag_names"], jujuTag)
		}
		return nil
	})

	r.step(sJujuRead, []string{sJujuAllocate}, func() error {
		m, err := e.machine(sysID)
		if err != nil {
			return err
		}
		if len(m.InterfaceSet()) == 0 || m.BootInterface() == nil {
			return fmt.Errorf("allocated machine has %d interfaces and boot interface %v", len(m.InterfaceSet()), m.BootInterface())
		}
		if len(m.PhysicalBlockDevices()) == 0 || len(m.BlockDevices()) < len(m.PhysicalBlockDevices()) {
			return fmt.Errorf("allocated machine has %d physical and %d block devices", len(m.PhysicalBlockDevices()), len(m.BlockDevices()))
		}
		for _, i := range m.InterfaceSet() {
			if i.VLAN() == nil && i.Type() == "physical" && len(i.Links()) > 0 {
				return fmt.Errorf("interface %s has links but no VLAN", i.Name())
			}
		}
		return nil
	})

	r.step(sJujuDeploy, []string{sJujuRead}, func() error {
		m, err := e.machine(sysID)
		if err != nil {
			return err
		}
		if err := m.Start(gomaasapi.StartArgs{DistroSeries: "jammy", Comment: "juju conformance"}); err != nil {
			return fmt.Errorf("Machine.Start: %s", e.describe(err))
		}
		_, err = e.waitStatus(sysID, "Deployed")
		return err
	})

	r.step(sJujuRelease, []string{sJujuDeploy}, func() error {
		if err := e.ctrl.ReleaseMachines(gomaasapi.ReleaseMachinesArgs{SystemIDs: []string{sysID}, Comment: "juju conformance"}); err != nil {
			return fmt.Errorf("Controller.ReleaseMachines: %s", e.describe(err))
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
		if z := str(asMap(raw["zone"]), "name"); z != jujuZone {
			return fmt.Errorf("released machine zone %q, want %s (a release keeps the zone)", z, jujuZone)
		}
		return nil
	})
}
