#!/usr/bin/env bash
# Builds every Containerfile/Dockerfile of buildah's own test fixtures (tests/bud/ of
# buildah v1.28.2, the buildah inside podman 4.3.1) with podman and with kiln, offline, and
# compares the two images: config, history and each layer's file list (path, type, mode,
# owner, size, link target). Not part of `make test`: it takes minutes.
#
# usage: tests/bud-compare.sh [-k] [-v] BUD_DIR [FIXTURE_SUBSTRING...]
#   BUD_DIR   buildah's tests/bud, e.g. from a clone of github.com/containers/buildah:
#               git archive v1.28.2 tests/bud | tar -x -C /tmp/buildah && BUD_DIR=/tmp/buildah/tests/bud
#   FIXTURE_SUBSTRING  only the fixtures whose path (relative to BUD_DIR) contains one of them
#   -k        keep the work directory (both stores, saved images) and print its path
#   -v        print kiln's and podman's build output of fixtures that fail
#   KILN=path/to/kiln (default build/kiln)
#
# Per fixture it prints one of
#   same            both built, identical after the filters below
#   documented      both built, and differ only where docs/compat.md says kiln differs on
#                   purpose (the reason, then the diff)
#   differs         both built, then the diff (- podman, + kiln)
#   skipped         not built, with the reason
#   fails in kiln   podman built it, kiln did not (kiln's last error line)
#   fails in podman kiln built it, podman did not
#   fails in both   neither built it (buildah's tests use many fixtures to check errors)
# and a count of each at the end.
#
# Offline, so:
# - Bases: a busybox image (scripts/busybox-rootfs.sh, plus tiny adduser/addgroup/useradd
#   scripts that edit /etc/passwd and /etc/group, and /bin/bash -> busybox) stands in for
#   `alpine`, `busybox`, `ubuntu` and `fedora` (both stores get the same image, made by
#   podman and loaded into kiln, so the base's config and layer are the same bytes).
#   Fixtures that need another image (quay.io/…, images other fixtures build in buildah's
#   own test order) fail in both with "image not known" and are reported as skipped.
# - Fixtures that download (ADD of a URL, RUN of a package manager or curl/wget) are skipped,
#   as are the few in SKIP below (each with its reason).
#
# What the comparison leaves out, and why:
# - times (`created` of the config and of each history entry): they are the build's clock;
# - layer digests (rootfs.diff_ids): tar headers differ by design (docs/compat.md: Go's
#   archive/tar vs libarchive); the layers are compared by their file lists instead, and a
#   layer of the base image is named by its digest (they are the same bytes on both sides);
# - the parent image ID in a history comment ("FROM 0123456789ab"): it depends on the times;
# - the content digest in a COPY/ADD history line ("COPY file:<digest> in /x"): buildah
#   hashes a tar stream of the sources, kiln hashes the sources themselves (docs/compat.md);
# - file mtimes;
# - podman's RUN artifacts (docs/compat.md): after a RUN, buildah leaves the runtime's mount
#   points in the layer even when the command did not touch them: empty regular files
#   /etc/hosts, /etc/hostname, /etc/resolv.conf and empty directories /dev, /proc, /sys, /run.
#   These entries are dropped from every layer on both sides, and then a directory entry
#   that only held dropped entries (/etc when nothing else in /etc changed) is dropped too.
#   (A fixture that itself creates exactly such an empty file or directory would hide it;
#   none does.) Likewise a directory entry with nothing below it in its layer and the same
#   type, mode and owner as in the layers under it: overlayfs copies a directory up when
#   something below it is created and removed again (buildah's RUN --mount targets), and
#   such an entry changes nothing but a time;
# - the parent named in a history comment: "FROM 0123456789ab" or "FROM localhost/cmpN:latest"
#   (buildah names a cached parent by its first name, here another fixture's tag).
set -uo pipefail

keep=0
verbose=0
while getopts kv opt; do
  case $opt in
    k) keep=1 ;;
    v) verbose=1 ;;
    *) sed -n '2,20p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
bud_dir=${1:?usage: tests/bud-compare.sh [-k] [-v] BUD_DIR [FIXTURE_SUBSTRING...] (see the comment at the top)}
shift
bud_dir=$(cd "$bud_dir" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
kiln_bin=${KILN:-$repo/build/kiln}
[ -x "$kiln_bin" ] || { echo "no kiln binary at $kiln_bin (build it, or set KILN)" >&2; exit 2; }
command -v podman >/dev/null || { echo "podman is not installed" >&2; exit 2; }

# Fixtures not built, with the reason.
declare -A SKIP=(
  [long-sleep/Dockerfile]="sleeps 300 s; buildah's test kills it half-way"
)

# Fixtures where kiln differs from podman on purpose (docs/compat.md), with the reason: the
# result is still shown, as "documented" (or "fails in podman") rather than "differs".
declare -A DOCUMENTED=(
  [copy-globs/Containerfile]="COPY of several files to a destination without a final slash: podman overwrites one file with each; kiln makes a directory, as BuildKit"
  [dockerignore/Dockerfile]="an ignore file's ! exception re-includes files inside an excluded directory (Docker's rule); podman leaves the directory out"
  [dockerignore/Dockerfile.succeed]="an ignore file's ! exception re-includes files inside an excluded directory (Docker's rule); podman leaves the directory out"
  [containerignore/Dockerfile]="an ignore file's ! exception re-includes files inside an excluded directory (Docker's rule); podman leaves the directory out"
  [containerignore/Dockerfile.succeed]="an ignore file's ! exception re-includes files inside an excluded directory (Docker's rule); podman leaves the directory out"
  [dockerignore6/Dockerfile]="an ignore file's ! exception re-includes files inside an excluded directory (Docker's rule); podman leaves the directory out"
  [dockerignore6/Dockerfile.succeed]="an ignore file's ! exception re-includes files inside an excluded directory (Docker's rule); podman leaves the directory out"
  [symlink/Dockerfile.symlink-points-to-itself]="a last VOLUME through a symlink loop: podman fails resolving it; kiln builds (nothing runs after it)"
  [containerfile/Containerfile.in]="a Containerfile named *.in: podman runs it through cpp; kiln reads it as it is"
)
# A diff whose only lines are whiteouts podman wrote for RUN --mount targets that already
# existed as empty directories (podman removes them from the image; kiln keeps them).
mount_target_whiteouts_only() {  # diff file, fixture file
  local line name
  while IFS= read -r line; do
    case $line in
      @@*) continue ;;
      -*) name=${line#-  }; name=${name%% *}; name=${name##*/}
          [[ $name == .wh.* ]] || return 1
          grep -q -- "--mount=[^ ]*target=[^ ,]*/${name#.wh.}\b" "$2" || return 1 ;;
      +*) return 1 ;;
    esac
  done < <(grep '^[-+@]' "$1")
}

# podman's runroot must be shorter than 50 characters.
work=$(mktemp -d /tmp/budcmp.XXXXXX)
cleanup() {
  mount | awk -v d="$work" 'index($3, d) == 1 { print $3 }' | sort -r | xargs -r -n1 umount 2>/dev/null
  if [ "$keep" = 1 ]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
bash "$repo/scripts/podman-conf.sh" "$work/containers.conf"
# TMPDIR: buildah keeps RUN --mount=type=cache directories in $TMPDIR/buildah-cache-UID,
# which would otherwise outlive the run (and carry one run's cache into the next).
mkdir -p "$work/tmp"
pm() { TMPDIR=$work/tmp CONTAINERS_CONF=$work/containers.conf podman --root "$work/podman" --runroot "$work/pr" "$@"; }
kn() { "$kiln_bin" --root "$work/kiln" --runroot "$work/kr" "$@"; }

# The normaliser: an OCI layout (from `save --format oci-dir`) in, a text to diff out.
cat > "$work/describe.py" <<'PY'
import json, os, re, sys, tarfile

layout, base_ids = sys.argv[1], set(sys.argv[2:])
def blob(d): return os.path.join(layout, "blobs", d.replace(":", "/"))
index = json.load(open(os.path.join(layout, "index.json")))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
config = json.load(open(blob(manifest["config"]["digest"])))

config.pop("created", None)
diff_ids = config.get("rootfs", {}).get("diff_ids", [])
config.get("rootfs", {})["diff_ids"] = [d if d in base_ids else "<layer %d>" % i for i, d in enumerate(diff_ids)]
for h in config.get("history", []):
    h.pop("created", None)
    if "comment" in h: h["comment"] = re.sub(r"^FROM ([0-9a-f]{12}|localhost/cmp[0-9]+:latest)$", "FROM <parent>", h["comment"])
    if "created_by" in h: h["created_by"] = re.sub(r"\b(file|dir|multi):[0-9a-f]{64}", r"\1:<digest>", h["created_by"])
print(json.dumps(config, indent=1, sort_keys=True))

ARTIFACT_FILES = {"etc/hosts", "etc/hostname", "etc/resolv.conf"}
ARTIFACT_DIRS = {"dev", "proc", "sys", "run"}
TYPES = {tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.DIRTYPE: "dir", tarfile.SYMTYPE: "symlink",
         tarfile.LNKTYPE: "hardlink", tarfile.CHRTYPE: "char", tarfile.BLKTYPE: "block", tarfile.FIFOTYPE: "fifo"}

def is_artifact(m, name):
    if name in ARTIFACT_FILES: return m.isfile() and m.size == 0
    return name in ARTIFACT_DIRS and m.isdir()

below = {}  # path -> (type, mode, uid, gid) in the layers read so far
for i, layer in enumerate(manifest["layers"]):
    entries, dropped = {}, set()
    with tarfile.open(blob(layer["digest"]), "r:*") as t:
        for m in t:
            name = m.name[2:] if m.name.startswith("./") else m.name.lstrip("/")
            name = name.rstrip("/")
            if is_artifact(m, name):
                dropped.add(name)
                continue
            link = " -> " + m.linkname if (m.issym() or m.islnk()) else ""
            entries[name] = (m, "%s %s %04o %d:%d %d%s" % (name, TYPES.get(m.type, m.type), m.mode & 0o7777,
                                                            m.uid, m.gid, m.size if m.isfile() else 0, link))
    if diff_ids[i:i + 1] and diff_ids[i] in base_ids:
        print("layer %d: base layer %s" % (i, diff_ids[i]))
    else:
        print("layer %d:" % i)
        def empty_here(d): return not any(n.startswith(d + "/") for n in entries)
        for name in sorted(entries):
            m, text = entries[name]
            if m.isdir() and empty_here(name):
                if any(n.startswith(name + "/") for n in dropped): continue  # only held artifacts
                if below.get(name) == (m.type, m.mode & 0o7777, m.uid, m.gid): continue  # a copy-up
            print("  " + text)
    for name, (m, _) in entries.items():
        below[name] = (m.type, m.mode & 0o7777, m.uid, m.gid)
PY

# ---- the base image, the same bytes in both stores ----
bash "$repo/scripts/busybox-rootfs.sh" "$work/busybox.tar" || exit 2
mkdir -p "$work/base/usr/sbin" && tar -x -C "$work/base" -f "$work/busybox.tar" || exit 2
ln -s busybox "$work/base/bin/bash"
# adduser [-D] [-H] [-h HOME] [-g GECOS] [-u UID] [-G GROUP] NAME [GROUP] (busybox's), and
# useradd [--create-home|-m] [--home|-d HOME] NAME: enough for the fixtures.
cat > "$work/base/usr/sbin/adduser" <<'SH'
#!/bin/sh
home= group= uid= mk=1 name= second=
while [ $# -gt 0 ]; do case $1 in
  -D|-S) ;; -H) mk= ;; -h|--home|-d) home=$2; shift ;; -g|-s) shift ;; -u) uid=$2; shift ;; -G) group=$2; shift ;;
  -m|--create-home) mk=1 ;; *) if [ -z "$name" ]; then name=$1; else second=$1; fi ;; esac; shift; done
if [ -n "$second" ]; then exec addgroup "$name" "$second"; fi
[ -n "$uid" ] || uid=$(awk -F: 'BEGIN{m=999} $3>m && $3<60000 {m=$3} END{print m+1}' /etc/passwd)
[ -n "$home" ] || home=/home/$name
echo "$name:x:$uid:$uid:$name:$home:/bin/sh" >> /etc/passwd
echo "$name:x:$uid:" >> /etc/group
[ -z "$group" ] || addgroup "$name" "$group"
if [ -n "$mk" ]; then mkdir -p "$home" && chown "$uid:$uid" "$home"; fi
SH
cat > "$work/base/usr/sbin/addgroup" <<'SH'
#!/bin/sh
gid=
while [ $# -gt 0 ]; do case $1 in -g) gid=$2; shift ;; -S) ;; *) break ;; esac; shift; done
if [ $# -eq 2 ]; then  # addgroup USER GROUP
  sed -i "/^$2:/ { s/:\$/:$1/; t; s/\$/,$1/ }" /etc/group; exit
fi
[ -n "$gid" ] || gid=$(awk -F: 'BEGIN{m=999} $3>m && $3<60000 {m=$3} END{print m+1}' /etc/group)
echo "$1:x:$gid:" >> /etc/group
SH
chmod 755 "$work/base/usr/sbin/adduser" "$work/base/usr/sbin/addgroup"
ln -s adduser "$work/base/usr/sbin/useradd"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/base" -cf "$work/busybox.tar" . || exit 2
pm import -q "$work/busybox.tar" docker.io/library/alpine:latest >/dev/null || exit 2
stand_ins=(docker.io/library/alpine:latest)
for name in busybox ubuntu fedora; do
  pm tag docker.io/library/alpine:latest docker.io/library/$name:latest || exit 2
  stand_ins+=(docker.io/library/$name:latest)
done
pm save -q --format docker-archive -o "$work/base.tar" "${stand_ins[@]}" || exit 2
kn load -q -i "$work/base.tar" >/dev/null || exit 2
base_ids=$(pm inspect --format '{{range .RootFS.Layers}}{{.}} {{end}}' docker.io/library/alpine:latest)

needs_network() {
  grep -qiE '^[[:space:]]*ADD([[:space:]]+--[^[:space:]]+)*[[:space:]]+"?https?://' "$1" && { echo "ADD of a URL (needs the internet)"; return 0; }
  grep -qiE '\b(apk (add|update)|apt-get|apt install|dnf|yum|microdnf|curl|wget|git clone|pip install)\b' "$1" &&
    { echo "installs or downloads software (needs the internet)"; return 0; }
  return 1
}

declare -A count=()
n=0
report() {  # status, fixture, [detail]
  count[$1]=$((${count[$1]:-0} + 1))
  printf '%-16s %s%s\n' "$1" "$2" "${3:+  ($3)}"
}

# The last "Error:" line of a build log (or its last line).
last_error() { grep -E '^Error|error' "$1" | tail -1 | cut -c1-200 || tail -1 "$1"; }

mapfile -t fixtures < <(cd "$bud_dir" && find . -type f \( -iname '*containerfile*' -o -iname '*dockerfile*' \) \
  ! -name '*.dockerignore' ! -name '*.containerignore' | sed 's|^\./||' | sort)

for fx in "${fixtures[@]}"; do
  if [ $# -gt 0 ]; then
    match=0
    for want in "$@"; do [[ $fx == *"$want"* ]] && match=1; done
    [ $match = 1 ] || continue
  fi
  n=$((n + 1))
  file=$bud_dir/$fx
  ctx=$(dirname "$file")
  tag=localhost/cmp$n:latest
  out=$work/out/$n
  mkdir -p "$out"
  if [ -n "${SKIP[$fx]:-}" ]; then report skipped "$fx" "${SKIP[$fx]}"; continue; fi
  if why=$(needs_network "$file"); then report skipped "$fx" "$why"; continue; fi

  timeout 300 "$kiln_bin" --root "$work/kiln" --runroot "$work/kr" build --pull=never -t "$tag" -f "$file" "$ctx" \
    >"$out/kiln.log" 2>&1 </dev/null
  k=$?
  TMPDIR=$work/tmp CONTAINERS_CONF=$work/containers.conf timeout 300 podman --root "$work/podman" --runroot "$work/pr" \
    build --pull=never -t "$tag" -f "$file" "$ctx" >"$out/podman.log" 2>&1 </dev/null
  p=$?
  if [ $k != 0 ] && [ $p != 0 ]; then
    if grep -q 'image not known\|no such image\|not found in local storage\|pull policy is "never"' "$out/podman.log"; then
      report skipped "$fx" "needs an image we don't have: $(last_error "$out/podman.log")"
    else
      report "fails in both" "$fx" "exit kiln $k podman $p"
    fi
    continue
  fi
  if [ $k != 0 ] || [ $p != 0 ]; then
    if [ $k != 0 ] && [ -n "${DOCUMENTED[$fx]:-}" ]; then report "documented" "$fx" "fails in kiln: ${DOCUMENTED[$fx]}"
    elif [ $k != 0 ]; then report "fails in kiln" "$fx" "$(last_error "$out/kiln.log")"
    elif [ -n "${DOCUMENTED[$fx]:-}" ]; then report "documented" "$fx" "fails in podman: ${DOCUMENTED[$fx]}"
    else report "fails in podman" "$fx" "$(last_error "$out/podman.log")"; fi
    if [ "$verbose" = 1 ]; then sed 's/^/    kiln: /' "$out/kiln.log"; sed 's/^/    podman: /' "$out/podman.log"; fi
    continue
  fi
  pm save -q --format oci-dir -o "$out/podman" "$tag" >/dev/null 2>&1 &&
    kn save -q --format oci-dir -o "$out/kiln" "$tag" >/dev/null 2>&1 || { report "fails in both" "$fx" "save failed"; continue; }
  # shellcheck disable=SC2086
  python3 "$work/describe.py" "$out/podman" $base_ids >"$out/podman.txt" &&
    python3 "$work/describe.py" "$out/kiln" $base_ids >"$out/kiln.txt" || { report differs "$fx" "unreadable image"; continue; }
  if diff -q "$out/podman.txt" "$out/kiln.txt" >/dev/null; then
    report same "$fx"
    rm -rf "$out/podman" "$out/kiln"
    continue
  fi
  diff -u --label podman --label kiln "$out/podman.txt" "$out/kiln.txt" | tail -n +3 >"$out/diff"
  if [ -n "${DOCUMENTED[$fx]:-}" ]; then
    report documented "$fx" "${DOCUMENTED[$fx]}"
  elif mount_target_whiteouts_only "$out/diff" "$file"; then
    report documented "$fx" "podman removes a RUN --mount target that was an empty directory of the image; kiln keeps it"
  else
    report differs "$fx"
  fi
  sed 's/^/    /' "$out/diff"
  rm -rf "$out/podman" "$out/kiln"
done

echo
total=0
for s in same documented differs skipped "fails in kiln" "fails in podman" "fails in both"; do
  printf '%-16s %d\n' "$s" "${count[$s]:-0}"
  total=$((total + ${count[$s]:-0}))
done
printf '%-16s %d\n' total "$total"
