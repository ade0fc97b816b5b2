#!/usr/bin/env python3
"""Checks the rules of the source tree that no compiler checks (docs/architecture.md):
1. no line over 120 characters in C++ (.cpp, .hpp, .h) and CMake files (CMakeLists.txt, .cmake)
   anywhere, and in every file of the front ends (apps/, python/): their scripts and JavaScript
   too. Shell scripts, Python and JavaScript elsewhere (tests, bench, scripts) are not held to it;
2. no function over 100 lines in src/ and apps/ (C++ and JavaScript);
3. the front ends (apps/, python/) only map their input to library calls: none holds a training
   loop, a model copy, a softmax, an evaluation, a gradient check, a CSV writer or a temp file;
4. the playground's session (apps/playground/session.cpp) at most 600 lines: it maps requests to a
   TrainingRun, and what grows beside it (drawing, JSON of the library's structs) lives apart.
Prints every breach as FILE:LINE: what, and exits 1 if there is any.
Usage: scripts/check-sources.py [ROOT [FOLDER...]]   (FOLDERs or files of ROOT: only those; default every folder)"""

import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
ONLY = tuple(sys.argv[2:])
MAX_LINE = 120
MAX_FUNCTION = 100
SESSION, MAX_SESSION = "apps/playground/session.cpp", 600
CODE = (".cpp", ".hpp", ".h", ".py", ".js", ".mjs", ".cmake", ".sh", ".txt")
FOLDERS = ("src", "include", "apps", "python", "tests", "bench", "demos", "examples", "scripts", "cmake", ".ci")
SKIP = ("node_modules", "corpus", "__pycache__")
# The files held to MAX_LINE: C++ and CMake anywhere, and anything in these folders.
LONG_LINE_CODE = (".cpp", ".hpp", ".h", "CMakeLists.txt", ".cmake")
LONG_LINE_FOLDERS = ("apps/", "python/")

# What a front end must leave to the library, as the code that would do it. Each pattern names what
# it stands for; the library's files (src/, include/) are not front ends. A model held by reference
# or pointer is that model, not a copy (bpnn explain reads its model file in double and holds no
# other); a second model beside the one that trains is held by value or by an owning pointer.
FRONT_END_RULES = [
    (r"\bcompute_gradients\b|\bapply_update\b|\brun_gradient_hooks\b|\bBatchLoop\b|\bSampler\b|\bTrainer<",
     "a training loop (use TrainingRun or fit)"),
    # One model's weights copied into another (a double mirror of a float model, a kept state_dict
    # put back): a front end may hold a model of either type, never two copies of one. Reading the
    # weights (state_dict() for PyTorch, coefs_ for scikit-learn) is no copy.
    (r"\bsync_view\b|\.load_state_dict\(|\bdeepcopy\b|std::copy\([^;]*\b(values|parameters)\(\)",
     "a copy of the model"),
    (r"std::exp\(|\bmath\.exp\(|\bnp\.exp\(|Math\.exp\(",
     "a softmax or sigmoid of its own (use the library's probabilities)"),
    (r"\baccuracy\s*=\s*[^=]*/|\bcorrect\s*\+\+|\bright\s*\+=", "an evaluation of its own (use evaluate)"),
    # The central difference (E(v + h) - E(v - h)) / 2h as code: the division by twice the step.
    (r"/\s*\(\s*2(\.0)?\s*\*\s*(h|eps|epsilon|step)\s*\)|\+\s*eps\b.*-\s*eps\b",
     "a gradient check of its own (use check_gradients)"),
    (r"\bcsv\.writer\b|\.join\(\",\"\)|append\(\",\"\)|\+=\s*\",\"", "a CSV writer of its own (use CsvWriter)"),
    (r"\bmkstemp\b|\btmpnam\b|\btmpfile\b|temp_directory_path|\btempfile\b", "a temp file"),
]


def files(folders, endings):
    for folder in folders:
        if os.path.isfile(os.path.join(ROOT, folder)):
            if folder.endswith(endings):
                yield os.path.join(ROOT, folder)
            continue
        for base, dirs, names in os.walk(os.path.join(ROOT, folder)):
            dirs[:] = [d for d in dirs if d not in SKIP]
            for name in sorted(names):
                if name.endswith(endings) and name != "package-lock.json":
                    yield os.path.join(base, name)


def rel(path):
    return os.path.relpath(path, ROOT)


def long_lines(path, lines):
    for number, line in enumerate(lines, 1):
        if len(line.rstrip("\n")) > MAX_LINE:
            yield f"{rel(path)}:{number}: {len(line.rstrip())} characters (at most {MAX_LINE})"


def strip_strings_and_comments(line, in_block):
    """The line without string literals and comments (C++/JS), and whether a block comment goes on."""
    out, i = [], 0
    while i < len(line):
        if in_block:
            end = line.find("*/", i)
            if end < 0:
                return "".join(out), True
            i, in_block = end + 2, False
        elif line.startswith("//", i):
            break
        elif line.startswith("/*", i):
            in_block = True
            i += 2
        elif line[i] in "\"'`":
            quote, i = line[i], i + 1
            while i < len(line) and line[i] != quote:
                i += 2 if line[i] == "\\" else 1
            i += 1
            out.append('""')
        else:
            out.append(line[i])
            i += 1
    return "".join(out), in_block


# A function definition's first line: a name and its parameters at the start of a statement,
# not a control statement, a lambda or a class.
DEFINITION = re.compile(r"^\s*(?:[\w:<>,*&~\s\[\]]+?\s)?(?:[\w:~]+|operator\S+)\s*\((?!.*;\s*$)")
NOT_A_FUNCTION = re.compile(r"^\s*(?:if|for|while|switch|catch|return|else|do|case|namespace|class|struct|enum)\b")


def long_functions(path, lines):
    """Function bodies longer than MAX_FUNCTION lines: from a definition's opening brace at the
    end of its signature to the brace that closes it."""
    depth, in_block = 0, False
    start = None  # (line number, name, depth) of the function being measured
    signature = ""
    for number, raw in enumerate(lines, 1):
        code, in_block = strip_strings_and_comments(raw, in_block)
        if start is None:
            signature = (signature + " " + code.strip()) if signature else code.strip()
            if code.strip().endswith((";", "}")) or NOT_A_FUNCTION.match(signature):
                signature = ""
        for char in code:
            if char == "{":
                if start is None and DEFINITION.match(signature) and "=" not in signature.split("(")[0]:
                    name = re.search(r"([\w:~]+|operator\S+)\s*\(", signature).group(1)
                    start = (number, name, depth)
                depth += 1
                signature = ""
            elif char == "}":
                depth -= 1
                if start is not None and depth == start[2]:
                    length = number - start[0] + 1
                    if length > MAX_FUNCTION:
                        yield f"{rel(path)}:{start[0]}: function {start[1]} is {length} lines (at most {MAX_FUNCTION})"
                    start = None


def front_end_breaches(path, lines):
    """Each rule is matched against the code (strings and comments left out); a CSV writer's
    against the whole line (its pattern holds the string it writes)."""
    in_block = False
    for number, raw in enumerate(lines, 1):
        python = path.endswith(".py")
        code, in_block = strip_strings_and_comments(raw, in_block) if not python else (raw.split("#")[0], False)
        for pattern, what in FRONT_END_RULES:
            if re.search(pattern, raw if "csv" in what.lower() else code):
                yield f"{rel(path)}:{number}: {what}"


def main():
    breaches = []
    for path in files(ONLY or FOLDERS, CODE):
        if path.endswith(".txt") and not path.endswith("CMakeLists.txt"):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
        if path.endswith(LONG_LINE_CODE) or rel(path).startswith(LONG_LINE_FOLDERS):
            breaches += long_lines(path, lines)
        if rel(path).startswith(("src/", "apps/")) and path.endswith((".cpp", ".hpp", ".js")):
            breaches += long_functions(path, lines)
        if rel(path).startswith(("apps/", "python/")) and path.endswith((".cpp", ".hpp", ".js", ".py")):
            breaches += front_end_breaches(path, lines)
        if rel(path) == SESSION and len(lines) > MAX_SESSION:
            breaches.append(f"{SESSION}:1: {len(lines)} lines (at most {MAX_SESSION})")
    for breach in breaches:
        print(breach)
    print(f"{len(breaches)} breach(es) of the source rules" if breaches else "the sources keep every rule")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
