#!/usr/bin/env bash
# A stand-in for a training job in the search tests: a shifted quadratic with known optimum
#   f = (x - 0.3)^2 + (log10(lr) + 3)^2 / 4 + [opt != adam] + (n - 5)^2 / 16        (minimum 0 at x=0.3, lr=1e-3,
# opt=adam, n=5; absent parameters contribute 0), plus noise=SIGMA Gaussian noise seeded by the arguments. It writes
# steps=S lines {"step": s, "loss": f + 1/s} to $RIG_RUN_DIR/metrics.jsonl (pause=T seconds between lines), so the
# last line's loss is f + 1/S, and echoes its arguments.
args="$*"
echo "args=$args"
exec awk -v args="$args" -v out="$RIG_RUN_DIR/metrics.jsonl" 'BEGIN {
  n_args = split(args, kv, " ")
  x = 0.3; lr = 1e-3; opt = "adam"; n = 5; steps = 4; noise = 0; pause = 0
  for (i = 1; i <= n_args; i++) {
    eq = index(kv[i], "="); k = substr(kv[i], 1, eq - 1); v = substr(kv[i], eq + 1)
    if (k == "x") x = v + 0; else if (k == "lr") lr = v + 0; else if (k == "opt") opt = v
    else if (k == "n") n = v + 0; else if (k == "steps") steps = v + 0; else if (k == "noise") noise = v + 0
    else if (k == "pause") pause = v + 0
  }
  f = (x - 0.3)^2 + (log(lr) / log(10) + 3)^2 / 4 + (opt != "adam") + (n - 5)^2 / 16
  if (noise > 0) {  # Box-Muller from a seed made of the arguments
    seed = 0; for (i = 1; i <= length(args); i++) seed = (seed * 31 + index("0123456789.-=abcdefghijklmnopqrstuvwxyz_e+", substr(args, i, 1))) % 2147483647
    srand(seed); u1 = rand(); u2 = rand(); if (u1 < 1e-12) u1 = 1e-12
    f += noise * sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2)
  }
  for (s = 1; s <= steps; s++) {
    printf "{\"step\": %d, \"loss\": %.10g}\n", s, f + 1 / s >> out
    fflush(out)
    if (pause > 0 && s < steps) system("sleep " pause)
  }
}'
