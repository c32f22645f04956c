#!/usr/bin/env bash
# Runs the lin-kv test on the local bench in the configurations issue 3 names, several seeds each,
# and prints one line per run (verdict, ops, availability, msgs/op) plus a tally. Exit 1 if any run
# was not valid. Usage: scripts/lin-kv-campaign.sh [runs-per-config] [time-limit-s]
set -u
cd "$(dirname "$0")/.."
runs=${1:-3}
limit=${2:-60}
make -s build >/dev/null || exit 2
configs=(
  "--node-count 3 --concurrency 4n --rate 30 --nemesis partition --nemesis-interval 10"
  "--node-count 3 --concurrency 4n --rate 30 --nemesis partition --nemesis-interval 3"
  "--node-count 3 --concurrency 10n --rate 100 --nemesis partition --nemesis-interval 10"
  "--node-count 5 --concurrency 4n --rate 30 --nemesis partition --nemesis-interval 10"
  "--node-count 3 --concurrency 4n --rate 30 --nemesis partition,kill --nemesis-interval 5"
)
total=0; good=0
for cfg in "${configs[@]}"; do
  for seed in $(seq 1 "$runs"); do
    out=$(node scripts/run-ts.mjs maelstrom/cli.ts test -w lin-kv --bin dist/node.js $cfg --time-limit "$limit" --seed "$seed" 2>/dev/null)
    code=$?
    total=$((total + 1))
    [ $code -eq 0 ] && good=$((good + 1))
    summary=$(echo "$out" | grep -E '^(ops|availability|net|linearizability):' | sed -E 's/ +/ /g' | paste -sd ';' -)
    printf 'exit %s | %s --time-limit %s --seed %s | %s\n' "$code" "$cfg" "$limit" "$seed" "$summary"
  done
done
echo "valid runs: $good of $total"
[ $good -eq $total ]
