#!/usr/bin/env python3
"""The console progress bar under a pseudo-terminal of 80 and of 40 columns: every redraw fits the width, there are
at most ~10 redraws a second, and it shows step/total, it/s and the ETA; with stdout a pipe there is no redraw at all,
only plain lines. Usage: progress_pty.py RIG"""
import fcntl, os, re, select, struct, subprocess, sys, tempfile, termios, time

rig = sys.argv[1]
failed = False


def check(name, ok, detail=""):
    global failed
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else "\n     " + detail))
    failed |= not ok


def run(args, columns=None, env_extra=None):
    env = dict(os.environ, NO_COLOR="1")
    env.pop("COLUMNS", None)
    env.update(env_extra or {})
    if columns is None:
        start = time.monotonic()
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        return p.returncode, p.stdout.decode(errors="replace"), time.monotonic() - start
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    start = time.monotonic()
    p = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            p.kill()
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child side is closed
            break
        if not chunk:
            break
        out += chunk
    rc = p.wait()
    os.close(master)
    return rc, out.decode(errors="replace"), time.monotonic() - start


CSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

with tempfile.TemporaryDirectory() as tmp:
    base = [rig, "run", "classify", "--config", "fashion_mnist_mlp", "task=synthetic", "task.num_examples=512",
            "threads=1", "evaluator.every_n_steps=0", "checkpointer.every_n_steps=0", "loader.batch_size=16"]
    for columns, steps, rate in ((80, 400, None), (40, 300, 1000)):
        args = base + [f"steps={steps}", "--output-dir", f"{tmp}/c{columns}"]
        if rate:
            args.append(f"+loggers.0.max_redraws_per_second={rate}")  # many redraws: many lines to check
        rc, out, seconds = run(args, columns)
        check(f"{columns} columns: the run succeeds", rc == 0, out[-2000:])
        # A redraw is what follows a carriage return, up to the next one or the end of the line.
        text = out.replace("\r\n", "\n")
        redraws = [CSI.sub("", segment.split("\n")[0]) for segment in text.split("\r")[1:]]
        redraws = [r for r in redraws if r]
        check(f"{columns} columns: the bar is drawn", len(redraws) >= 2, repr(out[-2000:]))
        too_wide = [r for r in redraws if len(r) > columns]
        check(f"{columns} columns: no redraw is wider than the terminal ({len(redraws)} redraws)", not too_wide,
              repr(too_wide[:3]))
        last = redraws[-1] if redraws else ""
        check(f"{columns} columns: step/total in the last redraw", f"{steps}/{steps}" in last, repr(last))
        check(f"{columns} columns: it/s in the last redraw", "it/s" in last, repr(last))
        if columns == 80:
            check("80 columns: the ETA and the bar in the redraws", any("eta " in r and "[#" in r for r in redraws),
                  repr(redraws[:3]))
            # At most 10 redraws a second, plus the first and the last.
            check(f"80 columns: at most ~10 redraws a second ({len(redraws)} in {seconds:.2f} s)",
                  len(redraws) <= 10 * seconds + 2, repr(redraws[:20]))
    rc, out, _ = run(base + ["steps=300", "--output-dir", f"{tmp}/pipe"])
    check("stdout a pipe: the run succeeds", rc == 0, out[-2000:])
    check("stdout a pipe: no redraws, no escape sequences", "\r" not in out and "\x1b" not in out, repr(out[:500]))
    check("stdout a pipe: plain periodic lines", re.search(r"^step 300 loss=\S+ lr=\S+ it/s=", out, re.M) is not None,
          out[:1000])

sys.exit(1 if failed else 0)
