#!/usr/bin/env python3
"""Writes a seed corpus per fuzz target into OUTDIR/<target>/: small, valid inputs of each
format, so that libFuzzer starts past the checks a random byte string never passes (a tar
header's checksum, JSON with the right keys). scripts/fuzz.sh hands OUTDIR/<target> to each
target beside its growing corpus. Every seed fits the 2048-byte max_len."""
import glob
import gzip
import io
import json
import os
import sys
import tarfile
import zipfile


def tar_bytes(add):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        add(t)
    data = buf.getvalue()
    while data.endswith(b"\0" * 512) and len(data) > 1024:  # drop end-of-archive padding
        data = data[:-512]
    return data


def entry(t, name, kind=tarfile.REGTYPE, data=b"", linkname="", mode=0o644, uid=0, gid=0):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode, info.uid, info.gid, info.mtime = kind, linkname, mode, uid, gid, 0
    info.size = len(data)
    t.addfile(info, io.BytesIO(data) if data else None)


def tars():
    out = [
        tar_bytes(lambda t: (entry(t, "d", tarfile.DIRTYPE, mode=0o755), entry(t, "d/f", data=b"hello\n"))),
        tar_bytes(lambda t: (entry(t, "l", tarfile.SYMTYPE, linkname="/etc/passwd"), entry(t, "h", tarfile.LNKTYPE, linkname="l"))),
        tar_bytes(lambda t: (entry(t, "d/.wh.gone"), entry(t, "e/.wh..wh..opq"))),
        tar_bytes(lambda t: entry(t, "x" * 150 + "/long", data=b"p", uid=123, gid=456)),
        tar_bytes(lambda t: (entry(t, "../escape", data=b"x"), entry(t, "/abs", data=b"y"))),
        tar_bytes(lambda t: entry(t, "dev", tarfile.CHRTYPE)),
    ]
    out.append(gzip.compress(out[0], mtime=0))
    return out


MANIFEST = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + "a" * 64, "size": 7},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + "b" * 64, "size": 9}]}
INDEX = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
         "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + "c" * 64, "size": 5,
                        "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}}]}
CONFIG = {"architecture": "amd64", "os": "linux", "created": "2024-01-02T03:04:05Z",
          "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"], "Labels": {"a": "b"}, "WorkingDir": "/w", "User": "1:2"},
          "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "d" * 64]},
          "history": [{"created_by": "/bin/sh -c #(nop) CMD [\"sh\"]", "empty_layer": True}]}
OSV = {"id": "DSA-1", "affected": [{"package": {"ecosystem": "Debian:12", "name": "bash"},
                                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.2.15-2"}]}]}]}


def zip_bytes(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def jars():
    inner = zip_bytes([("META-INF/maven/g/a/pom.properties", "groupId=g\nartifactId=a\nversion=1.0-rc1\n")])
    return [
        inner,
        zip_bytes([("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nImplementation-Title: x\n y\nBundle-Version: 2.0\n\n"),
                   ("WEB-INF/lib/a-1.0.jar", inner)]),
    ]


def seeds():
    containerfiles = [open(f, "rb").read()[:2048] for f in sorted(glob.glob("examples/**/Containerfile*", recursive=True))]
    containerfiles.append(b"ARG B=busybox\nFROM $B AS s\nRUN --mount=type=cache,target=/c echo a && \\\n  echo b\n"
                          b"COPY --from=s --chown=1:2 /a /b/\nRUN <<EOF\necho hi\nEOF\nCMD [\"sh\"]\n")
    return {
        "layer_apply_fuzz": tars(),
        "tar_reader_fuzz": tars(),
        "image_json_fuzz": [json.dumps(x).encode() for x in (MANIFEST, INDEX, CONFIG)],
        "reference_fuzz": [b"busybox", b"docker.io/library/busybox:1.36", b"localhost:5000/a/b@sha256:" + b"e" * 64,
                           b"quay.io/libpod/testimage:20221018"],
        "auth_json_fuzz": [b'{"auths":{"localhost:5000":{"auth":"dTpw"}},"credHelpers":{"x":"y"}}'],
        "registries_conf_fuzz": [b'unqualified-search-registries = ["docker.io"]\n[[registry]]\nprefix = "a.io"\n'
                                 b'location = "b.io"\ninsecure = true\n[[registry.mirror]]\nlocation = "m.io"\n'
                                 b'[aliases]\n"busybox" = "docker.io/library/busybox"\n'],
        "www_authenticate_fuzz": [b'Bearer realm="https://auth.io/token",service="registry.io",scope="repository:a:pull"',
                                  b'Basic realm="x"'],
        "template_fuzz": [b"{{.Repository}}\\t{{.Tag}}", b'{{range $k, $v := .Labels}}{{$k}}={{$v}}{{end}}',
                          b'{{if eq .Os "linux"}}{{json .}}{{else}}{{printf "%s" .ID}}{{end}}', b"{{.Created.Format \"2006\"}}"],
        "containerfile_fuzz": containerfiles,
        "lint_fuzz": containerfiles,
        "ignore_fuzz": [b"*.o\n!keep.o\n**/node_modules\n/build\n# c\n[a-z]?.txt\n"],
        "osv_fuzz": [json.dumps(OSV).encode(), b"Package: bash\nVersion: 5.2.15-2+b2\nArchitecture: amd64\nSource: bash\n"],
        "java_archive_fuzz": jars(),
        "seccomp_profile_fuzz": [json.dumps(SECCOMP).encode()],
    }


SECCOMP = {
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
    "syscalls": [
        {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]},
        {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"], "minKernel": "4.8"}},
        {"names": ["reboot"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "excludes": {"caps": ["CAP_SYS_BOOT"], "arches": ["s390x"]}},
        {"name": "arch_prctl", "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
    ],
}


def main():
    out = sys.argv[1]
    for target, items in seeds().items():
        os.makedirs(os.path.join(out, target), exist_ok=True)
        for i, data in enumerate(items):
            with open(os.path.join(out, target, "seed-%d" % i), "wb") as f:
                f.write(data[:2048])


if __name__ == "__main__":
    main()
