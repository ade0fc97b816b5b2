#!/usr/bin/env bash
# Distributed training under mpirun -np 1, 2 and 4 (docs/distributed.md): the same model bytes at
# every process count with the same --shards (in portable arithmetic at any thread count too), batch
# norm within 1e-4 of unsharded training, a plain all-reduce within 1e-5, a checkpoint written by 2
# processes resumed under 1 and 4, and failures (SIGINT, a bad file, a NaN, a crash on one rank)
# ending every rank quickly. Usage: run.sh path/to/bpnn. Exits 77 (skipped) without mpirun.
set -uo pipefail
bpnn=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
command -v mpirun >/dev/null || { echo "mpirun not found: skipped"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }
probe=$("$bpnn" train --distributed --net missing.json --train missing.csv --out missing 2>&1 || true)
if grep -q 'built without MPI' <<<"$probe"; then
  echo "bpnn built without MPI: skipped"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# Loopback only, oversubscribed (more ranks than cores), every run killed if it hangs.
mpi=(mpirun --allow-run-as-root --oversubscribe --bind-to none --mca btl self,tcp --mca btl_tcp_if_include lo
     --mca oob_tcp_if_include lo --timeout 120)
failures=0
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }

# 1030 samples: batches of 32 leave a last batch of 6, fewer than the 8 shards (two stay empty).
python3 - <<'PY'
import random
r = random.Random(1)
with open("mlp.csv", "w") as f:
    f.write("label," + ",".join("x%d" % i for i in range(8)) + "\n")
    for n in range(1030):
        x = [r.uniform(-1, 1) for _ in range(8)]
        f.write("%d,%s\n" % ((x[0] * x[1] > 0) + 2 * (x[2] + x[3] > 0), ",".join("%.5f" % v for v in x)))
with open("img.csv", "w") as f:  # 12x12 images of a bright square in one of 4 corners
    for n in range(300):
        c = r.randrange(4)
        img = [r.uniform(0, 0.3) for _ in range(144)]
        for y in range(6):
            for x in range(6):
                img[(y + 6 * (c // 2)) * 12 + x + 6 * (c % 2)] += 0.7
        f.write("%d,%s\n" % (c, ",".join("%.4f" % v for v in img)))
PY
cat >lenet.json <<'JSON'
{"input": [1, 12, 12], "layers": [
  {"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"},
  {"type": "dense", "units": 16}, {"type": "batchnorm"}, {"type": "relu"}, {"type": "dense", "units": 4}]}
JSON
cat >mlp.json <<'JSON'
{"input": [8], "layers": [{"type": "dense", "units": 32}, {"type": "relu"}, {"type": "dropout", "p": 0.1},
  {"type": "dense", "units": 16}, {"type": "tanh"}, {"type": "dense", "units": 4}]}
JSON
mlp=(train --net mlp.json --train mlp.csv --batch-size 32 --seed 7 --threads 1)

# Trains with the given flags under 1 (no mpirun, then mpirun -np 1), 2 and 4 processes; the four
# model files must be the same bytes.
same_at_every_count() {
  local name=$1
  shift
  "$bpnn" "$@" --shards 8 --out "$name.1.safetensors" >/dev/null 2>"$name.err" || { fail "$name: one process: $(tail -2 "$name.err")"; return; }
  for n in 1 2 4; do
    "${mpi[@]}" -np "$n" "$bpnn" "$@" --out "$name.mpi$n.safetensors" >/dev/null 2>"$name.err" \
      || { fail "$name: $n processes: $(tail -3 "$name.err")"; return; }
    cmp -s "$name.1.safetensors" "$name.mpi$n.safetensors" || { fail "$name: $n processes give other bytes"; return; }
  done
  pass "$name: the same bytes under 1, 2 and 4 processes"
}
same_at_every_count sgd "${mlp[@]}" --epochs 8 --optimizer sgd --lr 0.1
same_at_every_count momentum "${mlp[@]}" --epochs 8 --optimizer momentum --lr 0.05 --max-grad-norm 1
same_at_every_count adam "${mlp[@]}" --epochs 8 --optimizer adam --lr 0.003 --test mlp.csv --val-fraction 0.1
# Batches of 36, the last of 12: shards of 1 and 2 samples, enough for batch norm, whose statistics
# are the global batch's.
same_at_every_count lenet_batchnorm train --net lenet.json --train img.csv --batch-size 36 --epochs 20 --seed 3 \
  --optimizer adam --lr 0.01 --threads 1
# Portable arithmetic (docs/arithmetic.md): one model file, by sha256, under 1, 2 and 4 processes,
# and with 3 threads per process under 2.
portable_everywhere() {
  local name=$1 n threads sums=""
  shift
  for run in "1 1" "2 1" "4 1" "2 3"; do
    read -r n threads <<<"$run"
    "${mpi[@]}" -np "$n" "$bpnn" "$@" --arithmetic portable --threads "$threads" --shards 8 \
      --out "$name.$n.$threads.safetensors" >/dev/null 2>"$name.err" \
      || { fail "$name: $n processes, $threads threads: $(tail -3 "$name.err")"; return; }
    sums+="$(sha256sum <"$name.$n.$threads.safetensors" | cut -c1-64) "
  done
  [ "$(tr ' ' '\n' <<<"$sums" | sort -u | grep -c .)" -eq 1 ] \
    && pass "$name: one sha256 under 1, 2 and 4 processes and at 3 threads" || fail "$name: $sums"
}
portable_everywhere portable_adam train --net mlp.json --train mlp.csv --batch-size 32 --seed 7 --epochs 8 \
  --optimizer adam --lr 0.003
portable_everywhere portable_lenet train --net lenet.json --train img.csv --batch-size 36 --epochs 20 --seed 3 \
  --optimizer adam --lr 0.01
# Training did something: the adam model classifies the training data well above chance.
"$bpnn" eval --model adam.1.safetensors --data mlp.csv | grep -Eq '^accuracy: 0\.([6-9]|[1-9][0-9])' \
  && pass "adam: learned" || fail "adam: did not learn: $("$bpnn" eval --model adam.1.safetensors --data mlp.csv | head -3)"

# Batch norm over the whole global batch: 8 sharded steps (mpirun -np 2 and 4, and one process
# with --shards 8) stay within float rounding of the unsharded steps; each shard normalizing by its
# own statistics (as before) was 0.23 off. Momentum, not Adam: the biases before batch norm have
# no gradient but rounding noise, which Adam would blow up to steps of its learning rate.
bn=(train --net lenet.json --train img.csv --batch-size 40 --epochs 1 --seed 3 --optimizer momentum --lr 0.05 --threads 1)
if "$bpnn" "${bn[@]}" --out bn.whole.safetensors >/dev/null 2>bn.err; then
  for n in 1 2 4; do
    if [ "$n" -eq 1 ]; then
      "$bpnn" "${bn[@]}" --shards 8 --out bn.$n.safetensors >/dev/null 2>bn.err
    else
      "${mpi[@]}" -np "$n" "$bpnn" "${bn[@]}" --shards 8 --out bn.$n.safetensors >/dev/null 2>bn.err
    fi || { fail "batch norm, $n process(es): $(tail -2 bn.err)"; continue; }
    python3 "$here/compare.py" bn.whole.safetensors bn.$n.safetensors 1e-4 >compare.txt \
      && pass "global batch norm, $n process(es) against one unsharded batch: $(cat compare.txt)" \
      || fail "global batch norm, $n process(es) against one unsharded batch: $(cat compare.txt)"
  done
else
  fail "batch norm, unsharded: $(tail -2 bn.err)"
fi

# Plain all-reduce: within float rounding of one process.
for n in 2 4; do
  "${mpi[@]}" -np "$n" "$bpnn" "${mlp[@]}" --epochs 8 --optimizer adam --lr 0.003 --test mlp.csv --val-fraction 0.1 \
    --allreduce plain --out "plain$n.safetensors" >/dev/null 2>plain.err || fail "plain all-reduce, $n processes: $(tail -2 plain.err)"
  python3 "$here/compare.py" adam.1.safetensors "plain$n.safetensors" 1e-5 >compare.txt \
    && pass "plain all-reduce, $n processes: $(cat compare.txt)" || fail "plain all-reduce, $n processes: $(cat compare.txt)"
done

# Starts the command after `--` under mpirun with each rank's pid in pid.RANK; returns at once.
launch() {
  local n=$1
  shift
  rm -f pid.*
  "${mpi[@]}" -np "$n" sh -c 'echo $$ >pid.$OMPI_COMM_WORLD_RANK; exec "$@"' sh "$@" >out.txt 2>err.txt &
  launched=$!
  for _ in $(seq 100); do [ -s "pid.$((n - 1))" ] && [ -s pid.0 ] && break; sleep 0.1; done
}
# Whether process $1 still runs (a zombie waiting to be reaped does not).
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null)
  [ -n "$state" ] && [ "${state#Z}" = "$state" ]
}
# Waits up to $1 seconds for the launched job; sets status (124 when it did not end).
wait_for() {
  local limit=$1 waited=0
  while kill -0 "$launched" 2>/dev/null && [ "$waited" -lt $((limit * 10)) ]; do sleep 0.1; waited=$((waited + 1)); done
  if kill -0 "$launched" 2>/dev/null; then
    kill "$launched"
    wait "$launched"
    status=124
  else
    wait "$launched"
    status=$?
  fi
  took="$((waited / 10)).$((waited % 10)) s"
}

# SIGINT to rank 1 of 2: every rank stops after the same batch, rank 0 writes the checkpoint, and
# the run resumed under 1 and 4 processes ends with the bytes of one never stopped.
long=("${mlp[@]}" --optimizer adam --lr 0.003 --epochs 100000)
launch 2 "$bpnn" "${long[@]}" --checkpoint ck.ckpt --out long.safetensors
sleep 2
kill -INT "$(cat pid.1)"
wait_for 10
stopped=$(grep -o 'training stopped in epoch [0-9]* after batch [0-9]*\|training stopped before epoch [0-9]*' err.txt)
if [ "$status" -ne 130 ] || [ -z "$stopped" ] || [ "$(grep -c 'training stopped' err.txt)" -ne 1 ]; then
  fail "SIGINT on rank 1: status $status, $(tail -3 err.txt)"
else
  epochs=$(($(echo "$stopped" | grep -o 'epoch [0-9]*' | grep -o '[0-9]*') + 1))
  pass "SIGINT on rank 1: every rank ended with 130 in $took ($stopped; resuming to $epochs epochs)"
  resumed=("${mlp[@]}" --optimizer adam --lr 0.003 --epochs "$epochs" --resume ck.ckpt)
  "$bpnn" "${mlp[@]}" --optimizer adam --lr 0.003 --epochs "$epochs" --shards 8 --out whole.safetensors >/dev/null 2>&1
  "$bpnn" "${resumed[@]}" --shards 8 --checkpoint r1.ckpt --out r1.safetensors >/dev/null 2>r1.err \
    && cmp -s whole.safetensors r1.safetensors && pass "checkpoint of 2 processes resumed under 1: the same bytes" \
    || fail "checkpoint of 2 processes resumed under 1: $(tail -2 r1.err)"
  "${mpi[@]}" -np 4 "$bpnn" "${resumed[@]}" --checkpoint r4.ckpt --out r4.safetensors >/dev/null 2>r4.err \
    && cmp -s whole.safetensors r4.safetensors && pass "checkpoint of 2 processes resumed under 4: the same bytes" \
    || fail "checkpoint of 2 processes resumed under 4: $(tail -2 r4.err)"
fi

# A bad data file on rank 1 only: every rank ends, the reason printed once.
cp mlp.csv data.0.csv
{ head -100 mlp.csv; echo "1,2,oops"; } >data.1.csv
launch 2 sh -c 'exec "$0" train --net 8-16relu-4 --train data.$OMPI_COMM_WORLD_RANK.csv --epochs 2 --out bad.safetensors' "$bpnn"
wait_for 10
[ "$status" -ne 0 ] && [ "$status" -ne 124 ] \
  && [ "$(grep -c 'bpnn: error: rank 1 of 2: .*data.1.csv' err.txt)" -eq 1 ] \
  && pass "bad file on rank 1: every rank ended ($status) in $took: $(grep 'bpnn: error' err.txt)" \
  || fail "bad file on rank 1: status $status, $(tail -3 err.txt)"

# A NaN on rank 1 at step 40: every rank stops; the last checkpoint stays loadable.
BPNN_TEST_NAN_AT=1:40 "${mpi[@]}" -x BPNN_TEST_NAN_AT -np 2 "$bpnn" "${mlp[@]}" --epochs 5 --checkpoint-every 1 \
  --checkpoint nan.ckpt --out nan.safetensors >/dev/null 2>nan.err &
launched=$!
wait_for 10
if [ "$status" -ne 0 ] && [ "$status" -ne 124 ] && [ "$(grep -c 'training diverged in epoch 2, batch 7' nan.err)" -eq 1 ]; then
  "$bpnn" "${mlp[@]}" --epochs 1 --shards 8 --resume nan.ckpt --out nan2.safetensors >/dev/null 2>nan2.err \
    && pass "NaN on rank 1: every rank ended ($status) in $took, reason once, checkpoint loadable" \
    || fail "NaN on rank 1: checkpoint not loadable: $(tail -2 nan2.err)"
else
  fail "NaN on rank 1: status $status, $(tail -3 nan.err)"
fi

# A crash (SIGKILL) of rank 1: mpirun ends the others.
launch 2 "$bpnn" "${long[@]}" --checkpoint crash.ckpt --out crash.safetensors
sleep 1
kill -KILL "$(cat pid.1)" && killed=yes || killed=no
wait_for 10
[ "$killed" = yes ] && [ "$status" -ne 0 ] && [ "$status" -ne 124 ] && ! alive "$(cat pid.0)" && pass "crash of rank 1: every rank ended ($status) in $took" \
  || fail "crash of rank 1: killed $killed, status $status, $(tail -3 err.txt)"

# Refused: a shard count the process count does not divide, and ranks that disagree.
"${mpi[@]}" -np 4 "$bpnn" "${mlp[@]}" --shards 6 --out x.safetensors >/dev/null 2>div.err
[ $? -ne 0 ] && grep -q 'the process count must divide the shard count' div.err && [ "$(grep -c 'bpnn: error' div.err)" -ge 1 ] \
  && pass "--shards 6 on 4 processes refused" || fail "--shards 6 on 4 processes: $(tail -2 div.err)"
"${mpi[@]}" -np 2 sh -c 'exec "$0" train --net 8-16relu-4 --train mlp.csv --epochs 1 --seed $OMPI_COMM_WORLD_RANK --out x.safetensors' \
  "$bpnn" >/dev/null 2>seed.err
[ $? -ne 0 ] && [ "$(grep -c 'rank 1 of 2 has another configuration' seed.err)" -eq 1 ] \
  && pass "ranks with different seeds refused" || fail "ranks with different seeds: $(tail -2 seed.err)"

[ "$failures" -eq 0 ] && echo "all distributed tests passed" || { echo "$failures distributed test(s) failed"; exit 1; }
