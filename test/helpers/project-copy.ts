// A checkout of the project as a new user has it: the tracked files of this working tree in a fresh
// git repository of their own (so `git status` can tell whether a command wrote a tracked file),
// with this tree's installed node_modules and compiled dist/ so nothing is downloaded or rebuilt.
// Commands run in a real bash, one process each, the way a person types them.
import { spawn, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectRoot } from "../../stacks/automation";

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
    seconds: number;
}

export interface ProjectCopy {
    dir: string;
    /** Runs `script` with bash in the copy (or `cwd`), `env` added to this process's environment. */
    bash(script: string, env?: NodeJS.ProcessEnv, cwd?: string): Promise<CommandResult>;
    /** `git status --porcelain` of the copy: empty when no tracked file changed and nothing new appeared. */
    gitStatus(): string;
    close(): void;
}

const git = (dir: string, ...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" });

export function copyProject(): ProjectCopy {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "maas-project-"));
    const tracked = git(projectRoot, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0").filter(Boolean);
    for (const file of tracked) {
        const from = path.join(projectRoot, file);
        if (!fs.existsSync(from)) continue;
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        // Timestamps kept: a package-lock.json newer than node_modules would make bootstrap reinstall.
        fs.cpSync(from, path.join(dir, file), { preserveTimestamps: true });
    }
    fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(dir, "node_modules"));
    for (const built of ["dist", "provider/dist"]) fs.cpSync(path.join(projectRoot, built), path.join(dir, built), { recursive: true, preserveTimestamps: true });
    for (const info of ["tsconfig.tsbuildinfo", "provider/tsconfig.tsbuildinfo"]) {
        if (fs.existsSync(path.join(projectRoot, info))) fs.copyFileSync(path.join(projectRoot, info), path.join(dir, info));
    }
    git(dir, "init", "-q");
    // node_modules is a symlink here, which .gitignore's "node_modules/" (a directory) does not cover.
    fs.appendFileSync(path.join(dir, ".git", "info", "exclude"), "node_modules\n");
    git(dir, "add", "-A");
    git(dir, "-c", "user.name=test", "-c", "user.email=test@localhost", "commit", "-qm", "checkout");
    return {
        dir,
        bash: (script, env = {}, cwd = dir) => runBash(script, { ...process.env, ...env }, cwd),
        gitStatus: () => git(dir, "status", "--porcelain"),
        close: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}

export function runBash(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<CommandResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn("bash", ["-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
    });
}

/** The fenced code block that follows `<!-- tested: NAME -->` in the README, as its lines. */
export function readmeBlock(name: string, readme = fs.readFileSync(path.join(projectRoot, "README.md"), "utf8")): string[] {
    const marker = `<!-- tested: ${name} -->`;
    const at = readme.indexOf(marker);
    if (at < 0) throw new Error(`README.md has no block marked ${marker}`);
    const block = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(at));
    if (!block) throw new Error(`README.md: no code block after ${marker}`);
    return block[1]!.split("\n").filter((l) => l.trim() !== "");
}
