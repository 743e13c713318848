"""The figures of docs/PERFORMANCE.md (haydi for Python), measured side by side in one
run: python figures.py [--original-n5]. Prints a Markdown table.

- the Python haydi's cerny.py at n = 4 and 5: haydi_rs serial and spawn:2, and the Python
  haydi 1.0 (Python 2.7; its source at /tmp/haydi-orig/src, or HAYDI_ORIG) when available
  (n = 5 only with --original-n5: it takes about 25 minutes);
- graphs on 8 vertices up to isomorphism counted from Python;
- the per-item overhead of a Python map against a plain Python loop (serial);
- spawn(2) against serial on a CPU-heavy Python callable (spawn_speedup.py).
"""

import json
import os
import subprocess
import sys
import time

import haydi_rs as hd

HERE = os.path.dirname(os.path.abspath(__file__))
ORIG = os.environ.get("HAYDI_ORIG", "/tmp/haydi-orig")
PY2 = os.environ.get("HAYDI_PY2", os.path.expanduser("~/.pyenv/versions/2.7.18/bin/python"))
rows = []


def row(what, value, note=""):
    rows.append((what, value, note))
    print("| {} | {} | {} |".format(what, value, note), flush=True)


def best(f, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def timed_run(cmd, env=None, cwd=None):
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(p.stdout + p.stderr)
    return dt, p.stdout.strip().splitlines()[-1]


def cerny(n, original):
    ours = {}
    for where in ("serial", "spawn:2"):
        runs = [timed_run([sys.executable, os.path.join(HERE, "cerny.py"), str(n), where])
                for _ in range(3)]
        dt, line = min(runs)
        ours[where] = dt
        row("cerny n={} haydi_rs {} (best of 3, whole process)".format(n, where),
            "{:.2f} s".format(dt), "answer " + line.split()[-1])
    if original and os.path.exists(os.path.join(ORIG, "src", "haydi")) and os.path.exists(PY2):
        script = os.path.join(ORIG, "cerny{}.py".format(n))
        with open(os.path.join(ORIG, "examples", "cerny", "cerny.py")) as f:
            src = f.read().replace("n_states = 6 ", "n_states = {} ".format(n))
        with open(script, "w") as f:
            f.write(src)
        env = dict(os.environ, PYTHONPATH=os.path.join(ORIG, "src"))
        dt, line = timed_run([PY2, script], env=env)
        row("cerny n={} Python haydi 1.0 (CPython 2.7, serial, whole process)".format(n),
            "{:.2f} s".format(dt), "answer " + line.split()[-1])
        row("cerny n={} speed-up, spawn:2 vs Python haydi".format(n),
            "{:.0f}x".format(dt / ours["spawn:2"]),
            "serial: {:.0f}x".format(dt / ours["serial"]))


def graphs8():
    v = hd.USet(8, "v")
    g = hd.Subsets(hd.Subsets(v, 2))
    t = best(lambda: g.cnfs().count().run(), 3)
    row("graphs n=8, cnfs().count().run() serial", "{:.3f} s".format(t), "12346 classes")
    t = best(lambda: g.cnfs().count().run(hd.ThreadContext(2)), 3)
    row("graphs n=8, cnfs().count().run(ThreadContext(2))", "{:.3f} s".format(t), "")
    t = best(lambda: len(g.cnfs().run()), 3)
    row("graphs n=8, len(cnfs().run()) serial (items as Python Sets)", "{:.3f} s".format(t), "")


def overhead(n=10 ** 6):
    def f(x):
        return x + 1

    def loop():
        out = []
        for x in range(n):
            out.append(f(x))
        return out
    t_loop = best(loop)
    t_comp = best(lambda: [f(x) for x in range(n)])
    t_ours = best(lambda: hd.Range(n).map(f).run())
    row("map over 10^6 items: plain loop with append", "{:.3f} s".format(t_loop), "")
    row("map over 10^6 items: list comprehension", "{:.3f} s".format(t_comp), "")
    row("map over 10^6 items: Range(n).map(f).run()", "{:.3f} s".format(t_ours),
        "{:.2f}x the loop, {:.2f}x the comprehension".format(t_ours / t_loop, t_ours / t_comp))

    def p(x):
        return x % 3 == 0
    t_loop = best(lambda: sum(1 for x in range(n) if p(x)))
    t_ours = best(lambda: hd.Range(n).filter(p).count().run())
    row("filter+count over 10^6: plain generator", "{:.3f} s".format(t_loop), "")
    row("filter+count over 10^6: Range(n).filter(p).count().run()", "{:.3f} s".format(t_ours),
        "{:.2f}x".format(t_ours / t_loop))


def spawn_speedup():
    dt, line = timed_run([sys.executable, os.path.join(HERE, "spawn_speedup.py"), "20000", "3"])
    r = json.loads(line)
    row("CPU-heavy callable, 20000 items: serial (best of 3, interleaved)",
        "{:.2f} s".format(r["serial_s"]), "")
    row("CPU-heavy callable: ThreadContext(2)", "{:.2f} s".format(r["threads2_s"]),
        "{:.2f}x (the GIL)".format(r["serial_s"] / r["threads2_s"]))
    row("CPU-heavy callable: DistributedContext(spawn_workers=2)",
        "{:.2f} s".format(r["spawn2_s"]), "{:.2f}x".format(r["serial_s"] / r["spawn2_s"]))


if __name__ == "__main__":
    print("load average at start: {}".format(open("/proc/loadavg").read().split()[:3]))
    print("| what | time | note |")
    print("|---|---|---|")
    overhead()
    spawn_speedup()
    graphs8()
    cerny(4, original=True)
    cerny(5, original="--original-n5" in sys.argv)
    print("load average at end: {}".format(open("/proc/loadavg").read().split()[:3]))
