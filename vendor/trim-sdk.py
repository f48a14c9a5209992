#!/usr/bin/env python3
"""Trims a generated AWS SDK crate to the operations driftdrill calls.

Why: a clean debug build of driftdrill was mostly the AWS SDK's service models compiling
(aws-sdk-ec2 alone is 1.2 million lines for ~800 operations, of which driftdrill calls about
thirty). smithy-rs can generate a client for part of a model, but that needs a JVM, gradle and
the service models; this script gets the same result by deleting code from the published crate:

1. every operation driftdrill's sources do not name (its `operation/` module, its fluent
   method in `client/`), and the items that name it (error conversions, paginator lenses,
   waiters built on it);
2. every shape (`types/`, `types/error/`), serializer (`protocol_serde/`) and waiter no longer
   reachable from what is left.

It never edits a kept line: it only removes whole files and whole items (an `impl`, a `fn`,
a `mod x;`, a `pub use`, a type registry's entry), so what is left is the published code,
byte for byte (it checks that), plus one line in lib.rs that allows warnings. The kept
operations are listed in the trimmed crate's TRIMMED.md.

Usage (from the repository root, after adding a call to an operation that is not kept):
    python3 vendor/trim-sdk.py            # every crate in CRATES, from ~/.cargo/registry
    python3 vendor/trim-sdk.py aws-sdk-ec2
The version trimmed is the newest Cargo.lock names; the script has cargo download it if needed.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# The crates to trim, and operations to keep although driftdrill's sources do not name them.
CRATES = {
    "aws-sdk-ec2": [],
    "aws-sdk-ssm": [],
    "aws-sdk-iam": [],
    "aws-sdk-s3": ["create_session"],  # S3 Express One Zone sessions (s3_express.rs)
    "aws-sdk-cloudwatchlogs": [],
    "aws-sdk-cloudwatch": [],
    "aws-sdk-sns": [],
    "aws-sdk-sqs": [],
}

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ["src", "tests", "benches"]


def mask(text):
    """Returns text with comments and string and char literals blanked (same length)."""
    out = list(text)
    i, n = 0, len(text)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 40]) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + len(hashes) + 2)
            blank(i, end + 1 + len(hashes))
            i = end + 1 + len(hashes)
        elif c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            blank(i, j + 1)
            i = j + 1
        elif c == "'":
            if text[i + 1] == "\\":
                j = text.find("'", i + 2)
                blank(i, j + 1)
                i = j + 1
            elif i + 2 < n and text[i + 2] == "'":
                blank(i, i + 3)
                i += 3
            else:
                i += 1  # a lifetime
        else:
            i += 1
    return "".join(out)


def items(masked, start, end):
    """Splits masked[start:end] into items: (a, b) spans, each ending at a `;` or a `}` at depth 0.
    Leading attributes and doc comments belong to the item after them."""
    spans, depth, a, i = [], 0, start, start
    while i < end:
        c = masked[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0 and c == "}":
                j = i + 1
                while j < end and masked[j] in " \t\r\n":
                    j += 1
                if j < end and masked[j] == ";":
                    i = j
                spans.append((a, i + 1))
                a = i + 1
        elif c == ";" and depth == 0:
            spans.append((a, i + 1))
            a = i + 1
        i += 1
    return spans, a  # a: where trailing text (whitespace) starts


REGISTRIES = {"type_registry.rs", "error_type_registry.rs"}
MOD_OR_USE = re.compile(r"^\s*(#\[[^\]]*\]\s*)*(pub(\([^)]*\))?\s+)?(mod\s+\w+\s*;|use\s[^;]*;)\s*$", re.S)
MOD_DECL = re.compile(r"^\s*(#\[[^\]]*\]\s*)*(pub(\([^)]*\))?\s+)?mod\s+(\w+)\s*;\s*$", re.S)
IMPL_OR_TRAIT = re.compile(r"^\s*(#\[[^\]]*\]\s*)*(pub(\([^)]*\))?\s+)?(unsafe\s+)?(impl\b|trait\b)", re.S)


class Crate:
    def __init__(self, src):
        self.src = src
        self.files = {p.relative_to(src).as_posix(): p.read_text() for p in src.rglob("*.rs")}
        self.masked = {k: mask(v) for k, v in self.files.items()}
        self.ops = {Path(k).stem for k in self.files if re.fullmatch(r"operation/\w+\.rs", k)}
        self.names = {}  # re-exported type name -> the candidate file that defines it
        for index, pattern in [("types.rs", r"crate::types::(_\w+)::(\w+);"),
                               ("types/builders.rs", r"crate::types::(_\w+)::(\w+);"),
                               ("types/error.rs", r"crate::types::error::(_\w+)::(\w+);"),
                               ("types/error/builders.rs", r"crate::types::error::(_\w+)::(\w+);")]:
            folder = "types/error/" if "error" in index else "types/"
            for module, name in re.findall(pattern, self.files.get(index, "")):
                self.names[(folder, name)] = folder + module + ".rs"

    def is_candidate(self, path):
        """Files kept only while something names them (matchers.rs serves every waiter, so its
        items are pruned instead)."""
        return path != "waiters/matchers.rs" and bool(
            re.fullmatch(r"types/_\w+\.rs|types/error/_\w+\.rs|protocol_serde/shape_\w+\.rs|waiters/\w+\.rs", path))

    def referenced(self, masked):
        """The files of operations, shapes, serializers and waiters that this code names."""
        found = set()
        for op in re.findall(r"crate::operation::(\w+)", masked):
            found.add(f"operation/{op}.rs")
        for name in re.findall(r"crate::types::error::(?:builders::)?(\w+)", masked):
            found.add(self.names.get(("types/error/", name), f"types/error/{name}.rs"))
        for name in re.findall(r"crate::types::(?:builders::)?(\w+)", masked):
            found.add(self.names.get(("types/", name), f"types/{name}.rs"))
        for name in re.findall(r"crate::protocol_serde::(\w+)", masked):
            found.add(f"protocol_serde/{name}.rs")
        for name in re.findall(r"crate::waiters::(\w+)", masked):
            found.add(f"waiters/{name}.rs")
        return found

    def remove_file(self, path):
        self.files.pop(path, None)
        self.masked.pop(path, None)
        folder = path[:-3] + "/"
        for other in [k for k in self.files if k.startswith(folder)]:
            self.remove_file(other)

    def drop_operations(self, keep):
        for op in sorted(self.ops - keep):
            self.remove_file(f"operation/{op}.rs")
            self.remove_file(f"client/{op}.rs")

    def dangling(self, masked, path):
        """Whether this code names a file that is gone (or declares a module that is gone)."""
        decl = MOD_DECL.match(masked)
        if decl:
            folder = "" if path in ("lib.rs",) else path[:-3] + "/"
            name = decl.group(4)
            return f"{folder}{name}.rs" not in self.files and f"{folder}{name}/mod.rs" not in self.files
        return any(f not in self.files for f in self.referenced(masked)
                   if f.startswith(("operation/", "types/", "protocol_serde/", "waiters/")) and self.known(f))

    def known(self, path):
        return path in self.original

    def prune_file(self, path):
        """Removes the items of one file that name something gone; recurses into impl and trait bodies."""
        text, masked = self.files[path], self.masked[path]
        keep = self.prune_span(text, masked, 0, len(text), path)
        if keep != text:
            self.files[path], self.masked[path] = keep, mask(keep)
            return True
        return False

    def prune_span(self, text, masked, start, end, path):
        spans, tail = items(masked, start, end)
        out = []
        for a, b in spans:
            m = masked[a:b]
            body = m.find("{")
            if IMPL_OR_TRAIT.match(m) and body >= 0 and not self.dangling(m[:body], path):
                close = a + m.rstrip().rfind("}")
                inner = self.prune_span(text, masked, a + body + 1, close, path)
                out.append(text[a:a + body + 1] + inner + text[close:b])
            elif not self.dangling(m, path):
                out.append(text[a:b])
        out.append(text[tail:end])
        return "".join(out)

    def prune_registry(self, path):
        """Removes the `.insert_shape(...)` entries of a type registry that name a shape that is
        gone. The registries (`Client::registry()`, `Client::error_registry()`) list every shape
        of the service; driftdrill does not use them, and an operation that is kept consults its
        own error registry first, so they do not keep shapes alive."""
        text, masked = self.files[path], self.masked[path]
        out, last = [], 0
        for m in re.finditer(r"\.insert_shape\(", masked):
            depth, i = 0, m.end() - 1
            while True:
                depth += {"(": 1, ")": -1}.get(masked[i], 0)
                if depth == 0:
                    break
                i += 1
            if self.dangling(masked[m.start():i + 1], path):
                out.append(text[last:m.start()])
                last = i + 1
        if last == 0:
            return False
        out.append(text[last:])
        self.files[path] = "".join(out)
        self.masked[path] = mask(self.files[path])
        return True

    def reachable(self):
        """Candidate files reachable from every other file, not counting `mod`/`use` items."""
        seen, todo = set(), []
        for path, masked in self.masked.items():
            if self.is_candidate(path) or path in REGISTRIES:
                continue
            spans, _ = items(masked, 0, len(masked))
            code = " ".join(masked[a:b] for a, b in spans if not MOD_OR_USE.match(masked[a:b]))
            todo.extend(self.referenced(code))
        while todo:
            f = todo.pop()
            if f in seen or f not in self.files:
                continue
            seen.add(f)
            todo.extend(self.referenced(self.masked[f]))
        return seen

    def trim(self, keep):
        self.original = set(self.files)
        self.drop_operations(keep)
        while True:
            changed = False
            for path in sorted(self.files):
                if path in REGISTRIES:
                    changed |= self.prune_registry(path)
                elif path in self.files and not self.is_candidate(path) and self.prune_file(path):
                    changed = True
            reach = self.reachable()
            for path in [p for p in self.files if self.is_candidate(p)]:
                if path not in reach or any(f not in self.files for f in self.referenced(self.masked[path]) if self.known(f)):
                    self.remove_file(path)
                    changed = True
            if not changed:
                return


def named_identifiers():
    words = set()
    for folder in SCANNED:
        for p in (ROOT / folder).rglob("*.rs"):
            words.update(re.findall(r"[a-z_][a-z0-9_]*", p.read_text()))
    return words


def locked_version(name):
    """The newest version of the crate in Cargo.lock: after a version bump in Cargo.toml that is
    the published one (the old vendored copy is then listed as an unused patch)."""
    lock = (ROOT / "Cargo.lock").read_text()
    found = re.findall(r'\[\[(?:package|patch\.unused)\]\]\nname = "%s"\nversion = "([^"]+)"' % re.escape(name), lock)
    return max(found, key=lambda v: tuple(int(x) for x in v.split(".")))


def registry_source(name, version):
    """The published crate's source, downloaded by cargo into its registry if it is not there
    (with the patch in place, building driftdrill never downloads it)."""
    home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    found = sorted(home.glob(f"registry/src/*/{name}-{version}"))
    if not found:
        with tempfile.TemporaryDirectory() as scratch:
            (Path(scratch) / "src").mkdir()
            (Path(scratch) / "src" / "lib.rs").write_text("")
            (Path(scratch) / "Cargo.toml").write_text(
                f'[package]\nname = "fetch"\nversion = "0.0.0"\n\n[dependencies]\n{name} = "={version}"\n')
            subprocess.run(["cargo", "fetch", "--quiet"], cwd=scratch, check=True)
        found = sorted(home.glob(f"registry/src/*/{name}-{version}"))
    return found[-1]


def only_removed(original, trimmed):
    """Whether trimmed is original with parts deleted and nothing added or changed."""
    at = 0
    for c in trimmed:
        at = original.find(c, at) + 1
        if at == 0:
            return False
    return True


def quiet(lib):
    """lib.rs with every lint allowed. A path dependency is linted like driftdrill's own code,
    and what the trim leaves unused (serializers of fields only dropped operations send) would
    otherwise warn in every build and fail `cargo clippy -- -D warnings`."""
    lines = lib.split("\n")
    last = max(i for i, line in enumerate(lines) if line.startswith("#!["))
    lines.insert(last + 1, "#![allow(warnings, clippy::all)] // added by vendor/trim-sdk.py")
    return "\n".join(lines)


def manifest(text):
    """The published Cargo.toml without its tests, benches and dev-dependencies (not shipped
    here) and its build hints (stable cargo warns about them for a path dependency)."""
    sections = re.split(r"(?m)^(?=\[)", text)
    keep = [s for s in sections if not re.match(r"\[\[(test|bench|example)\]\]|\[dev-dependencies|\[hints\]", s)]
    return "".join(keep)


def operations_to_keep(crate, extra):
    """The crate's operations that driftdrill's sources name (as a method, a module or a mock),
    those its waiters call, and the extra ones CRATES lists."""
    words = named_identifiers()
    keep = (crate.ops & words) | set(extra)
    for waiter in re.findall(r"wait_until_(\w+)", " ".join(words)):
        calls = crate.referenced(crate.masked.get(f"waiters/{waiter}.rs", ""))
        keep |= {f[len("operation/"):-3] for f in calls if f.startswith("operation/")}
    return keep


def write_copy(crate, source, out, summary):
    """Writes the trimmed crate to out: its sources, manifest, licence and TRIMMED.md."""
    for path, text in crate.files.items():
        assert only_removed((source / "src" / path).read_text(), text), f"{path} was edited"
    crate.files["lib.rs"] = quiet(crate.files["lib.rs"])
    if out.exists():
        shutil.rmtree(out)
    for path, text in crate.files.items():
        (out / "src" / path).parent.mkdir(parents=True, exist_ok=True)
        (out / "src" / path).write_text(text)
    (out / "Cargo.toml").write_text(manifest((source / "Cargo.toml").read_text()))
    for extra_file in ["LICENSE", "README.md"]:
        if (source / extra_file).exists():
            shutil.copy(source / extra_file, out / extra_file)
    (out / "TRIMMED.md").write_text(summary)


def trim_crate(name, extra):
    version = locked_version(name)
    source = registry_source(name, version)
    crate = Crate(source / "src")
    keep = operations_to_keep(crate, extra)
    crate.trim(keep)
    kept = sorted(crate.ops & keep)
    counts = f"{len(kept)} of {len(crate.ops)} operations, {len(crate.files)} of {len(crate.original)} source files"
    write_copy(crate, source, ROOT / "vendor" / name,
               f"# {name} {version}, trimmed\n\n"
               f"Generated by `python3 vendor/trim-sdk.py {name}` from the published crate: whole files and\n"
               f"items were removed, nothing else changed but one line in lib.rs that allows warnings.\n"
               f"Kept: {counts}.\n\n" + "".join(f"- {op}\n" for op in kept))
    print(f"{name} {version}: kept {counts}")


def main():
    names = sys.argv[1:] or list(CRATES)
    for name in names:
        trim_crate(name, CRATES.get(name, []))


if __name__ == "__main__":
    main()
