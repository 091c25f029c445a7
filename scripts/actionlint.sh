#!/usr/bin/env bash
# Lints .github/workflows/ with actionlint 1.7.12 (and shellcheck for their run: steps, when it is
# installed), building actionlint from the Go module proxy into target/tools/ the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=v1.7.12
BIN=target/tools/actionlint-$VERSION
if [ ! -x "$BIN/actionlint" ]; then
  mkdir -p "$BIN"
  GOBIN="$(pwd)/$BIN" go install "github.com/rhysd/actionlint/cmd/actionlint@$VERSION"
fi
"$BIN/actionlint" .github/workflows/*.yml
echo "actionlint $VERSION: .github/workflows clean"
