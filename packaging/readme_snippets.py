"""Runs every code snippet and command of the repository's READMEs, as written (part of
`make test`, called by packaging/test-artifacts.sh in the environments it installed).

A fenced block is run according to its language:
  sh        a bash script (`set -euo pipefail`); the words after `sh` on the fence say
            where: none: at the repository root, with `poci` from `cargo install --path
            cli` on PATH; `python`: in a scratch folder with the test venv first on PATH and
            dist/ standing in for PyPI; `node`: in a new empty npm project with the local
            registry serving dist/; `macos`: needs Xcode and a Swift toolchain, which this
            machine lacks: listed as not run, never counted as passed
  python    a script run by the venv's Python (the installed wheel), no Rust on PATH
  js        a CommonJS script run by Node from an npm project where `npm install poci` ran
  rust      a binary of a scratch cargo project whose [dependencies] are the README's
            ```toml [dependencies]``` block (the packaged crates); wrapped in
            `fn main() -> Result<(), Box<dyn Error>>` unless it has its own `fn main`
  toml      parsed; a [dependencies] block becomes the scratch project's dependencies,
            a whole vendor manifest is loaded by `poci registry list --vendor-roots`
  json      parsed
  swift     not run here (no Swift toolchain): listed as not run
Blocks without a language are text (folder layouts) and are not code.

Two commands cannot run literally because nothing is published yet; the runner runs their
dist/ equivalent and says so: `cargo install poci-cli` (from the packaged crate) and
`cargo add poci...` (the scratch project's dependencies). `pip install poci-network` and
`npm install poci` do run as written: PIP_NO_INDEX/PIP_FIND_LINKS and npm_config_registry
point them at dist/. `make test` is the command running this, and is not run again.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```(\S*)(.*)$")


def blocks(readme: Path):
    """(line number, language, words after it, code) of each fenced block."""
    lines = readme.read_text().splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        start, language, words = index + 1, match.group(1), match.group(2).split()
        body = []
        index += 1
        while index < len(lines) and not lines[index].startswith("```"):
            body.append(lines[index])
            index += 1
        if index == len(lines):
            raise SystemExit(f"{readme}:{start}: unclosed code block")
        index += 1
        yield start, language, words, "\n".join(body) + "\n"


# Build outputs and installed packages, whose READMEs are not the repository's.
NOT_SOURCES = {
    ".git", "target", "dist", "node_modules", "poci-report", ".venv", ".build", ".pytest_cache",
    "__pycache__", "my-roots", "my-chip", "my-run",
}


def readmes():
    """Every README.md of the repository's own files, in path order."""
    found = []
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = sorted(d for d in subdirectories if d not in NOT_SOURCES)
        if "README.md" in files:
            found.append(Path(directory) / "README.md")
    return sorted(found, key=lambda path: path.relative_to(ROOT).as_posix())


class Runner:
    def __init__(self, args):
        self.args = args
        self.work = Path(args.work) / "snippets"
        self.work.mkdir(parents=True, exist_ok=True)
        self.venv = Path(args.venv)
        self.crates = Path(args.crates)
        self.cargo_root = self.work / "cargo-root"
        self.passed = 0
        self.not_run = []
        self.failures = []
        self.counter = 0

    # -- environments --------------------------------------------------------------------
    def env(self, rust: bool, extra=None):
        env = dict(os.environ)
        path = os.environ["PATH"] if rust else self.args.no_rust_path
        env["PATH"] = f"{self.cargo_root / 'bin'}:{path}"
        env["CARGO_INSTALL_ROOT"] = str(self.cargo_root)
        env["CARGO_TARGET_DIR"] = str(ROOT / "target")
        env.update(extra or {})
        return env

    def python_env(self):
        return self.env(rust=False, extra={
            "PATH": f"{self.venv / 'bin'}:{self.args.no_rust_path}",
            "VIRTUAL_ENV": str(self.venv),
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(ROOT / "dist"),
        })

    def node_env(self):
        return self.env(rust=False, extra={"npm_config_registry": self.args.registry})

    def fresh_dir(self, name):
        self.counter += 1
        path = self.work / f"{self.counter:03d}-{name}"
        path.mkdir(parents=True)
        return path

    # -- one block -----------------------------------------------------------------------
    def run(self, where, command, cwd, env):
        print(f"--- {where}", flush=True)
        result = subprocess.run(command, cwd=cwd, env=env)
        if result.returncode == 0:
            self.passed += 1
        else:
            self.failures.append(f"{where}: exit {result.returncode}")

    def shell(self, where, words, code):
        lines = []
        for line in code.splitlines():
            stripped = line.split("#", 1)[0].strip()
            if stripped == "make test":
                print(f"--- {where}: `make test` is what runs this; not run again")
                continue
            if stripped.startswith("cargo install poci-cli"):
                # Not published: the same install from the packaged crate, whose poci and
                # poci-folder dependencies come from the packaged crates too.
                crates = self.crates
                line = (
                    f"cargo install --quiet --path {shlex.quote(str(crates / 'poci-cli-0.1.0'))}"
                    f" --config 'patch.crates-io.poci.path=\"{crates / 'poci-0.1.0'}\"'"
                    f" --config 'patch.crates-io.poci-folder.path=\"{crates / 'poci-folder-0.1.0'}\"'"
                )
                print(f"--- {where}: `cargo install poci-cli` runs from dist/: {line}")
            lines.append(line)
        script = "set -euo pipefail\n" + "\n".join(lines) + "\n"
        if "macos" in words:
            self.not_run.append(f"{where}: needs macOS with Xcode and a Swift toolchain")
            return
        if "python" in words:
            cwd, env = self.fresh_dir("sh-python"), self.python_env()
        elif "node" in words:
            cwd = self.fresh_dir("sh-node")
            subprocess.run(["npm", "init", "-y"], cwd=cwd, env=self.node_env(), check=True,
                           stdout=subprocess.DEVNULL)
            env = self.node_env()
        else:
            cwd, env = ROOT, self.env(rust=True)
        self.run(where, ["bash", "-c", script], cwd, env)

    def python(self, where, code):
        path = self.fresh_dir("python") / "snippet.py"
        path.write_text(code)
        self.run(where, [str(self.venv / "bin" / "python"), str(path)], ROOT, self.python_env())

    def js(self, where, code):
        path = Path(self.args.node_project) / f"snippet-{self.counter:03d}.cjs"
        self.counter += 1
        path.write_text(code)
        self.run(where, ["node", str(path)], ROOT, self.node_env())

    def rust(self, where, code, dependencies):
        if dependencies is None:
            self.failures.append(f"{where}: a Rust snippet needs a ```toml [dependencies] block")
            return
        project = self.fresh_dir("rust")
        patches = "\n".join(
            f'{name} = {{ path = "{self.crates / f"{name}-0.1.0"}" }}'
            for name in ("poci", "poci-folder", "poci-cli")
        )
        (project / "Cargo.toml").write_text(
            '[package]\nname = "readme-snippet"\nversion = "0.1.0"\nedition = "2024"\n\n'
            f"{dependencies}\n[patch.crates-io]\n{patches}\n\n[workspace]\n"
        )
        if "fn main" not in code:
            code = (
                "fn main() -> Result<(), Box<dyn std::error::Error>> {\n"
                f"{code}    Ok(())\n}}\n"
            )
        (project / "src").mkdir()
        (project / "src" / "main.rs").write_text(code)
        # The build of the packaged crate's tests (same dependencies) is reused.
        env = self.env(rust=True, extra={"CARGO_TARGET_DIR": str(ROOT / "target/package/tmp-crate")})
        self.run(where, ["cargo", "run", "--quiet", "--config",
                         'profile.dev.package."*".opt-level=2',
                         "--manifest-path", str(project / "Cargo.toml")], ROOT, env)

    def toml(self, where, code):
        try:
            document = tomllib.loads(code)
        except tomllib.TOMLDecodeError as error:
            self.failures.append(f"{where}: {error}")
            return
        if "schema" in document and "vendor_id" in document:
            folder = self.fresh_dir("manifest") / "roots" / document["vendor_id"]
            folder.mkdir(parents=True)
            (folder / "manifest.toml").write_text(code)
            self.run(where, ["poci", "registry", "list", "--vendor-roots", str(folder.parent)],
                     ROOT, self.env(rust=True))
        else:
            self.passed += 1

    def readme(self, readme: Path):
        relative = readme.relative_to(ROOT)
        found = list(blocks(readme))
        dependencies = None
        for _, language, _, code in found:
            if language == "toml" and code.lstrip().startswith("[dependencies]"):
                dependencies = code
                break
        for line, language, words, code in found:
            where = f"{relative}:{line} ({language or 'text'}{' ' if words else ''}{' '.join(words)})"
            if language in ("sh", "bash"):
                self.shell(where, words, code)
            elif language == "python":
                self.python(where, code)
            elif language in ("js", "javascript"):
                self.js(where, code)
            elif language == "rust":
                self.rust(where, code, dependencies)
            elif language == "toml":
                self.toml(where, code)
            elif language == "json":
                try:
                    json.loads(code)
                    self.passed += 1
                except json.JSONDecodeError as error:
                    self.failures.append(f"{where}: {error}")
            elif language == "swift":
                self.not_run.append(f"{where}: no Swift toolchain on this machine")
            elif language in ("", "text"):
                continue
            else:
                self.failures.append(f"{where}: no rule to run a `{language}` block")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("--work", "--venv", "--node-project", "--registry", "--crates", "--no-rust-path"):
        parser.add_argument(name, required=True)
    parser.add_argument("readme", nargs="*", help="only these READMEs")
    args = parser.parse_args()
    runner = Runner(args)
    chosen = [Path(path).resolve() for path in args.readme] or readmes()
    for readme in chosen:
        runner.readme(readme)
    for item in runner.not_run:
        print(f"not run: {item}")
    for failure in runner.failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    print(f"README snippets: {runner.passed} passed, {len(runner.failures)} failed, "
          f"{len(runner.not_run)} not run")
    sys.exit(1 if runner.failures else 0)


if __name__ == "__main__":
    main()
