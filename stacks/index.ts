// Entry point for `pulumi up` in the project directory (Pulumi.yaml `main: dist/stacks/`), for engines
// that have the Node.js language host. This project's own commands run the same program inline.
import { maasProgram } from "./program";

export = maasProgram();
