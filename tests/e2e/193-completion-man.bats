#!/usr/bin/env bats
# Shell completion, man pages, the install layout and make demo's dependencies.
load helpers

setup() {
  setup_store
  # The completion script runs "kiln" from PATH, as an installed one would.
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  ln -s "$KILN_BIN" "$BATS_TEST_TMPDIR/bin/kiln"
  export PATH=$BATS_TEST_TMPDIR/bin:$PATH
}

# complete WORDS...: what bash offers for the last word, with kiln's bash completion loaded.
complete_words() {
  bash -c 'source <(kiln completion bash)
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _kiln; printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}

@test "completion bash: loads, completes commands, flags and local image and container names" {
  run -0 bash -c 'source <(kiln completion bash) && complete -p kiln'
  [ "$output" = "complete -F _kiln kiln" ]
  run -0 complete_words kiln ima
  [ "$output" = "$(printf 'image\nimages')" ]
  run -0 complete_words kiln image an
  [ "$output" = analyze ]
  run -0 complete_words kiln image analyze --highest-w
  [ "$output" = --highest-wasted-bytes ]
  # Image names from the store the command line names.
  import_busybox >/dev/null
  kiln tag localhost/busybox:latest localhost/other:1
  run -0 complete_words kiln --root "$TEST_ROOT/root" --runroot "$TEST_ROOT/run" image inspect localhost/b
  [ "$output" = localhost/busybox:latest ]
  run -0 complete_words kiln --root "$TEST_ROOT/root" --runroot "$TEST_ROOT/run" rmi --force localhost/o
  [ "$output" = localhost/other:1 ]
  # A flag's value is skipped: the word after it is still the image.
  run -0 complete_words kiln --root "$TEST_ROOT/root" --runroot "$TEST_ROOT/run" image diff --format json localhost/o
  [ "$output" = localhost/other:1 ]
  # Container names for container commands.
  kiln create --name web localhost/busybox true >/dev/null
  run -0 complete_words kiln --root "$TEST_ROOT/root" --runroot "$TEST_ROOT/run" rm w
  [ "$output" = web ]
  run -0 complete_words kiln --root "$TEST_ROOT/root" --runroot "$TEST_ROOT/run" container mount w
  [ "$output" = web ]
  run -0 complete_words kiln --root "$TEST_ROOT/root" --runroot "$TEST_ROOT/run" umount --force w
  [ "$output" = web ]
  run -0 complete_words kiln --root "$TEST_ROOT/root" --runroot "$TEST_ROOT/run" container diff w
  [ "$output" = web ]
  run -0 complete_words kiln container m
  [ "$output" = mount ]
  run -0 complete_words kiln mount --no
  [ "$output" = "$(printf -- '--no-trunc\n--notruncate\n--noout')" ]
}

@test "completion zsh, fish: scripts for each, bad shells refused" {
  run -0 kiln completion zsh
  [ "${lines[0]}" = "#compdef kiln" ]
  [[ "$output" == *"complete -F _kiln kiln"* ]]
  if command -v zsh >/dev/null; then
    run -0 zsh -c 'source <(kiln completion zsh)'
  fi
  run -0 kiln completion fish
  [[ "$output" == *"complete -c kiln -f -n '__fish_use_subcommand' -a 'images' -d 'List images in local storage'"* ]]
  run -0 kiln completion --no-desc fish
  [[ "$output" == *"complete -c kiln -f -n '__fish_use_subcommand' -a 'images'"$'\n'* ]]
  [[ "$output" != *" -d "* ]]
  if command -v fish >/dev/null; then
    run -0 fish -c 'kiln completion fish | source; complete -C "kiln ima"'
    [[ "$output" == *images* ]]
  fi
  kiln completion bash -f "$BATS_TEST_TMPDIR/kiln.bash"
  run -0 bash -c "source '$BATS_TEST_TMPDIR/kiln.bash' && complete -p kiln"
  run -125 kiln completion powershell
  [ "$output" = 'Error: unsupported shell "powershell": bash, zsh or fish' ]
}

@test "man pages: one per command from the --help flags, each renders" {
  kiln __generate-man "$BATS_TEST_TMPDIR/man"
  local pages=("$BATS_TEST_TMPDIR"/man/*.1)
  [ "${#pages[@]}" -ge 20 ]
  for p in kiln kiln-build kiln-images kiln-image-diff kiln-image-analyze kiln-lint kiln-completion kiln-system-df; do
    [ -f "$BATS_TEST_TMPDIR/man/$p.1" ] || { echo "no $p.1"; return 1; }
  done
  for p in "${pages[@]}"; do
    run -0 env MANWIDTH=100 man --warnings -l "$p"
    [ -n "$output" ] || { echo "$p renders empty"; return 1; }
  done
  # The same flags as --help: every long flag of `image analyze --help` is in its page.
  run -0 env MANWIDTH=100 man -l "$BATS_TEST_TMPDIR/man/kiln-image-analyze.1"
  local page=$output
  for flag in $(kiln image analyze --help | grep -o -- '--[a-z-]*' | sort -u); do
    [[ "$page" == *"$flag"* ]] || { echo "$flag missing from the man page"; return 1; }
  done
  [[ "$page" == *"SEE ALSO"*"kiln-image(1)"* ]]
}

@test "install: cmake --install puts the binary, man pages and completions under PREFIX" {
  local build
  build=$(dirname "$KILN_BIN")
  [ -f "$build/cmake_install.cmake" ] || skip "KILN is not in a CMake build directory"
  [ -f "$build/man/kiln.1" ] || skip "the build has not generated the man pages (target kiln_docs)"
  run -0 cmake --install "$build" --prefix "$BATS_TEST_TMPDIR/prefix"
  [ -x "$BATS_TEST_TMPDIR/prefix/bin/kiln" ]
  [ "$(ls "$BATS_TEST_TMPDIR/prefix/share/man/man1" | wc -l)" -ge 20 ]
  [ -f "$BATS_TEST_TMPDIR/prefix/share/man/man1/kiln.1" ]
  [ -f "$BATS_TEST_TMPDIR/prefix/share/man/man1/kiln-build.1" ]
  [ -f "$BATS_TEST_TMPDIR/prefix/share/bash-completion/completions/kiln" ]
  [ -f "$BATS_TEST_TMPDIR/prefix/share/zsh/site-functions/_kiln" ]
  [ -f "$BATS_TEST_TMPDIR/prefix/share/fish/vendor_completions.d/kiln.fish" ]
  run -0 bash -c "source '$BATS_TEST_TMPDIR/prefix/share/bash-completion/completions/kiln' && complete -p kiln"
  # make install passes PREFIX to the same step.
  run -0 make -n -C "$REPO_ROOT" install PREFIX=/opt/k BUILD_DIR="$build"
  [[ "$output" == *"cmake --install $build --prefix /opt/k"* ]]
}

@test "make demo installs only what kiln needs; make test adds the test tools" {
  run -0 bash "$REPO_ROOT/scripts/deps.sh" --list runtime
  for tool in podman buildah skopeo docker-registry hyperfine bats; do
    [[ $'\n'"$output"$'\n' != *$'\n'"$tool"$'\n'* ]] || { echo "runtime deps include $tool"; return 1; }
  done
  [[ $'\n'"$output"$'\n' == *$'\n'runc$'\n'* ]]
  [[ $'\n'"$output"$'\n' == *$'\n'busybox-static$'\n'* ]]
  run -0 bash "$REPO_ROOT/scripts/deps.sh" --list test
  for tool in podman buildah skopeo docker-registry hyperfine bats runc; do
    [[ $'\n'"$output"$'\n' == *$'\n'"$tool"$'\n'* ]] || { echo "test deps lack $tool"; return 1; }
  done
  run -0 make -n -C "$REPO_ROOT" demo
  [[ "$output" == *"scripts/deps.sh runtime"* ]]
  [[ "$output" != *"scripts/deps.sh test"* ]]
  run -0 make -n -C "$REPO_ROOT" test
  [[ "$output" == *"scripts/deps.sh test"* ]]
  run -2 bash "$REPO_ROOT/scripts/deps.sh" --list everything
}
