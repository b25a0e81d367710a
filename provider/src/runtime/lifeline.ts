// The engine starts the dynamic-provider process (through a shell wrapper) in a process group of its
// own, and nothing tells that process when the engine dies (kill -9, a closed terminal): it would go
// on polling and changing MAAS with nobody to record the outcome. So the provider checks, every
// fifth of a second, that the engine's address (its first argument) still accepts connections, and exits as soon
// as it is refused. Started only inside the dynamic-provider host.
import * as net from "node:net";

let started = false;

export function watchEngineLifeline(onGone: () => void, everyMs = 200): void {
    if (started || !process.argv.some((a) => a.includes("dynamic-provider"))) return;
    const address = process.argv.slice(2).find((a) => /^[^\s/]+:\d+$/.test(a));
    if (!address) return;
    started = true;
    const at = address.lastIndexOf(":");
    const host = address.slice(0, at);
    const port = Number(address.slice(at + 1));
    const timer = setInterval(() => {
        const probe = net.connect({ host, port });
        probe.once("connect", () => probe.destroy());
        probe.once("error", (e: NodeJS.ErrnoException) => {
            if (e.code === "ECONNREFUSED") {
                clearInterval(timer);
                onGone();
            }
        });
    }, everyMs);
    timer.unref();
    // A progress line written after the engine's pipe closed must not crash the provider mid-change.
    process.stdout.on("error", () => undefined);
    process.stderr.on("error", () => undefined);
}
