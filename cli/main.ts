#!/usr/bin/env node
// `maas-automation`: the original SDK's command line on top of the Pulumi engine. See docs/cli.md.
import { main } from "./run";

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
        // The engine's gRPC servers and the MAAS client's sockets may keep the loop alive.
        setTimeout(() => process.exit(code), 50).unref();
    },
    (e: unknown) => {
        process.stderr.write(`maas-automation: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exit(1);
    },
);
