#!/usr/bin/env python3
"""Test helper for 110-registry.bats (127.0.0.1 only):
  free-port                                  print a free TCP port
  push-image URL REPO TAG NLAYERS [ARCH]     push a synthetic gzip image (OCI), print its config digest
  push-index URL REPO TAG REF_AMD64 REF_ARM64  push an OCI index of two tags, print its digest
  proxy LISTEN_PORT UPSTREAM_URL MODE        serve MODE: 'flaky' (503 on the first 2 requests per path,
                                             then proxy), 'garbage' (manifests are not JSON), 'badblob' (layer
                                             bytes altered) or 'bearer'
                                             (token auth: a /token realm wanting kilnuser:s3cret)
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


def proxy(port, upstream, mode):
    seen = {}

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            sys.stderr.write("%s %s\n" % (self.command, self.path))

        def reply(self, code, body=b"", headers=()):
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

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


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"free-port": free_port, "push-image": push_image, "push-index": push_index, "proxy": proxy}[cmd](*args)
