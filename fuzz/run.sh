#!/usr/bin/env bash
# Runs the fuzz targets with libFuzzer via cargo-fuzz on the stable toolchain.
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
# cargo-fuzz wants nightly for its sanitizer flags; RUSTC_BOOTSTRAP=1 lets the
# stable compiler accept them. Crashes are copied to fuzz/regressions/<target>/
# so `cargo test --test expressions fuzz_corpus` replays them on stable from then on.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^attrmap-fuzz$')
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
export RUSTC_BOOTSTRAP=1
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  [ -d "seeds/$t" ] && cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
  echo "== $t for ${secs}s"
  status=0
  extra=()
  # LeakSanitizer counts the thread-local state of std's channels in each
  # exiting worker thread as a leak (see fuzz_harness::map_parallel).
  [ "$t" = map_parallel ] && extra+=(-detect_leaks=0)
  # -max_len: libFuzzer otherwise caps inputs at the largest seed (about
  # 3 KB), and the slow paths of issue 20 (D2, D5) need 65 KB and more.
  cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=262144 "${extra[@]}" \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1 2>&1 | tee "artifacts/$t.log" | grep -E "^(#[0-9]+.*DONE|stat::|==|SUMMARY|Done)" || status=$?
  for a in artifacts/"$t"/crash-* artifacts/"$t"/timeout-* artifacts/"$t"/oom-*; do
    [ -e "$a" ] && cp "$a" "regressions/$t/" && echo "saved $a to regressions/$t/"
  done
done
