"""One Python process for all of a test script's calls to a helper (tests/support/serve.sh starts it):
importing torch takes longer than any one call's work, so each call in a process of its own cost the
interoperability tests most of their time.

serve(commands) reads calls from stdin, one a line: a command of `commands` and its arguments,
tab-separated. It answers each with what the call printed, every line marked 1 (stdout) or 2
(stderr), then a line 0 and the call's exit status: 0, 1 after an exception (its traceback on the
answer's stderr), or the code of a SystemExit.
"""
import contextlib
import io
import sys
import traceback


def serve(commands):
    answers = sys.stdout
    for line in sys.stdin:
        command, *args = line.rstrip("\n").split("\t")
        out, err = io.StringIO(), io.StringIO()
        status = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                commands[command](*args)
            except SystemExit as e:
                status = e.code if isinstance(e.code, int) else 1
            except Exception:  # the call fails, as its own process would have; the next one is answered
                traceback.print_exc()
                status = 1
        for mark, text in (("1", out.getvalue()), ("2", err.getvalue())):
            for printed in text.splitlines():
                answers.write(mark + printed + "\n")
        answers.write(f"0{status}\n")
        answers.flush()
