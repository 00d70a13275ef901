#!/usr/bin/env python3
"""Prints, from a rootfs tar, each path a dpkg .list file names that is a regular file in
the tar (symlinks in its directories followed, as the image sees it), with that file's
SHA-1: "PATH SHA1", sorted. The reference for the owned files of kiln's SBOM documents.
usage: dpkg-owned-files.py ROOTFS.tar"""
import hashlib
import posixpath
import sys
import tarfile


def main(path):
    with tarfile.open(path) as tar:
        members = {posixpath.normpath("/" + m.name.lstrip("./")): m for m in tar.getmembers()}

        def resolve(p, depth=0):
            # Follows symlinks in every component but the last, like lstat.
            parts = [c for c in p.split("/") if c]
            cur = "/"
            for i, part in enumerate(parts):
                cur = posixpath.join(cur, part)
                m = members.get(cur)
                if m is not None and m.issym() and i < len(parts) - 1 and depth < 40:
                    target = m.linkname if m.linkname.startswith("/") else posixpath.join(posixpath.dirname(cur), m.linkname)
                    return resolve(posixpath.normpath(target) + "/" + "/".join(parts[i + 1:]), depth + 1)
            return members.get(cur)

        owned = set()
        for name, m in members.items():
            if name.startswith("/var/lib/dpkg/info/") and name.endswith(".list") and m.isfile():
                for line in tar.extractfile(m).read().decode().splitlines():
                    if line and line != "/.":
                        owned.add(line)
        out = []
        for p in sorted(owned):
            m = resolve(p)
            if m is not None and (m.isfile() or m.islnk()):  # a hard link is a regular file too
                out.append("%s %s" % (p, hashlib.sha1(tar.extractfile(m).read()).hexdigest()))
        print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
