#!/usr/bin/env python3
"""Test helper for 110-registry.bats (127.0.0.1 only):
  free-port                                  print a free TCP port
  push-image URL REPO TAG NLAYERS [ARCH]     push a synthetic gzip image (OCI), print its config digest
  push-index URL REPO TAG REF_AMD64 REF_ARM64  push an OCI index of two tags, print its digest
  proxy LISTEN_PORT UPSTREAM_URL MODE        serve MODE: 'flaky' (503 on the first 2 requests per path,
                                             then proxy), 'garbage' (manifests are not JSON), 'badblob' (layer
                                             bytes altered) or 'bearer'
                                             (token auth: a /token realm wanting kilnuser:s3cret)
  hostile PORT MODE LOG                      a self-contained registry (no upstream) serving one
                                             image as hostile/img:latest, misbehaving as MODE says
                                             (see HOSTILE_MODES); every request is appended to LOG
                                             as "PORT METHOD PATH AUTHORIZATION"
"""
import gzip, hashlib, http.server, io, json, os, socket, sys, tarfile, urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def req(method, url, data=None, headers=None):
    r = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    return urllib.request.urlopen(r)


def put_blob(base, repo, data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    r = req("POST", f"{base}/v2/{repo}/blobs/uploads/")
    loc = r.headers["Location"]
    if loc.startswith("/"):
        loc = base + loc
    sep = "&" if "?" in loc else "?"
    req("PUT", f"{loc}{sep}digest={d}", data, {"Content-Type": "application/octet-stream"})
    return d


def layer(i, size=200_000, seed=""):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        payload = hashlib.sha256(f"{seed}{i}".encode()).digest() * (size // 32)
        info = tarfile.TarInfo(f"layer{i}/data.bin")
        info.size = len(payload)
        info.mtime = 1700000000
        t.addfile(info, io.BytesIO(payload))
    raw = buf.getvalue()
    return raw, gzip.compress(raw, mtime=0)


def push_image(base, repo, tag, n, arch="amd64"):
    layers, diffs = [], []
    for i in range(int(n)):
        raw, gz = layer(i, seed=arch + repo)
        diffs.append("sha256:" + hashlib.sha256(raw).hexdigest())
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                       "digest": put_blob(base, repo, gz), "size": len(gz)})
    cfg = json.dumps({"created": "2024-01-01T00:00:00Z", "architecture": arch, "os": "linux",
                      "config": {"Cmd": ["/bin/sh"]}, "rootfs": {"type": "layers", "diff_ids": diffs},
                      "history": [{"created": "2024-01-01T00:00:00Z", "created_by": f"layer {i}"} for i in range(int(n))]},
                     separators=(",", ":")).encode()
    cd = put_blob(base, repo, cfg)
    m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": len(cfg)},
                    "layers": layers}).encode()
    req("PUT", f"{base}/v2/{repo}/manifests/{tag}", m, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    print(cd)


def push_index(base, repo, tag, amd, arm):
    ms = []
    for ref, arch in ((amd, "amd64"), (arm, "arm64")):
        r = req("GET", f"{base}/v2/{repo}/manifests/{ref}", headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
        body = r.read()
        ms.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                   "digest": "sha256:" + hashlib.sha256(body).hexdigest(), "size": len(body),
                   "platform": {"architecture": arch, "os": "linux"}})
    idx = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": ms}).encode()
    req("PUT", f"{base}/v2/{repo}/manifests/{tag}", idx, {"Content-Type": "application/vnd.oci.image.index.v1+json"})
    print("sha256:" + hashlib.sha256(idx).hexdigest())


class ReplyingHandler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 with reply(): status, headers, Content-Length, and a body unless HEAD."""
    protocol_version = "HTTP/1.1"

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def proxy(port, upstream, mode):
    seen = {}

    class H(ReplyingHandler):

        def log_message(self, *a):
            sys.stderr.write("%s %s\n" % (self.command, self.path))

        def handle_any(self):
            n = seen.get(self.path, 0)
            seen[self.path] = n + 1
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else None
            if mode == "flaky" and n < 2:
                return self.reply(503, b'{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}')
            if mode == "bearer":
                # A token server and a registry that wants its tokens (as Docker Hub, ghcr, quay).
                if self.path.startswith("/token"):
                    import base64
                    want = "Basic " + base64.b64encode(b"kilnuser:s3cret").decode()
                    if self.headers.get("Authorization") != want:
                        return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
                    return self.reply(200, b'{"token":"tok-' + str(len(self.path)).encode() + b'"}')
                if not (self.headers.get("Authorization") or "").startswith("Bearer tok-"):
                    realm = f"http://127.0.0.1:{port}/token"
                    return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                                      [("WWW-Authenticate", f'Bearer realm="{realm}",service="kiln-test"')])
                del self.headers["Authorization"]
            if mode == "garbage" and "/manifests/" in self.path:
                return self.reply(200, b"<html>not a manifest</html>",
                                  [("Content-Type", "application/vnd.oci.image.manifest.v1+json")])
            hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            try:
                r = req(self.command, upstream + self.path, data, hdrs)
                code, body, rh = r.status, r.read(), r.headers.items()
            except urllib.error.HTTPError as e:
                code, body, rh = e.code, e.read(), e.headers.items()
            if mode == "badblob" and "/blobs/sha256:" in self.path and self.command == "GET" and len(body) > 20:
                body = body[:-10] + b"0123456789"  # same size, wrong bytes
            self.reply(code, body, [(k, v) for k, v in rh if k.lower() not in ("content-length", "transfer-encoding", "connection")])

        do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = handle_any

    http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), H).serve_forever()


def tar_bytes(entries):
    """entries: (name, type, data_or_linkname) with type one of file, dir, symlink, hardlink."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, kind, payload in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 1700000000
            if kind == "file":
                info.size = len(payload)
                t.addfile(info, io.BytesIO(payload))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE}[kind]
            if kind == "dir":
                info.mode = 0o755
            else:
                info.linkname = payload
            t.addfile(info)
    return buf.getvalue()


# What each MODE of `hostile` does differently from a well-behaved registry.
HOSTILE_MODES = {
    "ok": "serves the image; /v2/ wants Basic auth (any user) when LOG's directory has 'auth'",
    "redirect": "blob GETs answer 307 to the same path on a second server (another port = another host)",
    "stall": "blob GETs send half of the bytes, then nothing (the connection stays open)",
    "error500": "every manifest GET answers 500",
    "bigmanifest": "the manifest is 5 MiB (padding in an annotation)",
    "bigconfig": "the manifest says the config is 5 MiB",
    "badconfig": "the config blob's bytes differ from its digest",
    "shortsize": "the layer descriptor's size is 10 bytes less than the blob",
    "endless": "the layer blob never ends (more bytes than the descriptor says, forever)",
    "mediatype": "the layer's media type is unknown",
    "artifact": "the config's media type is not an image config",
    "dotdot": "the layer holds ../../../../../../../../tmp/<ESCAPE>",
    "absolute": "the layer holds /tmp/<ESCAPE>",
    "symlink": "the layer holds a symlink to /tmp and a file below it",
    "hardlink": "the layer holds a hard link to ../../../../../../../../etc/passwd",
}


def hostile(port, mode, log, escape="kiln-escape-marker"):
    import gzip as gz, threading, time
    mode = mode if mode in HOSTILE_MODES else sys.exit("unknown mode " + mode)
    want_auth = os.path.exists(os.path.join(os.path.dirname(log), "auth"))
    entries = [("etc", "dir", None), ("etc/hello", "file", b"hello from a layer\n")]
    if mode == "dotdot":
        entries.append((f"../../../../../../../../tmp/{escape}", "file", b"escaped\n"))
    elif mode == "absolute":
        entries.append((f"/tmp/{escape}", "file", b"escaped\n"))
    elif mode == "symlink":
        entries += [("up", "symlink", "/tmp"), (f"up/{escape}", "file", b"escaped\n")]
    elif mode == "hardlink":
        entries.append(("passwd", "hardlink", "../../../../../../../../etc/passwd"))
    raw = tar_bytes(entries)
    blob = gz.compress(raw, mtime=0)
    sha = lambda b: "sha256:" + hashlib.sha256(b).hexdigest()
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                      "rootfs": {"type": "layers", "diff_ids": [sha(raw)]},
                      "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "hostile"}]}).encode()
    served_cfg = cfg.replace(b"amd64", b"amd65") if mode == "badconfig" else cfg  # same size, other bytes
    layer_desc = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha(blob), "size": len(blob)}
    if mode == "mediatype":
        layer_desc["mediaType"] = "application/vnd.example.unknown+gzip"
    if mode == "shortsize":
        layer_desc["size"] = len(blob) - 10
    cfg_desc = {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(cfg), "size": len(cfg)}
    if mode == "artifact":
        cfg_desc["mediaType"] = "application/vnd.example.artifact.config+json"
    if mode == "bigconfig":
        cfg_desc["size"] = 5 << 20
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": cfg_desc, "layers": [layer_desc]}
    if mode == "bigmanifest":
        manifest["annotations"] = {"pad": "x" * (5 << 20)}
    mbytes = json.dumps(manifest).encode()
    blobs = {sha(blob): blob, sha(cfg): served_cfg}
    lock = threading.Lock()

    def record(p, h):
        with lock, open(log, "a") as f:
            f.write(f"{p} {h.command} {h.path} {h.headers.get('Authorization') or '-'}\n")

    def make_handler(my_port, primary):
        class H(ReplyingHandler):

            def log_message(self, *a):
                pass

            def do_GET(self):
                record(my_port, self)
                path = self.path.split("?")[0]
                if primary and want_auth and not (self.headers.get("Authorization") or "").startswith("Basic "):
                    return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                                      [("WWW-Authenticate", 'Basic realm="kiln-test"')])
                if path == "/v2/":
                    return self.reply(200, b"{}")
                if path.startswith("/v2/hostile/img/manifests/"):
                    if mode == "error500":
                        return self.reply(500, b'{"errors":[{"code":"UNKNOWN","message":"always failing"}]}')
                    return self.reply(200, mbytes, [("Content-Type", manifest["mediaType"]),
                                                    ("Docker-Content-Digest", sha(mbytes))])
                if path.startswith("/v2/hostile/img/blobs/"):
                    d = path.rsplit("/", 1)[1]
                    if d not in blobs:
                        return self.reply(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}')
                    body = blobs[d]
                    if primary and mode == "redirect":
                        return self.reply(307, b"", [("Location", f"http://127.0.0.1:{other_port}{self.path}")])
                    if mode == "stall" and d == sha(blob):
                        self.send_response(200)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body[: len(body) // 2])
                        self.wfile.flush()
                        time.sleep(3600)
                        return
                    if mode == "endless" and d == sha(blob):
                        self.send_response(200)
                        self.end_headers()  # no length: the body ends when the connection does
                        try:
                            while True:
                                self.wfile.write(b"\0" * 65536)
                        except OSError:
                            return
                    return self.reply(200, body)
                self.reply(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known"}]}')

            do_HEAD = do_GET
        return H

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(0, False))
    other_port = other.server_address[1]
    other.RequestHandlerClass = make_handler(other_port, False)
    other.daemon_threads = True
    threading.Thread(target=other.serve_forever, daemon=True).start()
    main = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), make_handler(int(port), True))
    main.daemon_threads = True
    main.serve_forever()


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"free-port": free_port, "push-image": push_image, "push-index": push_index, "proxy": proxy,
     "hostile": hostile}[cmd](*args)
