#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""groovectl's escaping of a volume's --info, end to end: each case is added
as one volume of a fresh groove file, then read back from `status --json`
(parsed by Python's json module: valid JSON, valid UTF-8, the string Python's
own "replace" decoding gives) and from `status` (text: UTF-8 as is, control
characters and ill-formed bytes as \\xNN, a backslash doubled).

    utf8_check.py GROOVECTL WORKDIR      exit 0 when every case passes
"""
import json
import os
import re
import subprocess
import sys

CASES = [
    # (description, bytes given to --info, text status shows)
    ("ASCII", b"plain", "plain"),
    ("UTF-8 round trip", "café ✓".encode(), "café ✓"),
    ("4-byte UTF-8 (outside the BMP)", "𝄞 groove".encode(), "𝄞 groove"),
    ("quote and backslash", b'a "q" \\ b', 'a "q" \\\\ b'),
    ("newline, tab, CR", b"l1\nl2\tx\ry", "l1\\x0al2\\x09x\\x0dy"),
    ("C0 control and DEL", b"a\x01b\x1fc\x7fd", "a\\x01b\\x1fc\\x7fd"),
    ("C1 control (U+0085)", b"a\xc2\x85b", "a\\xc2\\x85b"),
    ("a stray continuation byte", b"a\x80b", "a\\x80b"),
    ("an invalid byte", b"x\xffy", "x\\xffy"),
    ("a truncated 3-byte sequence", b"a\xe2\x9cb", "a\\xe2\\x9cb"),
    ("an overlong '/'", b"a\xc0\xafb", "a\\xc0\\xafb"),
    ("a UTF-16 surrogate", b"a\xed\xa0\x80b", "a\\xed\\xa0\\x80b"),
    ("above U+10FFFF", b"a\xf4\x90\x80\x80b", "a\\xf4\\x90\\x80\\x80b"),
    ("truncated at the end", b"end\xf0\x9f\x98", "end\\xf0\\x9f\\x98"),
    ("U+2028 (legal raw in JSON)", "a\u2028b".encode(), "a\u2028b"),
]


def main():
    ctl, work = sys.argv[1], sys.argv[2]
    path = os.path.join(work, "utf8.groove")
    fails = 0

    def run(*args):
        return subprocess.run([ctl, "--device", path, *args], capture_output=True)

    r = run("create", "volume_size=2M", "volume_max=%d" % len(CASES))
    if r.returncode:
        print("not ok create:", r.stderr.decode(errors="replace"))
        return 1
    for _, info, _ in CASES:
        r = run("add", "1", "--info", info)
        if r.returncode:
            print("not ok add --info %r: %s" % (info, r.stderr))
            return 1
    js = run("--json", "status")
    try:
        vols = json.loads(js.stdout.decode("utf-8", errors="strict"))["volumes"]
    except (ValueError, KeyError) as e:
        print("not ok status --json is not valid UTF-8 JSON: %s" % e)
        return 1
    text = run("status").stdout.decode("utf-8", errors="strict")
    rows = [l for l in text.split("\n") if re.match(r"^ +[0-9]+ (empty|data) ", l)]
    for slot, (desc, info, shown) in enumerate(CASES):
        got = [v["info"] for v in vols if v["slot"] == slot]
        want = info.decode("utf-8", errors="replace")
        ok_json = got == [want]
        row = rows[slot] if slot < len(rows) else ""
        ok_text = row.endswith("  " + shown)
        if ok_json and ok_text:
            print("ok %s" % desc)
        else:
            fails += 1
            print("not ok %s: JSON %r (want %r), text row %r (want ...%r)"
                  % (desc, got, want, row, shown))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
