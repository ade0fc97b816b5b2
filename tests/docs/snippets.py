#!/usr/bin/env python3
"""The code blocks of README.md and docs/*.md that are marked runnable, run as a reader would.

A fenced block whose info string is a language and the word `run` is run; GitHub shows it as
that language (it reads only the first word):

    ```sh run        bash -e -o pipefail, `bpnn` on PATH
    ```python run    Python with the build's bpnn module on PYTHONPATH
    ```cpp run       a whole program (with main), compiled against the library by the build
                     (CMake target doc_<name>, extracted at configure time), then run

Two more marks serve them: ```LANG file=NAME writes the block's text to NAME first (a network
file, a CSV shown on the page), and ```text output right after a run block lists lines the run
must print, in that order. Blocks without a mark (syntax summaries, builds, servers, clusters)
are shown, not run; each file's report counts them.

One file's blocks run in order in one scratch folder, so a later block may use what an earlier
one wrote. The folder starts with small generated stand-ins for the files the docs name
(train-images-idx3-ubyte.gz: 600 synthetic 28x28 digits; iris.csv; building.train; wine.data; ...), made
when a runnable block names them, so the commands run as printed, in seconds.

  snippets.py extract SOURCE_DIR OUT_DIR        C++ blocks -> OUT_DIR/NAME.cpp, OUT_DIR/snippets.cmake
  snippets.py run SOURCE_DIR DOC WORK_DIR --bpnn BPNN --snippets OUT_DIR [--python PY --pythonpath DIR]
"""
import argparse
import gzip
import os
import re
import shutil
import struct
import subprocess
import sys
import time

BLOCK_TIMEOUT = 120  # seconds a block may take
RUN_LANGUAGES = {"sh": "sh", "bash": "sh", "python": "python", "cpp": "cpp", "c++": "cpp"}


class Block:
    def __init__(self, doc, line, info, text):
        self.doc, self.line, self.text = doc, line, text  # line: 1-based, of the opening fence
        words = info.split()
        self.language = words[0].lower() if words else ""
        self.marks = words[1:]
        self.run = "run" in self.marks
        self.file = next((m[len("file="):] for m in self.marks if m.startswith("file=")), None)
        self.output = self.language == "text" and "output" in self.marks

    def where(self):
        return f"{self.doc}:{self.line}"


def blocks_of(path, doc):
    """Every fenced block of a Markdown file (``` or ~~~, any length of fence)."""
    blocks, lines = [], open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        opening = re.match(r"^(\s*)(`{3,}|~{3,})(.*)$", lines[i])
        if not opening or (opening.group(2)[0] == "`" and "`" in opening.group(3)):  # inline code, as CommonMark says
            i += 1
            continue
        indent, fence, info = opening.groups()
        body, j = [], i + 1
        while j < len(lines) and not re.match(r"^\s*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$", lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j])
            j += 1
        blocks.append(Block(doc, i + 1, info.strip(), "\n".join(body) + "\n"))
        i = j + 1
    return blocks


def documents(source):
    """README.md and docs/*.md, as paths relative to source."""
    docs = ["README.md"] if os.path.exists(os.path.join(source, "README.md")) else []
    folder = os.path.join(source, "docs")
    docs += sorted("docs/" + f for f in os.listdir(folder) if f.endswith(".md"))
    return docs


def stem(doc):
    return re.sub(r"[^A-Za-z0-9]+", "_", os.path.splitext(os.path.basename(doc))[0]).lower()


def check_marks(block):
    """A mark this runner does not know is an error, so a typo does not turn a test off."""
    for mark in block.marks:
        if mark not in ("run", "output") and not mark.startswith("file="):
            raise SystemExit(f"{block.where()}: unknown mark '{mark}' in ```{block.language} {' '.join(block.marks)}")
    if block.run and block.language not in RUN_LANGUAGES:
        raise SystemExit(f"{block.where()}: ```{block.language} run: only sh, bash, python and cpp blocks run")


def cpp_snippets(source):
    """(name, block) of every runnable C++ block, named <doc stem>_<k>: k counts from 1 per doc."""
    snippets = []
    for doc in documents(source):
        k = 0
        for block in blocks_of(os.path.join(source, doc), doc):
            check_marks(block)
            if block.run and RUN_LANGUAGES[block.language] == "cpp":
                k += 1
                snippets.append((f"{stem(doc)}_{k}", block))
    return snippets


def cpp_source(block, source):
    """The block as a translation unit; #line makes the compiler's messages point into the doc."""
    return f'#line {block.line + 1} "{os.path.join(source, block.doc)}"\n' + block.text


def write_if_changed(path, text):
    if not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def extract(source, out):
    os.makedirs(out, exist_ok=True)
    snippets = cpp_snippets(source)
    for name, block in snippets:
        write_if_changed(os.path.join(out, name + ".cpp"), cpp_source(block, source))
    runnable, tally, total, run = [], [], 0, 0
    for doc in documents(source):
        blocks = [b for b in blocks_of(os.path.join(source, doc), doc) if not b.output and not b.file]
        marked = sum(b.run for b in blocks)
        total, run = total + len(blocks), run + marked
        if marked:
            runnable.append(doc)
        if blocks:
            tally.append(f"{doc} {marked}/{len(blocks)}")
    print(f"-- bpnn: the docs' code blocks the tests run: {run} of {total} ({', '.join(tally)})")
    write_if_changed(os.path.join(out, "snippets.cmake"),
                     "# Written by tests/docs/snippets.py extract: the runnable C++ blocks and the docs that have any.\n"
                     f"set(BPNN_DOC_SNIPPETS {' '.join(name for name, _ in snippets)})\n"
                     f"set(BPNN_DOC_FILES {' '.join(runnable)})\n"
                     f"set(BPNN_DOC_SOURCES {' '.join(os.path.join(source, d) for d in documents(source))})\n")


# ---- stand-ins for the files the docs name ---------------------------------------------------

def lcg(seed):
    """A small deterministic generator (the fixtures must not depend on numpy's versions)."""
    state = seed
    while True:
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        yield (state >> 11) / 2**53


def write_idx(prefix, count, seed, labelled=True):
    """count 28x28 images: class c is a bar across row 3 + 2c and one down column 3 + 2c, in noise."""
    rand = lcg(seed)
    pixels, labels = bytearray(), bytearray()
    for n in range(count):
        c = n * 7 % 10
        image = [int(next(rand) * 60) for _ in range(784)]
        for k in range(28):
            for thick in (0, 1):
                image[(3 + 2 * c + thick) * 28 + k] = 200 + int(next(rand) * 55)
                image[k * 28 + 3 + 2 * c + thick] = 200 + int(next(rand) * 55)
        pixels += bytes(image)
        labels.append(c)
    with gzip.open(f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
        f.write(struct.pack(">IIII", 0x803, count, 28, 28) + bytes(pixels))
    if labelled:
        with gzip.open(f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">II", 0x801, count) + bytes(labels))


def write_iris(path, count, seed, labelled=True):
    rand = lcg(seed)
    names = ["setosa", "versicolor", "virginica"]
    centres = [(5.0, 3.4, 1.5, 0.2), (5.9, 2.8, 4.3, 1.3), (6.6, 3.0, 5.6, 2.0)]
    rows = ["sepal_length,sepal_width,petal_length,petal_width" + (",species" if labelled else "")]
    for n in range(count):
        c = n % 3
        values = [f"{m + (next(rand) - 0.5) * 0.8:.1f}" for m in centres[c]]
        rows.append(",".join(values + ([names[c]] if labelled else [])))
    open(path, "w").write("\n".join(rows) + "\n")


def write_regression(path, header, count, seed):
    """Three inputs, two targets (their sum and difference, squashed), last."""
    rand = lcg(seed)
    rows = [header]
    for _ in range(count):
        a, b, c = (next(rand) for _ in range(3))
        rows.append(f"{a:.4f},{b:.4f},{c:.4f},{(a + b) / 2:.4f},{0.5 + (a - c) / 2:.4f}")
    open(path, "w").write("\n".join(rows) + "\n")


def write_fann(path, count, seed):
    """FANN's format, 14 inputs and 3 outputs in [0, 1], as building.train has."""
    rand = lcg(seed)
    lines = [f"{count} 14 3"]
    for _ in range(count):
        x = [next(rand) for _ in range(14)]
        lines.append(" ".join(f"{v:.4f}" for v in x))
        lines.append(" ".join(f"{v:.4f}" for v in (sum(x[:5]) / 5, sum(x[5:10]) / 5, sum(x[10:]) / 4)))
    open(path, "w").write("\n".join(lines) + "\n")


def write_wine(path, count, seed):
    """UCI's wine.data as it ships: no header, the class 1..3 first, then 13 measurements."""
    rand = lcg(seed)
    rows = []
    for n in range(count):
        c = n % 3
        values = [f"{(c + 1) * (k + 1) + (next(rand) - 0.5) * 2:.2f}" for k in range(13)]
        rows.append(",".join([str(c + 1)] + values))
    open(path, "w").write("\n".join(rows) + "\n")


def write_xor(path):
    open(path, "w").write("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")


def train_digits(path, bpnn, source):
    """The main job's network (examples/networks/lenet.json) trained one epoch on the stand-in digits."""
    ensure("train-images-idx3-ubyte.gz", os.path.dirname(path), bpnn, source)
    subprocess.run([bpnn, "train", "--net", os.path.join(source, "examples/networks/lenet.json"),
                    "--train", "train-images-idx3-ubyte.gz", "--epochs", "1", "--lr", "0.05", "--out", path],
                   cwd=os.path.dirname(path), check=True, capture_output=True, timeout=BLOCK_TIMEOUT)


FIXTURES = {
    "train-images-idx3-ubyte.gz": lambda p, b, s: write_idx(p[:-len("-images-idx3-ubyte.gz")], 600, 1),
    "t10k-images-idx3-ubyte.gz": lambda p, b, s: write_idx(p[:-len("-images-idx3-ubyte.gz")], 200, 2),
    "test-images-idx3-ubyte.gz": lambda p, b, s: write_idx(p[:-len("-images-idx3-ubyte.gz")], 200, 2),
    "new-images-idx3-ubyte.gz": lambda p, b, s: write_idx(p[:-len("-images-idx3-ubyte.gz")], 20, 3, False),
    "iris.csv": lambda p, b, s: write_iris(p, 150, 4),
    "new-flowers.csv": lambda p, b, s: write_iris(p, 6, 5, labelled=False),
    "houses.csv": lambda p, b, s: write_regression(p, "rooms,area,age,price,rent", 200, 6),
    "houses-test.csv": lambda p, b, s: write_regression(p, "rooms,area,age,price,rent", 50, 7),
    "r.csv": lambda p, b, s: write_regression(p, "a,b,c,y1,y2", 200, 8),
    "building.train": lambda p, b, s: write_fann(p, 300, 9),
    "building.test": lambda p, b, s: write_fann(p, 100, 10),
    "xor.csv": lambda p, b, s: write_xor(p),
    "wine.data": lambda p, b, s: write_wine(p, 90, 11),
    "digits.safetensors": train_digits,
}


def ensure(name, work, bpnn, source):
    path = os.path.join(work, name)
    if not os.path.exists(path):
        FIXTURES[name](path, bpnn, source)


def make_fixtures(blocks, work, bpnn, source):
    """The stand-ins whose names the runnable blocks use (a whole word of their text), but for one
    the blocks write before they read it (first named as --out NAME or --save NAME)."""
    text = "".join(b.text for b in blocks if b.run)
    for name in FIXTURES:
        first = re.search(r"(?<![\w./-])" + re.escape(name) + r"(?![\w-])", text)
        if first and not re.search(r"--(out|save)[ =]$", text[:first.start()]):
            ensure(name, work, bpnn, source)


# ---- running ----------------------------------------------------------------------------------

def expect_output(block, expected, printed):
    """Every line of the output block appears among the printed lines, in that order."""
    lines = [l.rstrip() for l in printed.split("\n")]
    at = 0
    for want in (l.rstrip() for l in expected.text.split("\n") if l.strip()):
        while at < len(lines) and lines[at] != want:
            at += 1
        if at == len(lines):
            return f"{expected.where()}: the run of {block.where()} did not print, in this order: '{want}'"
        at += 1
    return None


def command_for(block, args, work, name):
    language = RUN_LANGUAGES[block.language]
    if language == "sh":
        script = os.path.join(work, ".block.sh")
        open(script, "w").write(block.text)
        return ["bash", "-e", "-o", "pipefail", script]
    if language == "python":
        script = os.path.join(work, ".block.py")
        open(script, "w").write(block.text)
        return [args.python, script]
    program = os.path.join(args.snippets, name)
    built = os.path.join(args.snippets, name + ".cpp")
    if not os.path.exists(built) or open(built, encoding="utf-8").read() != cpp_source(block, args.source):
        raise RuntimeError(f"{block.where()}: this C++ block changed since the build extracted it: build again "
                           "(cmake --build; the build re-reads the docs)")
    if not os.path.exists(program):
        raise RuntimeError(f"{block.where()}: its program {program} was not built (target doc_{name})")
    return [program]


def run_doc(args):
    doc = args.doc
    blocks = blocks_of(os.path.join(args.source, doc), doc)
    for b in blocks:
        check_marks(b)
    if any(b.run and RUN_LANGUAGES[b.language] == "python" for b in blocks) and not args.pythonpath:
        print(f"SKIPPED: {doc} has Python blocks and the Python module was not built")
        return 77
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(os.path.join(args.work, ".bin"))
    os.symlink(args.bpnn, os.path.join(args.work, ".bin", "bpnn"))
    env = dict(os.environ, PATH=os.path.join(args.work, ".bin") + os.pathsep + os.environ.get("PATH", ""),
               BPNN_DATA=os.path.join(args.work, ".cache"), OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    start = time.monotonic()
    make_fixtures(blocks, args.work, args.bpnn, args.source)
    counts, cpp_count, failures = {}, 0, []
    for i, block in enumerate(blocks):
        if block.file and not block.run:
            open(os.path.join(args.work, block.file), "w").write(block.text)
            counts["file"] = counts.get("file", 0) + 1
            continue
        if not block.run:
            continue
        language = RUN_LANGUAGES[block.language]
        cpp_count += language == "cpp"
        try:
            command = command_for(block, args, args.work, f"{stem(doc)}_{cpp_count}")
            began = time.monotonic()
            done = subprocess.run(command, cwd=args.work, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=BLOCK_TIMEOUT)
        except subprocess.TimeoutExpired:
            failures.append(f"{block.where()}: ```{block.language} run: still running after {BLOCK_TIMEOUT} s")
            continue
        except RuntimeError as e:
            failures.append(str(e))
            continue
        counts[language] = counts.get(language, 0) + 1
        said = done.stdout.strip().split("\n")
        if done.returncode != 0:
            failures.append(f"{block.where()}: ```{block.language} run: exit status {done.returncode}; its last "
                            "lines:\n    " + "\n    ".join(said[-12:]))
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if following is not None and following.output:
            problem = expect_output(block, following, done.stdout)
            if problem:
                failures.append(problem + "\n  it printed:\n    " + "\n    ".join(done.stdout.split("\n")[-20:]))
                continue
        print(f"ok   {block.where()} ({block.language}, {time.monotonic() - began:.1f} s)")
    shown = sum(1 for b in blocks if not b.run and not b.file and not b.output)
    files = counts.pop("file", 0)
    ran = ", ".join(f"{n} {language}" for language, n in sorted(counts.items())) or "none"
    print(f"{doc}: ran {sum(counts.values())} of its blocks ({ran}), wrote {files} file(s) from blocks, "
          f"{shown} shown only; {time.monotonic() - start:.1f} s in the scratch folder {args.work}")
    for failure in failures:
        print("FAIL " + failure)
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("extract")
    e.add_argument("source")
    e.add_argument("out")
    r = sub.add_parser("run")
    r.add_argument("source")
    r.add_argument("doc")
    r.add_argument("work")
    r.add_argument("--bpnn", required=True)
    r.add_argument("--snippets", required=True)
    r.add_argument("--python", default=sys.executable)
    r.add_argument("--pythonpath", default="")
    args = parser.parse_args()
    args.source = os.path.abspath(args.source)  # as #line names the docs
    if args.command == "run":  # the blocks run in the scratch folder
        args.bpnn, args.snippets, args.work = (os.path.abspath(p) for p in (args.bpnn, args.snippets, args.work))
        args.pythonpath = os.path.abspath(args.pythonpath) if args.pythonpath else ""
        args.python = args.python or sys.executable
    if args.command == "extract":
        extract(args.source, args.out)
        return 0
    return run_doc(args)


if __name__ == "__main__":
    sys.exit(main())
